import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import type { FreshserviceTicket } from '../src/freshservice/types.js';
import { startFreshserviceSandbox, type FreshserviceSandbox, resetSandbox, startSandbox, seedWorld } from '../src/sandbox/index.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const ANCHOR = '2026-11-25T12:00:00Z';
const DAY = 86_400_000;

function authHeader(key: string): string {
  return `Basic ${Buffer.from(`${key}:X`).toString('base64')}`;
}

async function call(sandbox: FreshserviceSandbox, pathAndQuery: string, init: { key?: string; accept?: string; signal?: AbortSignal } = {}) {
  const response = await fetch(`${sandbox.baseUrl}${pathAndQuery}`, {
    headers: { Authorization: authHeader(init.key ?? sandbox.apiKey), Accept: init.accept ?? 'application/json' },
    signal: init.signal,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

function visible(sandbox: FreshserviceSandbox): FreshserviceTicket[] {
  return sandbox.world.tickets.filter((t) => !t.spam && !t.deleted);
}

describe('Freshservice sandbox', () => {
  let sandbox: FreshserviceSandbox;
  const clock = fixedClock(ANCHOR);

  beforeAll(async () => {
    sandbox = await startFreshserviceSandbox({ world: seedWorld({ anchor: new Date(ANCHOR) }), clock });
  });
  afterAll(async () => {
    await sandbox.close();
  });
  beforeEach(() => {
    sandbox.resetRequests();
  });

  it('refuses a wrong or missing key with 401 and a non-JSON Accept with 406', async () => {
    const wrong = await call(sandbox, '/tickets', { key: 'not-the-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toEqual({ code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' });
    const missing = await fetch(`${sandbox.baseUrl}/tickets`);
    expect(missing.status).toBe(401);
    expect((await call(sandbox, '/tickets', { accept: 'text/html' })).status).toBe(406);
    expect(sandbox.requests.map((r) => r.status)).toEqual([401, 401, 406]);
  });

  it('lists only the past 30 days without updated_since, page by page until Link disappears', async () => {
    const seen: FreshserviceTicket[] = [];
    let next: string | null = '/tickets?per_page=100';
    let pages = 0;
    while (next) {
      const page = await call(sandbox, next);
      expect(page.status).toBe(200);
      seen.push(...page.json().tickets);
      pages += 1;
      const link = page.headers.get('link');
      next = link ? /<[^>]*\/api\/v2([^>]*)>;\s*rel="next"/.exec(link)![1]! : null;
    }
    const cutoff = Date.parse(ANCHOR) - 30 * DAY;
    // Without workspace_id: the primary workspace's tickets only.
    const expected = visible(sandbox).filter((t) => Date.parse(t.created_at) >= cutoff && t.workspace_id === 2);
    expect(seen.map((t) => t.id).sort()).toEqual(expected.map((t) => t.id).sort());
    expect(pages).toBe(Math.ceil(expected.length / 100));
    expect(seen.every((t) => t.stats === undefined)).toBe(true);
    const created = seen.map((t) => t.created_at);
    expect([...created].sort().reverse()).toEqual(created);
  });

  it('returns older tickets with updated_since, oldest first with order_type=asc', async () => {
    const since = '2026-05-01T00:00:00Z';
    const page = await call(sandbox, `/tickets?updated_since=${since}&order_type=asc&per_page=5`);
    const tickets: FreshserviceTicket[] = page.json().tickets;
    const oldest = visible(sandbox).filter((t) => t.updated_at >= since).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id)[0]!;
    expect(oldest.created_at < '2026-05').toBe(true);
    expect(tickets[0]!.id).toBe(oldest.id);
    expect(tickets.every((t) => t.updated_at >= since)).toBe(true);
    expect(page.headers.get('link')).toContain('page=2');
  });

  it('refuses per_page over 100 or not a number with a validation error', async () => {
    for (const perPage of ['101', 'abc', '0']) {
      const response = await call(sandbox, `/tickets?per_page=${perPage}`);
      expect(response.status).toBe(400);
      expect(response.json()).toMatchObject({ description: 'Validation failed', errors: [{ field: 'per_page', code: 'invalid_value' }] });
    }
  });

  it('charges 3 credits for include=stats on a list and 2 on a single ticket, and says so in headers', async () => {
    const list = await call(sandbox, '/tickets?include=stats&per_page=3');
    expect(list.headers.get('x-ratelimit-used-currentrequest')).toBe('3');
    // The ticket list has its own sub-limit (Growth: 70 a minute): Total is the account's, Remaining the sub-limit's.
    expect(list.headers.get('x-ratelimit-total')).toBe('200');
    expect(Number(list.headers.get('x-ratelimit-remaining'))).toBeLessThanOrEqual(67);
    expect(list.headers.get('x-freshservice-api-version')).toBe('latest=v2; requested=v2');
    expect(list.json().tickets[0].stats).toHaveProperty('first_responded_at');
    const id = list.json().tickets[0].id;
    const single = await call(sandbox, `/tickets/${id}?include=stats`);
    expect(single.headers.get('x-ratelimit-used-currentrequest')).toBe('2');
    expect(single.json().ticket.stats).toHaveProperty('resolved_at');
    const plain = await call(sandbox, `/tickets/${id}`);
    expect(plain.json().ticket).not.toHaveProperty('stats');
    expect(Number(plain.headers.get('x-ratelimit-remaining'))).toBeLessThanOrEqual(78);
    const fields = await call(sandbox, '/ticket_form_fields');
    expect(fields.headers.get('x-ratelimit-total')).toBe('200');
    expect(Number(fields.headers.get('x-ratelimit-remaining'))).toBeLessThanOrEqual(193);
    expect(sandbox.requests.map((r) => r.credits)).toEqual([3, 2, 1, 1]);
    expect(sandbox.creditsUsed()).toBe(7);
  });

  it('filters tickets with the query language, 30 per page with a total', async () => {
    const acme = sandbox.world.departments.find((d) => d.name === 'Acme Corporation')!;
    const query = `"department_id:${acme.id} AND (priority:3 OR priority:4) AND created_at:>'2026-08-01' AND created_at:<'2026-10-31'"`;
    const first = await call(sandbox, `/tickets/filter?query=${encodeURIComponent(query)}&workspace_id=0`);
    expect(first.status).toBe(200);
    const expected = visible(sandbox).filter(
      (t) => t.department_id === acme.id && t.priority >= 3 && t.created_at >= '2026-08-01' && t.created_at < '2026-11-01',
    );
    expect(first.json().total).toBe(expected.length);
    expect(first.json().tickets).toHaveLength(30);
    const second = await call(sandbox, `/tickets/filter?query=${encodeURIComponent(query)}&workspace_id=0&page=2`);
    const ids = [...first.json().tickets, ...second.json().tickets].map((t: FreshserviceTicket) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(expected.map((t) => t.id)).toEqual(expect.arrayContaining(ids));
  });

  it('refuses malformed filter queries with 400', async () => {
    for (const query of ["priority:3", '"priority:>"', '"subject:\'x\'"', '"(priority:3"', '"created_at:>\'yesterday\'"']) {
      const response = await call(sandbox, `/tickets/filter?query=${encodeURIComponent(query)}`);
      expect(response.status).toBe(400);
      expect(response.json().errors[0].field).toBe('query');
    }
  });

  it('serves time entries, CSAT (404 when there is none) and conversations', async () => {
    const withSurvey = Number(Object.keys(sandbox.world.csat)[0]);
    const csat = await call(sandbox, `/tickets/${withSurvey}/csat_response`);
    expect(csat.json().csat_response).toEqual(sandbox.world.csat[withSurvey]);
    const withoutSurvey = sandbox.world.tickets.find((t) => t.status === 5 && !sandbox.world.csat[t.id] && !t.deleted)!;
    expect((await call(sandbox, `/tickets/${withoutSurvey.id}/csat_response`)).status).toBe(404);
    expect((await call(sandbox, '/tickets/999999999')).status).toBe(404);

    const withEntries = Number(Object.keys(sandbox.world.timeEntries)[0]);
    const entries = await call(sandbox, `/tickets/${withEntries}/time_entries`);
    expect(entries.json().time_entries).toEqual(sandbox.world.timeEntries[withEntries]);

    const conversations = await call(sandbox, `/tickets/${withSurvey}/conversations`);
    const list = conversations.json().conversations as Array<{ source: number; incoming: boolean }>;
    expect(list).toContainEqual(expect.objectContaining({ source: 5, incoming: true }));
  });

  it('serves departments, requesters, agents and the form fields', async () => {
    const departments = await call(sandbox, '/departments?per_page=100');
    expect(departments.json().departments).toHaveLength(25);
    const requesters = await call(sandbox, '/requesters');
    expect(requesters.json().requesters).toHaveLength(30);
    expect(requesters.headers.get('link')).toContain('page=2');
    const agents = await call(sandbox, '/agents');
    expect(agents.json().agents.length).toBeGreaterThan(0);
    const fields = await call(sandbox, '/ticket_form_fields');
    const status = fields.json().ticket_fields.find((f: { name: string }) => f.name === 'status');
    expect(status.choices.map((c: { id: number }) => c.id)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('names the agent who raised a proactive ticket as its requester, and the client\'s person for any other', async () => {
    const proactive = visible(sandbox).find((t) => t.custom_fields.proactive_case === true)!;
    const agent = sandbox.world.agents.find((a) => a.id === proactive.requester_id)!;
    const shown = (await call(sandbox, `/tickets/${proactive.id}?include=requester`)).json().ticket;
    expect(shown.requester).toEqual({ id: agent.id, name: `${agent.first_name} ${agent.last_name}`, email: agent.email, mobile: null, phone: null });
    const raised = visible(sandbox).find((t) => t.custom_fields.proactive_case === false && t.requester_id !== null)!;
    const requester = sandbox.world.requesters.find((r) => r.id === raised.requester_id)!;
    expect((await call(sandbox, `/tickets/${raised.id}?include=requester`)).json().ticket.requester.email).toBe(requester.primary_email);
  });

  it('hides deleted and spam tickets unless asked for them', async () => {
    const deleted = sandbox.world.tickets.find((t) => t.deleted)!;
    expect((await call(sandbox, `/tickets/${deleted.id}`)).status).toBe(404);
    const listed = await call(sandbox, '/tickets?filter=deleted');
    expect(listed.json().tickets.map((t: FreshserviceTicket) => t.id)).toContain(deleted.id);
  });

  it('shows a touched ticket to an incremental pull', async () => {
    const old = sandbox.world.tickets.find((t) => t.created_at.startsWith('2026-06') && t.status === 5)!;
    clock.advance(60_000);
    sandbox.touchTicket(old.id, { priority: 4 });
    const since = new Date(Date.parse(ANCHOR) + 30_000).toISOString();
    const response = await call(sandbox, `/tickets?updated_since=${since}`);
    expect(response.json().tickets.map((t: FreshserviceTicket) => [t.id, t.priority])).toEqual([[old.id, 4]]);
  });
});

describe('Freshservice sandbox limits and faults', () => {
  const world = seedWorld({ anchor: new Date(ANCHOR), profile: { departments: 5, audienceMembers: 20, seatScale: 0.3 } });
  const started: FreshserviceSandbox[] = [];
  const start = async (controls: Parameters<typeof startFreshserviceSandbox>[0]['controls']) => {
    const sandbox = await startFreshserviceSandbox({ world, controls, clock: fixedClock(ANCHOR) });
    started.push(sandbox);
    return sandbox;
  };
  afterAll(async () => {
    await Promise.all(started.map((s) => s.close()));
  });

  it('answers 429 with Retry-After once the window is spent, and serves again after it', async () => {
    // A one-minute window scaled by 20 lasts 3 real seconds, long enough for a loaded machine.
    const sandbox = await start({ rateLimitPerWindow: 4, timeScale: 20 });
    expect((await call(sandbox, '/tickets?include=stats')).status).toBe(200);
    expect((await call(sandbox, '/departments')).status).toBe(200);
    const limited = await call(sandbox, '/tickets?include=stats');
    expect(limited.status).toBe(429);
    const waitMs = Number(limited.headers.get('x-sandbox-retry-after-ms'));
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(3000);
    expect(limited.headers.get('retry-after')).toBe(String(Math.ceil(waitMs / 1000)));
    expect(limited.json()).toMatchObject({ code: 'rate_limit_exceeded' });
    expect((await call(sandbox, '/departments')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, waitMs + 20));
    expect((await call(sandbox, '/tickets?include=stats')).status).toBe(200);
  });

  it('answers a burst of 429s when asked to', async () => {
    const sandbox = await start({ faults: { rateLimitBurst: 2, serverErrorRate: 0, timeoutRate: 0, malformedRate: 0 } });
    const statuses = [];
    for (let n = 0; n < 3; n += 1) statuses.push((await call(sandbox, '/agents')).status);
    expect(statuses).toEqual([429, 429, 200]);
  });

  it('injects server errors by a seeded dice, the same way for the same seed', async () => {
    const faults = { serverErrorRate: 0.4, rateLimitBurst: 0, timeoutRate: 0, malformedRate: 0 };
    const run = async (faultSeed: number) => {
      const sandbox = await start({ faults: { ...faults }, faultSeed });
      const statuses: number[] = [];
      for (let n = 0; n < 20; n += 1) statuses.push((await call(sandbox, '/agents')).status);
      return statuses;
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(first).toContain(200);
    expect(first.some((s) => s >= 500)).toBe(true);
    expect(await run(43)).not.toEqual(first);
  });

  it('returns truncated JSON and holds requests that never answer until close', async () => {
    const sandbox = await start({ faults: { malformedRate: 1, serverErrorRate: 0, rateLimitBurst: 0, timeoutRate: 0 } });
    const malformed = await call(sandbox, '/agents');
    expect(malformed.status).toBe(200);
    expect(() => malformed.json()).toThrow();

    sandbox.controls.faults.malformedRate = 0;
    sandbox.controls.faults.timeoutRate = 1;
    await expect(call(sandbox, '/agents', { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(sandbox.requests.at(-1)!.status).toBe(0);
    const pending = fetch(`${sandbox.baseUrl}/agents`, { headers: { Authorization: authHeader(sandbox.apiKey) } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sandbox.close();
    await expect(pending).rejects.toThrow();
  });
});

describe('startSandbox persistence', () => {
  it('seeds once, reloads the same world on the next start, and reseeds after reset', async () => {
    const dataDir = await makeTempDir('integoreport-sandbox-');
    const profile = { departments: 4, audienceMembers: 15, seatScale: 0.2 };
    try {
      const first = await startSandbox({ dataDir, clock: fixedClock(ANCHOR), profile });
      const firstWorld = JSON.stringify(first.freshservice.world);
      expect(first.mailchimp.audienceId).toBe(first.freshservice.world.audience.listId);
      await first.close();
      const stored = JSON.parse(await fs.readFile(path.join(dataDir, 'sandbox', 'world.json'), 'utf8'));
      expect(stored.anchor).toBe('2026-11-25T12:00:00.000Z');

      const second = await startSandbox({ dataDir, clock: fixedClock('2027-03-01T00:00:00Z'), profile });
      expect(JSON.stringify(second.freshservice.world)).toBe(firstWorld);
      await second.close();

      await resetSandbox(dataDir);
      const third = await startSandbox({ dataDir, clock: fixedClock('2027-03-01T00:00:00Z'), profile });
      expect(third.freshservice.world.anchor).toBe('2027-03-01T00:00:00.000Z');
      await third.close();
    } finally {
      await removeTempDir(dataDir);
    }
  });
});
