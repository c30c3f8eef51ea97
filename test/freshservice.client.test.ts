import nock from 'nock';
import { describe, expect, it, vi } from 'vitest';
import { FreshserviceClient } from '../src/freshservice/client.js';
import {
  FreshserviceAuthError,
  FreshserviceNotFoundError,
  FreshservicePermissionError,
  FreshserviceUnavailableError,
  FreshserviceValidationError,
} from '../src/freshservice/errors.js';
import { RateLimiter } from '../src/freshservice/rate-limiter.js';
import type { Logger } from '../src/logger.js';
import { useNock } from './support/nock.js';

const API_KEY = 'sEcReTkEy0123456789';
const BASIC = Buffer.from(`${API_KEY}:X`).toString('base64');
let hostCounter = 0;

/** Each test gets its own account host, so it also gets its own process-wide rate limiter. */
function account(logger?: Logger) {
  hostCounter += 1;
  const origin = `https://acme${hostCounter}.freshservice.com`;
  const client = new FreshserviceClient({
    baseUrl: `${origin}/api/v2`,
    apiKey: API_KEY,
    timeoutMs: 300,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    rateLimit: { retryAfterScale: 0.2 },
    logger,
  });
  return { origin, client, scope: nock(origin) };
}

function expectNoKey(error: unknown) {
  const text = `${(error as Error).message} ${JSON.stringify(error)} ${String((error as Error).stack)}`;
  expect(text).not.toContain(API_KEY);
  expect(text).not.toContain(BASIC);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

useNock();

describe('Freshservice client', () => {
  it('authenticates with the API key as Basic user and asks for JSON', async () => {
    const { client, scope } = account();
    scope
      .get('/api/v2/departments')
      .matchHeader('authorization', `Basic ${BASIC}`)
      .matchHeader('accept', /application\/json/)
      .reply(200, { departments: [{ id: 1, name: 'Acme' }] });
    const response = await client.get<{ departments: Array<{ name: string }> }>('/departments');
    expect(response.data.departments[0]!.name).toBe('Acme');
    expect(scope.isDone()).toBe(true);
  });

  it('follows Link rel="next" until it is absent and counts credits from the header', async () => {
    const { origin, client, scope } = account();
    scope
      .get('/api/v2/tickets')
      .query({ per_page: '2', include: 'stats' })
      .reply(200, { tickets: [{ id: 1 }, { id: 2 }] }, { Link: `<${origin}/api/v2/tickets?per_page=2&include=stats&page=2>; rel="next"`, 'X-Ratelimit-Used-CurrentRequest': '3' })
      .get('/api/v2/tickets')
      .query({ per_page: '2', include: 'stats', page: '2' })
      .reply(200, { tickets: [{ id: 3 }, { id: 4 }] }, { Link: `<${origin}/api/v2/tickets?per_page=2&include=stats&page=3>;rel="next"`, 'X-Ratelimit-Used-CurrentRequest': '3' })
      .get('/api/v2/tickets')
      .query({ per_page: '2', include: 'stats', page: '3' })
      .reply(200, { tickets: [{ id: 5 }] }, { 'X-Ratelimit-Used-CurrentRequest': '3' });
    const ids: number[] = [];
    for await (const page of client.paginate<{ id: number }>('/tickets', { params: { per_page: 2, include: 'stats' }, key: 'tickets' })) {
      ids.push(...page.map((ticket) => ticket.id));
    }
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    expect(client.stats()).toEqual({ calls: 3, credits: 9 });
    client.resetStats();
    expect(client.stats()).toEqual({ calls: 0, credits: 0 });
  });

  it('charges 3 credits by rule for a list with include=stats when the header is missing', async () => {
    const { client, scope } = account();
    scope.get('/api/v2/tickets').query(true).reply(200, { tickets: [] });
    scope.get('/api/v2/tickets/7/time_entries').reply(200, { time_entries: [] });
    await client.get('/tickets', { params: { include: 'stats' } });
    await client.get('/tickets/7/time_entries');
    expect(client.stats()).toEqual({ calls: 2, credits: 4 });
  });

  it('turns a 401 into "Freshservice rejected the API key" without leaking the key', async () => {
    const { client, scope } = account();
    scope.get('/api/v2/tickets').reply(401, { code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' });
    const error = await failure(client.get('/tickets'));
    expect(error).toBeInstanceOf(FreshserviceAuthError);
    expect(error.message.startsWith('Freshservice rejected the API key')).toBe(true);
    expect((error as FreshserviceAuthError).status).toBe(401);
    expectNoKey(error);
  });

  it('says which resource a 403 refused and which ticket a 404 could not find', async () => {
    const { client, scope } = account();
    scope.get('/api/v2/tickets/42/time_entries').reply(403, { code: 'access_denied', message: 'You are not authorized to perform this action.' });
    scope.get('/api/v2/tickets/99').reply(404, { description: 'Record not found' }, { 'Content-Type': 'application/json' });
    const denied = await failure(client.get('/tickets/42/time_entries'));
    expect(denied).toBeInstanceOf(FreshservicePermissionError);
    expect(denied.message).toContain('time entries of ticket 42');
    const missing = await failure(client.get('/tickets/99'));
    expect(missing).toBeInstanceOf(FreshserviceNotFoundError);
    expect(missing.message).toContain('ticket 99');
    expectNoKey(denied);
    expectNoKey(missing);
  });

  it('says the domain looks wrong when a 404 comes back as a web page', async () => {
    const { client, scope } = account();
    scope.get('/api/v2/tickets').reply(404, '<html><body>No such account</body></html>', { 'Content-Type': 'text/html' });
    const error = await failure(client.get('/tickets'));
    expect(error).toBeInstanceOf(FreshserviceNotFoundError);
    expect(error.message).toMatch(/domain looks wrong/);
  });

  it('reports validation errors with the field messages', async () => {
    const { client, scope } = account();
    scope.get('/api/v2/tickets').query(true).reply(400, {
      description: 'Validation failed',
      errors: [{ field: 'per_page', message: 'Has to be less than or equal to 100', code: 'invalid_value' }],
    });
    const error = await failure(client.get('/tickets', { params: { per_page: 500 } }));
    expect(error).toBeInstanceOf(FreshserviceValidationError);
    expect(error.message).toContain('per_page: Has to be less than or equal to 100');
    expect(scope.isDone()).toBe(true);
  });

  it('pauses every request for Retry-After after a 429, then retries', async () => {
    let onRateLimited = () => {};
    const logger = { warn: () => onRateLimited(), info: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;
    const { client, scope } = account(logger);
    const arrivals: Array<{ path: string; at: number }> = [];
    scope
      .get('/api/v2/tickets/1')
      .reply(429, function () {
        arrivals.push({ path: this.req.path, at: Date.now() });
        return { message: 'You have exceeded the limit of requests per minute' };
      }, { 'Retry-After': '1' })
      .get('/api/v2/tickets/1')
      .reply(200, function () {
        arrivals.push({ path: this.req.path, at: Date.now() });
        return { ticket: { id: 1 } };
      })
      .get('/api/v2/tickets/2')
      .reply(200, function () {
        arrivals.push({ path: this.req.path, at: Date.now() });
        return { ticket: { id: 2 } };
      });
    // The second request is made while the first one's 429 pause is running.
    const second = new Promise((resolve) => {
      onRateLimited = () => resolve(client.get('/tickets/2'));
    });
    await Promise.all([client.get('/tickets/1'), second]);
    const limited = arrivals[0]!;
    expect(limited.path).toBe('/api/v2/tickets/1');
    // Retry-After 1 s at the configured scale of 0.2 is a 200 ms pause for everyone, not only the limited request.
    for (const later of arrivals.slice(1)) expect(later.at - limited.at).toBeGreaterThanOrEqual(190);
    expect(scope.isDone()).toBe(true);
  });

  it('retries a GET after 5xx answers and succeeds', async () => {
    const { client, scope } = account();
    scope.get('/api/v2/departments').reply(502, 'Bad gateway').get('/api/v2/departments').reply(503, '').get('/api/v2/departments').reply(200, { departments: [] });
    const response = await client.get<{ departments: unknown[] }>('/departments');
    expect(response.data.departments).toEqual([]);
    expect(scope.isDone()).toBe(true);
    expect(client.stats().calls).toBe(3);
  });

  it('gives up after the retry budget with an "unavailable" error', async () => {
    const { client, scope } = account();
    scope.get('/api/v2/departments').times(6).reply(500, { description: 'Internal error' });
    const error = await failure(client.get('/departments'));
    expect(error).toBeInstanceOf(FreshserviceUnavailableError);
    expect((error as FreshserviceUnavailableError).status).toBe(500);
    expect(scope.isDone()).toBe(true);
  });

  it('never retries a POST', async () => {
    const { client, scope } = account();
    scope.post('/api/v2/tickets').reply(500, { description: 'Internal error' });
    const error = await failure(client.post('/tickets', { subject: 'x' }));
    expect(error).toBeInstanceOf(FreshserviceUnavailableError);
    expect(client.stats().calls).toBe(1);
    expect(scope.isDone()).toBe(true);
  });

  it('times out a request that never answers and retries it', async () => {
    const { client, scope } = account();
    scope.get('/api/v2/departments').delay(2_000).reply(200, { departments: [{ id: 1 }] });
    scope.get('/api/v2/departments').reply(200, { departments: [{ id: 2 }] });
    const response = await client.get<{ departments: Array<{ id: number }> }>('/departments');
    expect(response.data.departments[0]!.id).toBe(2);
  });

  it('retries a truncated JSON body', async () => {
    const { client, scope } = account();
    scope.get('/api/v2/tickets/5').reply(200, '{"ticket": {"id": 5, "subj', { 'Content-Type': 'application/json' });
    scope.get('/api/v2/tickets/5').reply(200, { ticket: { id: 5, subject: 'Printer' } });
    const response = await client.get<{ ticket: { subject: string } }>('/tickets/5');
    expect(response.data.ticket.subject).toBe('Printer');
  });

  it('says the host cannot be reached when its name does not resolve', async () => {
    const { client, scope } = account();
    scope.get('/api/v2/tickets').replyWithError(Object.assign(new Error(`getaddrinfo ENOTFOUND ${API_KEY}`), { code: 'ENOTFOUND' }));
    const error = await failure(client.get('/tickets'));
    expect(error).toBeInstanceOf(FreshserviceUnavailableError);
    expect(error.message).toMatch(/could not reach acme\d+\.freshservice\.com: the name does not resolve/);
    expect(client.stats().calls).toBe(1);
    expectNoKey(error);
  });
});

describe('rate limiter', () => {
  it('never starts more credits than its share of the limit within one window', async () => {
    // On the fake clock a start is recorded at the moment the limiter grants it, whatever the machine's load.
    vi.useFakeTimers();
    const limiter = new RateLimiter({ creditsPerWindow: 10, minuteMs: 150, targetShare: 1, maxConcurrent: 8 });
    const starts: Array<{ at: number; cost: number }> = [];
    try {
      const all = Promise.all(
        Array.from({ length: 12 }, async (_, index) => {
          const cost = index % 3 === 0 ? 3 : 1;
          const slot = await limiter.acquire(cost);
          starts.push({ at: Date.now(), cost });
          slot.release();
        }),
      );
      await vi.runAllTimersAsync();
      await all;
    } finally {
      vi.useRealTimers();
    }
    for (const start of starts) {
      const inWindow = starts.filter((other) => other.at >= start.at && other.at < start.at + 150).reduce((sum, other) => sum + other.cost, 0);
      expect(inWindow).toBeLessThanOrEqual(10);
    }
    expect(starts.reduce((sum, start) => sum + start.cost, 0)).toBe(20);
  });

  it('adopts the account limit from X-Ratelimit-Total', () => {
    const limiter = new RateLimiter({ creditsPerWindow: 200, targetShare: 0.5 });
    expect(limiter.budget).toBe(100);
    limiter.observe(400);
    expect(limiter.budget).toBe(200);
  });

  it('takes the sub-limits of the plan the account limit belongs to, and a lower sub-limit an endpoint reports', () => {
    const limiter = new RateLimiter({ targetShare: 1 });
    expect(limiter.budgetFor('list-tickets')).toBe(70);
    limiter.observe(400);
    expect([limiter.budgetFor('list-tickets'), limiter.budgetFor('view-ticket'), limiter.budgetFor('list-requesters')]).toEqual([120, 140, 120]);
    // The account's limit seen on a sub-limited endpoint is still the account's; a sub-limit is not.
    limiter.observe(500, 'list-tickets');
    expect([limiter.budget, limiter.budgetFor('list-tickets')]).toEqual([500, 140]);
    limiter.observe(90, 'list-tickets');
    expect([limiter.budget, limiter.budgetFor('list-tickets')]).toEqual([500, 90]);
    expect(new RateLimiter({ creditsPerWindow: 50, targetShare: 1 }).budgetFor('list-tickets')).toBe(20);
  });

  it('counts per hour when the account limit is above every plan\'s limit a minute, or a 429 asks to wait longer than a minute', () => {
    const byHeader = new RateLimiter({ minuteMs: 100 });
    expect(byHeader.window).toBe('minute');
    byHeader.observe(3000);
    expect(byHeader.window).toBe('hour');
    // Sub-limits on an hourly account: the smallest plan's, per minute.
    expect(byHeader.budgetFor('list-tickets')).toBe(38);

    const byWait = new RateLimiter({ minuteMs: 100 });
    byWait.rateLimited(50);
    expect(byWait.window).toBe('minute');
    byWait.rateLimited(150);
    expect(byWait.window).toBe('hour');

    const told = new RateLimiter({ minuteMs: 100, window: 'minute' });
    told.observe(3000);
    expect(told.window).toBe('minute');
  });

  it('lets a request past one that waits only for its own sub-limit', async () => {
    const limiter = new RateLimiter({ creditsPerWindow: 100, minuteMs: 200, targetShare: 1, maxConcurrent: 8 });
    limiter.observe(20, 'list-tickets');
    const order: string[] = [];
    const take = async (name: string, cost: number, priority: number, endpoint?: 'list-tickets') => {
      const slot = await limiter.acquire(cost, priority, endpoint);
      order.push(name);
      slot.release();
    };
    await Promise.all([take('list 1', 15, 1, 'list-tickets'), take('list 2', 15, 1, 'list-tickets'), take('time entries', 1, 0)]);
    expect(order).toEqual(['list 1', 'time entries', 'list 2']);
  });
});
