import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { createFreshservice } from '../src/freshservice/index.js';
import { freshserviceDirectorySource } from '../src/clients/sync.js';
import type { AccountSettings } from '../src/freshservice/account.js';
import type { RateLimitOptions } from '../src/freshservice/rate-limiter.js';
import type { FreshserviceRequester, FreshserviceTicket, FreshserviceWorkspace } from '../src/freshservice/types.js';
import { parsePeriod } from '../src/period/period.js';
import { startFreshserviceSandbox, seedWorld, type FreshserviceSandbox, type SandboxControls, type SandboxWorld } from '../src/sandbox/index.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

/**
 * The simulated Freshservice held to the published API (src/freshservice/README.md names the sources),
 * and our client held to the simulated Freshservice where the two meet.
 */

const ANCHOR = '2026-11-20T12:00:00Z';
const clock = fixedClock(ANCHOR);
const DAY = 86_400_000;
/** A Growth-plan account whose minute lasts 60 ms: its limits are real, but never slow a test down. */
const TIME_SCALE = 1000;
const dataDirs: string[] = [];

async function freshDataDir(): Promise<string> {
  const dir = await makeTempDir('integoreport-contract-');
  dataDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(dataDirs.map((dir) => removeTempDir(dir)));
});

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * `count` tickets of `departmentId` opened between May and July and untouched since, still open or pending:
 * only the open-ticket sweep through /tickets/filter finds them for a later month.
 */
function addStaleOpenTickets(world: SandboxWorld, departmentId: number, count: number): FreshserviceTicket[] {
  const template = world.tickets.find((ticket) => ticket.department_id === departmentId && ticket.stats)!;
  const firstId = Math.max(...world.tickets.map((ticket) => ticket.id)) + 1;
  const start = Date.parse('2026-05-04T09:00:00Z');
  const added = Array.from({ length: count }, (_, index): FreshserviceTicket => {
    const created = iso(start + Math.floor((index * 80 * DAY) / count));
    return {
      ...structuredClone(template),
      id: firstId + index,
      subject: `Stale request ${index + 1}`,
      status: index % 3 === 0 ? 3 : 2,
      created_at: created,
      updated_at: created,
      stats: { ...template.stats!, ticket_id: firstId + index, created_at: created, updated_at: created, resolved_at: null, closed_at: null, first_responded_at: null },
    };
  });
  world.tickets.push(...added);
  return added;
}

function authHeader(key: string): string {
  return `Basic ${Buffer.from(`${key}:X`).toString('base64')}`;
}

async function call(sandbox: FreshserviceSandbox, pathAndQuery: string, key = sandbox.apiKey) {
  const response = await fetch(`${sandbox.baseUrl}${pathAndQuery}`, { headers: { Authorization: authHeader(key), Accept: 'application/json' } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: () => JSON.parse(text) };
}

/** The stats of a ticket as a live Freshservice account returned them (ticket-pulse's captured response). */
const LIVE_STATS_FIELDS = [
  'created_at', 'updated_at', 'ticket_id', 'opened_at', 'group_escalated', 'inbound_count', 'status_updated_at', 'outbound_count',
  'pending_since', 'resolved_at', 'closed_at', 'first_assigned_at', 'assigned_at', 'agent_responded_at', 'requester_responded_at',
  'first_responded_at', 'first_resp_time_in_secs', 'resolution_time_in_secs',
];

describe('Freshservice contract', () => {
  let sandbox: FreshserviceSandbox;

  beforeAll(async () => {
    sandbox = await startFreshserviceSandbox({ world: seedWorld({ anchor: new Date(ANCHOR) }), clock, controls: { timeScale: TIME_SCALE } });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  describe('ticket stats (finding 2)', () => {
    it('carry only fields a live account returns: no reopened_at', async () => {
      const response = await call(sandbox, '/tickets?updated_since=2026-05-01T00:00:00Z&include=stats&per_page=100');
      const tickets: FreshserviceTicket[] = response.json().tickets;
      expect(tickets.length).toBe(100);
      for (const ticket of tickets) {
        expect(Object.keys(ticket.stats ?? {}).filter((field) => !LIVE_STATS_FIELDS.includes(field))).toEqual([]);
      }
    });

    it('show a reopened ticket as open with the resolution it had before', () => {
      const reopened = sandbox.world.tickets.filter((ticket) => ticket.status === 2 && ticket.stats?.resolved_at);
      expect(reopened.length).toBeGreaterThan(0);
      for (const ticket of reopened) expect(ticket.updated_at > ticket.stats!.resolved_at!).toBe(true);
    });
  });

  describe('ticket filter paging (finding 1)', () => {
    const query = (text: string) => `/tickets/filter?query=${encodeURIComponent(`"${text}"`)}`;

    it('pages by page= with a total, 30 a page, and sends no Link header', async () => {
      const high = sandbox.world.tickets.filter((ticket) => !ticket.spam && !ticket.deleted && ticket.priority === 3);
      expect(high.length).toBeGreaterThan(60);
      const first = await call(sandbox, `${query('priority:3')}&workspace_id=0`);
      expect(first.status).toBe(200);
      expect(first.json().total).toBe(high.length);
      expect(first.json().tickets).toHaveLength(30);
      expect(first.headers.get('link')).toBeNull();
      const second = await call(sandbox, `${query('priority:3')}&workspace_id=0&page=2`);
      expect(second.headers.get('link')).toBeNull();
      expect(second.json().tickets.map((ticket: FreshserviceTicket) => ticket.id)).not.toContain(first.json().tickets[0].id);
    });

    it('refuses pages beyond 10, per_page and include, and a query over 512 characters with its quotes', async () => {
      for (const extra of ['&page=11', '&per_page=100', '&include=stats']) {
        const refused = await call(sandbox, `${query('status:2')}${extra}`);
        expect(refused.status, extra).toBe(400);
        expect(refused.json().description).toBe('Validation failed');
      }
      expect((await call(sandbox, `${query('status:2')}&page=10`)).status).toBe(200);
      // 41 × "status:2 OR " is 492 characters; spaces pad the rest before the last condition.
      const ofLength = (length: number) => `${'status:2 OR '.repeat(41)}${' '.repeat(length - 502)}priority:4`;
      expect((await call(sandbox, query(ofLength(510)))).status).toBe(200);
      expect((await call(sandbox, query(ofLength(511)))).status).toBe(400);
    });
  });

  describe('credits and includes (finding 8)', () => {
    it('charges a request with a wrong API key like any other invalid request', async () => {
      const before = Number((await call(sandbox, '/agents')).headers.get('x-ratelimit-remaining'));
      const refused = await call(sandbox, '/agents', 'not-the-key');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('x-ratelimit-used-currentrequest')).toBe('1');
      const after = Number((await call(sandbox, '/agents')).headers.get('x-ratelimit-remaining'));
      // The wrong key cost one credit, the second listing another.
      expect(before - after).toBe(2);
    });

    it('accepts every documented include of a single ticket, one credit each (conversations two)', async () => {
      const id = sandbox.world.tickets.find((ticket) => !ticket.deleted && !ticket.spam)!.id;
      for (const include of ['stats', 'requester', 'requested_for', 'problem', 'assets', 'changes', 'related_tickets', 'tags', 'onboarding_context', 'offboarding_context']) {
        const response = await call(sandbox, `/tickets/${id}?include=${include}`);
        expect(response.status, include).toBe(200);
        expect(response.headers.get('x-ratelimit-used-currentrequest'), include).toBe('2');
      }
      const both = await call(sandbox, `/tickets/${id}?include=tags,requester`);
      expect(both.headers.get('x-ratelimit-used-currentrequest')).toBe('3');
      expect((await call(sandbox, `/tickets/${id}?include=conversations`)).headers.get('x-ratelimit-used-currentrequest')).toBe('3');
      expect((await call(sandbox, `/tickets/${id}?include=department`)).status).toBe(400);
    });
  });
});

describe('the open-ticket sweep (finding 1)', () => {
  const world = seedWorld({ anchor: new Date(ANCHOR) });
  const acme = world.departments.find((department) => department.name === 'Acme Corporation')!;
  const stale = addStaleOpenTickets(world, acme.id, 420);
  let sandbox: FreshserviceSandbox;

  beforeAll(async () => {
    sandbox = await startFreshserviceSandbox({ world, clock, controls: { timeScale: TIME_SCALE } });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('reads every page of a filter and splits it by date when it would pass the page cap', async () => {
    const october = parsePeriod('2026-10', { timezone: 'UTC', now: new Date(ANCHOR) });
    const freshservice = createFreshservice({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, dataDir: await freshDataDir(), clock, rateLimit: { maxConcurrent: 16, minuteMs: 60_000 / TIME_SCALE } });
    const result = await freshservice.puller.pull({ id: acme.id, name: acme.name }, october);
    const ids = new Set(result.dataset.tickets.map((ticket) => ticket.id));
    expect(stale.filter((ticket) => !ids.has(ticket.id)).map((ticket) => ticket.id)).toEqual([]);
    const filters = sandbox.requests.filter((request) => request.path === '/api/v2/tickets/filter');
    expect(filters.every((request) => request.status === 200 && Number(request.query.page ?? 1) <= 10)).toBe(true);
    expect(filters.length).toBeGreaterThan(15);
  });
});

describe('rate limits (finding 3)', () => {
  const world = seedWorld({ anchor: new Date(ANCHOR) });
  const acme = world.departments.find((department) => department.name === 'Acme Corporation')!;
  const firstDay = new Date(Math.min(...world.tickets.map((ticket) => Date.parse(ticket.created_at))));
  const started: FreshserviceSandbox[] = [];
  const start = async (controls: Partial<SandboxControls>) => {
    const sandbox = await startFreshserviceSandbox({ world: structuredClone(world), clock, controls });
    started.push(sandbox);
    return sandbox;
  };
  afterAll(async () => {
    await Promise.all(started.map((sandbox) => sandbox.close()));
  });

  it('the simulated account refuses a ticket list past its per-minute sub-limit while other calls still go through', async () => {
    // Growth: 200 credits a minute, 70 of them for listing tickets. A minute lasts 3 s here.
    const sandbox = await start({ timeScale: 20 });
    const statuses: number[] = [];
    const page = (n: number) => call(sandbox, `/tickets?updated_since=2026-05-01T00:00:00Z&include=stats&page=${n}`);
    for (let n = 1; n <= 23; n += 1) statuses.push((await page(n)).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    // 69 credits spent: one more filter call (1 credit, counted with the ticket list) fits, then nothing does.
    expect((await call(sandbox, '/tickets/filter?query="status:2"')).status).toBe(200);
    const refused = await page(24);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(3);
    expect((await call(sandbox, '/tickets/filter?query="status:2"')).status).toBe(429);
    expect((await call(sandbox, '/ticket_form_fields')).status).toBe(200);
  });

  /** Cold syncs of the whole history on fresh data folders, one after another, until more than `credits` were spent. */
  async function syncUntilSpent(sandbox: FreshserviceSandbox, credits: number, rateLimit: RateLimitOptions): Promise<void> {
    while (sandbox.creditsUsed() <= credits) {
      const freshservice = createFreshservice({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, dataDir: await freshDataDir(), clock, rateLimit });
      await freshservice.puller.syncMirror({ since: firstDay });
    }
  }

  it('a sync that lists months of tickets keeps under the ticket-list sub-limit, without a 429', async () => {
    // More than two minutes' worth of listing (include=stats costs 3 a page) against 70 a minute; a minute lasts 0.5 s here.
    const sandbox = await start({ timeScale: 120 });
    await syncUntilSpent(sandbox, 150, { minuteMs: 500 });
    expect(sandbox.requests.filter((request) => request.path === '/api/v2/tickets').length).toBeGreaterThan(50);
    expect(sandbox.requests.filter((request) => request.status === 429)).toEqual([]);
  });

  /** The busiest client-months first: cold pulls of them, many per-ticket calls at once, until more than `credits` were spent. */
  async function pullUntilSpent(sandbox: FreshserviceSandbox, credits: number, rateLimit: RateLimitOptions): Promise<void> {
    const counts = new Map<string, number>();
    for (const ticket of world.tickets) {
      const key = `${ticket.department_id}|${ticket.created_at.slice(0, 7)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const busiest = [...counts].sort((a, b) => b[1] - a[1]).map(([key]) => key.split('|'));
    for (const [departmentId, month] of busiest) {
      if (sandbox.creditsUsed() > credits) return;
      const freshservice = createFreshservice({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, dataDir: await freshDataDir(), clock, rateLimit, enrichConcurrency: 32 });
      await freshservice.puller.pull(Number(departmentId), parsePeriod(month!, { timezone: 'UTC', now: new Date(ANCHOR) }));
    }
  }

  it('detects an account that counts per hour from X-Ratelimit-Total and paces over the hour, without a 429', async () => {
    // An account created before September 2020: 600 credits an hour. An hour lasts 0.6 s here, a minute 10 ms.
    const sandbox = await start({ rateLimitPerWindow: 600, windowMs: 3_600_000, timeScale: 6_000 });
    await pullUntilSpent(sandbox, 900, { minuteMs: 10, maxConcurrent: 16 });
    expect(sandbox.requests.filter((request) => request.status === 429)).toEqual([]);
  });

  it('counts per hour when told to, even when the limit could be a per-minute one', async () => {
    const sandbox = await start({ rateLimitPerWindow: 400, windowMs: 3_600_000, timeScale: 6_000 });
    await pullUntilSpent(sandbox, 600, { minuteMs: 10, maxConcurrent: 16, window: 'hour' });
    expect(sandbox.requests.filter((request) => request.status === 429)).toEqual([]);
  });
});

describe('workspaces and MSP mode (finding 4)', () => {
  const started: FreshserviceSandbox[] = [];
  const start = async (mode: 'esm' | 'msp') => {
    const sandbox = await startFreshserviceSandbox({ world: seedWorld({ anchor: new Date(ANCHOR) }), clock, controls: { timeScale: TIME_SCALE }, mode });
    started.push(sandbox);
    return sandbox;
  };
  const connect = async (sandbox: FreshserviceSandbox, account?: AccountSettings) =>
    createFreshservice({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, dataDir: await freshDataDir(), clock, rateLimit: { maxConcurrent: 16, minuteMs: 60_000 / TIME_SCALE }, account });
  const october = parsePeriod('2026-10', { timezone: 'UTC', now: new Date(ANCHOR) });
  const ticketLists = (sandbox: FreshserviceSandbox) => sandbox.requests.filter((request) => request.path === '/api/v2/tickets' || request.path === '/api/v2/tickets/filter');
  let esm: FreshserviceSandbox;
  let msp: FreshserviceSandbox;

  beforeAll(async () => {
    [esm, msp] = await Promise.all([start('esm'), start('msp')]);
  });
  afterAll(async () => {
    await Promise.all(started.map((sandbox) => sandbox.close()));
  });

  describe('the simulated account', () => {
    it('in Employee Support Mode lists the primary workspace\'s tickets unless told a workspace, or 0 for all', async () => {
      const workspaces = (await call(esm, '/workspaces')).json().workspaces as Array<{ id: number; type: string }>;
      expect(workspaces.map((workspace) => [workspace.id, workspace.type])).toEqual([[2, 'workspace'], [3, 'workspace']]);
      const visible = esm.world.tickets.filter((ticket) => !ticket.spam && !ticket.deleted);
      const count = async (query: string) => (await call(esm, `/tickets/filter?query=${encodeURIComponent(`"priority:4"`)}${query}`)).json().total;
      const urgent = (workspace?: number) => visible.filter((ticket) => ticket.priority === 4 && (workspace === undefined || ticket.workspace_id === workspace)).length;
      expect(urgent(3)).toBeGreaterThan(0);
      expect(await count('')).toBe(urgent(2));
      expect(await count('&workspace_id=3')).toBe(urgent(3));
      expect(await count('&workspace_id=0')).toBe(urgent());
      expect((await call(esm, '/tickets?workspace_id=1')).status).toBe(400);
      expect((await call(esm, '/departments?workspace_id=0')).status).toBe(400);
    });

    it('in MSP mode has a client workspace per company, holding its tickets, contacts and company, without head, prime user or domains', async () => {
      const workspaces = (await call(msp, '/workspaces')).json().workspaces as FreshserviceWorkspace[];
      expect(workspaces.every((workspace) => workspace.type === 'client')).toBe(true);
      expect(workspaces.slice(0, 2).map((workspace) => workspace.name)).toEqual(['Default client', 'Intego IT']);
      const acme = workspaces.find((workspace) => workspace.name === 'Acme Corporation')!;
      expect(acme.metadata?.primary_contact).toMatchObject({ first_name: 'Wile', last_name: 'Coyote' });
      const holding = new Set(msp.world.tickets.map((ticket) => ticket.workspace_id));
      expect(holding.size).toBeGreaterThan(2);

      expect((await call(msp, '/departments')).json().departments).toEqual([]);
      const companies = (await call(msp, `/departments?workspace_id=${acme.id}`)).json().departments as Array<Record<string, unknown>>;
      expect(companies.map((company) => company.name)).toEqual(['Acme Corporation']);
      for (const field of ['head_user_id', 'prime_user_id', 'domains']) expect(companies[0]).not.toHaveProperty(field);

      expect((await call(msp, '/requesters')).json().requesters).toEqual([]);
      const contacts = (await call(msp, `/requesters?belongs_to_workspace_ids=${acme.id}&per_page=100`)).json().requesters as FreshserviceRequester[];
      expect(contacts.length).toBeGreaterThan(5);
      expect(contacts.every((contact) => contact.belongs_to_workspace_ids?.[0] === acme.id && contact.primary_email?.endsWith('@acmecorp.com'))).toBe(true);

      expect((await call(msp, '/tickets?workspace_id=0')).status).toBe(400);
      expect((await call(msp, `/tickets/filter?query=${encodeURIComponent('"priority:4"')}`)).json().total).toBe(0);
      const listed = (await call(msp, `/tickets?workspace_id=${acme.id}&updated_since=2026-10-01T00:00:00Z&per_page=100`)).json().tickets as FreshserviceTicket[];
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((ticket) => ticket.workspace_id === acme.id)).toBe(true);
    });
  });

  it('an Employee Support account\'s tickets are read from every workspace, with workspace_id on every ticket list', async () => {
    const acme = esm.world.departments.find((department) => department.name === 'Acme Corporation')!;
    esm.resetRequests();
    const result = await (await connect(esm)).puller.pull({ id: acme.id, name: acme.name }, october);
    expect(new Set(result.dataset.tickets.map((ticket) => ticket.workspace_id))).toEqual(new Set([2, 3]));
    expect(ticketLists(esm).length).toBeGreaterThan(0);
    expect(ticketLists(esm).every((request) => request.query.workspace_id === '0')).toBe(true);
  });

  it('reads one workspace when told to', async () => {
    const acme = esm.world.departments.find((department) => department.name === 'Acme Corporation')!;
    esm.resetRequests();
    const result = await (await connect(esm, { workspace: 3 })).puller.pull({ id: acme.id, name: acme.name }, october);
    expect(result.ticketCount).toBeGreaterThan(0);
    expect(result.dataset.tickets.every((ticket) => ticket.workspace_id === 3)).toBe(true);
    expect(ticketLists(esm).every((request) => request.query.workspace_id === '3')).toBe(true);
  });

  it('an MSP account\'s clients are its client workspaces, linked through their primary contact, email domains and contacts\' domains', async () => {
    msp.resetRequests();
    const freshservice = await connect(msp);
    const clients = await freshserviceDirectorySource(freshservice.directory).clients();
    const byName = Object.fromEntries(clients.map((client) => [client.name, client]));
    expect(clients.map((client) => client.id).sort((a, b) => a - b)).toEqual(msp.layout.workspaces.filter((workspace) => workspace.id > 3).map((workspace) => workspace.id));
    expect(byName['Acme Corporation']).toMatchObject({ prime: { firstName: 'Wile', lastName: 'Coyote' }, domains: ['acmecorp.com'] });
    // Cyberdyne has no email domains on record: its contacts' addresses give it.
    expect(msp.layout.workspaces.find((workspace) => workspace.name === 'Cyberdyne Systems')!.metadata!.email_domains).toEqual([]);
    expect(byName['Cyberdyne Systems']!.domains).toEqual(['cyberdyne.com']);
    expect(byName['Dunder Mifflin']).toMatchObject({ prime: undefined });
    expect(msp.requests.some((request) => request.path === '/api/v2/departments')).toBe(false);
  });

  it('an MSP client\'s tickets are pulled from its own workspace', async () => {
    const acme = msp.layout.workspaces.find((workspace) => workspace.name === 'Acme Corporation')!;
    msp.resetRequests();
    const result = await (await connect(msp)).puller.pull(acme.id, october);
    expect(result.dataset.client).toEqual({ id: acme.id, name: 'Acme Corporation' });
    const department = msp.world.departments.find((candidate) => candidate.name === 'Acme Corporation')!;
    expect(result.ticketCount).toBeGreaterThan(0);
    expect(result.dataset.tickets.every((ticket) => ticket.workspace_id === acme.id && ticket.department_id === department.id)).toBe(true);
    // Whether the Default client holds tickets is asked once (it is left out: it holds none); every listing names its workspace.
    expect(ticketLists(msp).every((request) => request.query.workspace_id !== undefined)).toBe(true);
    expect(msp.requests.filter((request) => request.path === '/api/v2/tickets').every((request) => request.query.workspace_id === String(acme.id))).toBe(true);
  });
});
