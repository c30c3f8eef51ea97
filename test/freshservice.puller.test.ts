import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { FreshserviceUnavailableError } from '../src/freshservice/errors.js';
import { createFreshservice, formatPullSummary, type Freshservice } from '../src/freshservice/index.js';
import type { FreshserviceDataset as Dataset } from '../src/freshservice/dataset.js';
import { parsePeriod, type Period } from '../src/period/period.js';
import { startFreshserviceSandbox, type FreshserviceSandbox, seedWorld, type SandboxWorld } from '../src/sandbox/index.js';
import { mirrorFileContents, readMirror } from './support/mirror-files.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const ANCHOR = new Date('2026-11-20T12:00:00Z');
const TIMEZONE = 'Europe/Amsterdam';
/** A Growth-plan account whose minute lasts 60 ms: its limits are real, but never slow a test down. */
const TIME_SCALE = 1000;
const clock = fixedClock(ANCHOR.toISOString());
const world: SandboxWorld = seedWorld({ anchor: ANCHOR });
const acme = world.departments.find((department) => department.name === 'Acme Corporation')!;
const lastMonth: Period = parsePeriod('2026-10', { timezone: TIMEZONE, now: ANCHOR });
const dataDirs: string[] = [];
let sandbox: FreshserviceSandbox;

async function freshDataDir(): Promise<string> {
  const dir = await makeTempDir('integoreport-puller-');
  dataDirs.push(dir);
  return dir;
}

function connect(dataDir: string, retryAttempts?: number): Freshservice {
  return createFreshservice({
    baseUrl: sandbox.baseUrl,
    apiKey: sandbox.apiKey,
    dataDir,
    clock,
    timeoutMs: 400,
    retry: { baseDelayMs: 5, maxDelayMs: 40, attempts: retryAttempts },
    rateLimit: { maxConcurrent: 16, minuteMs: 60_000 / TIME_SCALE },
  });
}

/** The definition, written out: created in the period, resolved in it, or still open at its end. */
function expectedIds(world: SandboxWorld, period: Period): number[] {
  const from = period.from.getTime();
  const to = period.to.getTime();
  return world.tickets
    .filter((ticket) => ticket.department_id === acme.id && !ticket.spam && !ticket.deleted)
    .filter((ticket) => {
      const created = Date.parse(ticket.created_at);
      const finished = ticket.status === 4 || ticket.status === 5 ? Date.parse(ticket.stats!.resolved_at ?? ticket.stats!.closed_at!) : null;
      const createdIn = created >= from && created < to;
      const resolvedIn = finished !== null && finished >= from && finished < to;
      const openAtEnd = created < to && (finished === null || finished >= to);
      return createdIn || resolvedIn || openAtEnd;
    })
    .map((ticket) => ticket.id)
    .sort((a, b) => a - b);
}

function perTicketRequests(): string[] {
  return sandbox.requests.filter((request) => /^\/api\/v2\/tickets\/\d+/.test(request.path)).map((request) => request.path);
}

beforeAll(async () => {
  sandbox = await startFreshserviceSandbox({ world, clock, controls: { timeScale: TIME_SCALE } });
});

afterAll(async () => {
  await sandbox.close();
  await Promise.all(dataDirs.map((dir) => removeTempDir(dir)));
});

describe('pulling a client-month from Freshservice', () => {
  let dataDir: string;
  let freshservice: Freshservice;
  let cold: Awaited<ReturnType<Freshservice['puller']['pull']>>;

  beforeAll(async () => {
    dataDir = await freshDataDir();
    freshservice = connect(dataDir);
    sandbox.resetRequests();
    cold = await freshservice.puller.pull({ id: acme.id, name: acme.name }, lastMonth);
  });

  it('holds exactly the tickets that matter, with their stats, time entries and CSAT', async () => {
    const ids = cold.dataset.tickets.map((ticket) => ticket.id);
    expect(ids).toEqual(expectedIds(world, lastMonth));
    expect(cold.ticketCount).toBe(ids.length);
    // Tickets opened months ago and untouched since are still open at the end of October: they must be there.
    expect(cold.dataset.tickets.some((ticket) => ticket.updated_at < '2026-09-30T22:00:00Z')).toBe(true);
    for (const ticket of cold.dataset.tickets) {
      const source = world.tickets.find((candidate) => candidate.id === ticket.id)!;
      expect(ticket.stats).toEqual(source.stats);
      expect(ticket.time_entries.map((entry) => entry.id)).toEqual((world.timeEntries[ticket.id] ?? []).map((entry) => entry.id));
      expect(ticket.csat_response).toEqual(world.csat[ticket.id] ?? null);
    }
    expect(cold.dataset.tickets.some((ticket) => ticket.csat_response !== null)).toBe(true);
    expect(cold.dataset.period).toEqual({ from: '2026-10-01T00:00:00+02:00', to: '2026-11-01T00:00:00+01:00' });
    expect(cold.dataset.statusLabels['6']).toBe('Waiting on Customer');
  });

  it('writes the dataset to DATA_DIR/datasets/<client>/<period>.json and says so', async () => {
    expect(cold.file).toBe(path.join(dataDir, 'datasets', String(acme.id), '2026-10.json'));
    const stored = JSON.parse(await fs.readFile(cold.file!, 'utf8')) as Dataset;
    expect(stored).toEqual(cold.dataset);
    const summary = formatPullSummary(cold).join('\n');
    expect(summary).toContain(cold.file);
    expect(summary).toContain(`${cold.ticketCount} tickets`);
    expect(summary).toContain(`${cold.credits} credits`);
    expect(summary).toContain(`covers tickets updated since ${lastMonth.from.toISOString()}`);
  });

  it('asks for time entries and CSAT only for this client\'s tickets, and CSAT only once resolved', () => {
    const wanted = new Set(cold.dataset.tickets.map((ticket) => ticket.id));
    const finished = new Set(cold.dataset.tickets.filter((ticket) => ticket.status === 4 || ticket.status === 5).map((ticket) => ticket.id));
    const requests = perTicketRequests();
    expect(requests.some((request) => request.endsWith('/csat_response'))).toBe(true);
    for (const request of requests) {
      const id = Number(/\/tickets\/(\d+)/.exec(request)![1]);
      expect(wanted.has(id)).toBe(true);
      if (request.endsWith('/csat_response')) expect(finished.has(id)).toBe(true);
    }
  });

  it('re-pulls the same month with nothing changed in at most 3 calls and the same tickets', async () => {
    sandbox.resetRequests();
    const warm = await freshservice.puller.pull(acme.id, lastMonth);
    expect(sandbox.requests.length).toBeLessThanOrEqual(3);
    expect(warm.calls).toBe(sandbox.requests.length);
    expect(warm.dataset.tickets).toEqual(cold.dataset.tickets);
    expect(warm.dataset.client).toEqual({ id: acme.id, name: acme.name });
  });

  it('picks up a changed ticket incrementally and re-reads only that ticket\'s time entries and CSAT', async () => {
    const target = cold.dataset.tickets.find((ticket) => ticket.status !== 4 && ticket.status !== 5)!;
    clock.advance(60 * 60 * 1000);
    const resolvedAt = clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const source = world.tickets.find((ticket) => ticket.id === target.id)!;
    sandbox.touchTicket(target.id, { status: 4, stats: { ...source.stats!, resolved_at: resolvedAt } });
    sandbox.resetRequests();

    const again = await freshservice.puller.pull(acme.id, lastMonth);
    expect(new Set(perTicketRequests())).toEqual(new Set([`/api/v2/tickets/${target.id}/time_entries`, `/api/v2/tickets/${target.id}/csat_response`]));
    const changed = again.dataset.tickets.find((ticket) => ticket.id === target.id)!;
    expect(changed.status).toBe(4);
    expect(changed.stats?.resolved_at).toBe(resolvedAt);
    const listing = sandbox.requests.find((request) => request.path === '/api/v2/tickets')!;
    expect(Date.parse(listing.query.updated_since!)).toBeGreaterThan(lastMonth.to.getTime());
  });

  it('back-fills an older month that the mirror did not cover yet', async () => {
    const july = parsePeriod('2026-07', { timezone: TIMEZONE, now: ANCHOR });
    sandbox.resetRequests();
    const result = await freshservice.puller.pull(acme.id, july);
    expect(result.dataset.tickets.map((ticket) => ticket.id)).toEqual(expectedIds(world, july));
    const listing = sandbox.requests.find((request) => request.path === '/api/v2/tickets')!;
    expect(Date.parse(listing.query.updated_since!)).toBe(july.from.getTime());
    const mirror = await readMirror(dataDir);
    expect(mirror.scopes.all!.coveredSince).toBe(july.from.toISOString());
  });

  it('cuts the datasets of periods inside the pulled one from the same reading, each as its own pull gives it, and writes none of them when asked not to', async () => {
    const july = parsePeriod('2026-07', { timezone: TIMEZONE, now: ANCHOR });
    const quarter = parsePeriod('2026-07..2026-10', { timezone: TIMEZONE, now: ANCHOR });
    const other = await freshDataDir();
    const separate = connect(other);
    const whole = await separate.puller.pull(acme.id, quarter, { within: [july, lastMonth], writeDataset: false });
    expect(whole.file).toBeNull();
    expect(await fs.readdir(path.join(other, 'datasets')).catch(() => [])).toEqual([]);
    for (const slice of [july, lastMonth]) {
      const own = await separate.puller.pull(acme.id, slice, { fromMirror: true });
      expect({ ...whole.within[slice.key], pulledAt: own.dataset.pulledAt }).toEqual(own.dataset);
      expect(whole.within[slice.key]!.tickets.map((ticket) => ticket.id)).toEqual(expectedIds(world, slice));
    }
    await expect(separate.puller.pull(acme.id, lastMonth, { within: [july] })).rejects.toThrow('not inside');
  });

  it('leaves the previous mirror and dataset untouched when a pull fails halfway', async () => {
    const mirrorBefore = await mirrorFileContents(dataDir);
    const datasetBefore = await fs.readFile(cold.file!, 'utf8');
    const target = cold.dataset.tickets.find((ticket) => ticket.status === 2)!;
    clock.advance(60 * 60 * 1000);
    sandbox.touchTicket(target.id, { priority: 4 });

    const failing = connect(dataDir, 2);
    let failed: unknown;
    try {
      await failing.puller.pull(acme.id, lastMonth, {
        refresh: true,
        onProgress: (progress) => {
          // The listing came back; now Freshservice breaks down for every per-ticket call.
          if (progress.phase === 'enrich' && !failed) sandbox.controls.faults.serverErrorRate = 1;
        },
      });
    } catch (error) {
      failed = error;
    }
    sandbox.controls.faults.serverErrorRate = 0;
    expect(failed).toBeInstanceOf(FreshserviceUnavailableError);
    expect(await mirrorFileContents(dataDir)).toEqual(mirrorBefore);
    expect(await fs.readFile(cold.file!, 'utf8')).toBe(datasetBefore);
    const leftovers = (await fs.readdir(path.join(dataDir, 'mirror'))).filter((name) => name.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('drops a ticket deleted in Freshservice at the next daily check', async () => {
    const doomed = cold.dataset.tickets[0]!;
    clock.advance(25 * 60 * 60 * 1000);
    sandbox.touchTicket(doomed.id, { deleted: true });
    const result = await freshservice.puller.pull(acme.id, lastMonth);
    expect(result.dataset.tickets.map((ticket) => ticket.id)).not.toContain(doomed.id);
    expect(result.dataset.tickets.map((ticket) => ticket.id)).toEqual(expectedIds(world, lastMonth));
  });
});

describe('pulling a year of trends within a credit budget', () => {
  it('reads the last two months completely and older months newest first within the budget, and goes on where it stopped', async () => {
    const freshservice = connect(await freshDataDir());
    const year = parsePeriod('2025-11..2026-10', { timezone: TIMEZONE, now: ANCHOR });
    const recent = parsePeriod('2026-09..2026-10', { timezone: TIMEZONE, now: ANCHOR });
    const budget = { fullFrom: recent.from, credits: 60 };
    const recentIds = new Set(expectedIds(world, recent));
    const olderOnly = (path: string) => !recentIds.has(Number(/\/tickets\/(\d+)/.exec(path)![1]));
    const lastMoment = (id: number) => {
      const ticket = world.tickets.find((candidate) => candidate.id === id)!;
      return ticket.status === 4 || ticket.status === 5 ? ticket.stats!.resolved_at ?? ticket.stats!.closed_at! : ticket.created_at;
    };

    sandbox.resetRequests();
    const first = await freshservice.puller.pull({ id: acme.id, name: acme.name }, year, { enrichBudget: budget });
    expect(first.dataset.tickets.map((ticket) => ticket.id)).toEqual(expectedIds(world, year));
    const unenriched = first.dataset.unenriched!;
    expect(unenriched.length).toBeGreaterThan(0);
    expect(unenriched.filter((id) => recentIds.has(id))).toEqual([]);
    expect(perTicketRequests().filter(olderOnly).length).toBeLessThanOrEqual(budget.credits);
    expect(perTicketRequests().filter(olderOnly).length).toBeGreaterThan(budget.credits / 2);
    // Newest first: every older ticket that was read finished (or was raised) after every one left for later.
    const read = first.dataset.tickets.map((ticket) => ticket.id).filter((id) => !recentIds.has(id) && !unenriched.includes(id));
    expect(read.map(lastMoment).sort()[0]! >= unenriched.map(lastMoment).sort().at(-1)!).toBe(true);

    sandbox.resetRequests();
    const second = await freshservice.puller.pull({ id: acme.id, name: acme.name }, year, { enrichBudget: budget });
    expect(second.dataset.unenriched!.length).toBeLessThan(unenriched.length);
    expect(perTicketRequests().every((path) => unenriched.includes(Number(/\/tickets\/(\d+)/.exec(path)![1])))).toBe(true);

    const complete = await freshservice.puller.pull({ id: acme.id, name: acme.name }, year, { enrichBudget: { ...budget, credits: 100_000 } });
    expect(complete.dataset.unenriched).toBeUndefined();
    // The mirror holds tickets raised before the year (updated or still open since): the account has older data.
    expect(Date.parse(complete.oldestTicketAt!)).toBeLessThan(year.from.getTime());
  });
});

describe('pulling through faults', () => {
  it('produces the same dataset under 5xx, timeouts, truncated JSON and a 429 burst as without them', async () => {
    const july = parsePeriod('2026-09', { timezone: TIMEZONE, now: ANCHOR });
    const clean = await connect(await freshDataDir()).puller.pull(acme.id, july);

    Object.assign(sandbox.controls.faults, { serverErrorRate: 0.1, timeoutRate: 0.02, malformedRate: 0.03, rateLimitBurst: 2 });
    sandbox.resetRequests();
    let faulty;
    try {
      faulty = await connect(await freshDataDir()).puller.pull(acme.id, july);
    } finally {
      Object.assign(sandbox.controls.faults, { serverErrorRate: 0, timeoutRate: 0, malformedRate: 0, rateLimitBurst: 0 });
    }
    expect(sandbox.requests.some((request) => request.status === 429)).toBe(true);
    expect(sandbox.requests.some((request) => request.status >= 500)).toBe(true);
    expect(faulty.dataset.tickets).toEqual(clean.dataset.tickets);
    expect({ ...faulty.dataset, pulledAt: '' }).toEqual({ ...clean.dataset, pulledAt: '' });
  });
});

describe('directory lists', () => {
  it('lists departments, requesters and agents once and then serves them from the cache', async () => {
    const freshservice = connect(await freshDataDir());
    sandbox.resetRequests();
    const departments = await freshservice.directory.listDepartments();
    const requesters = await freshservice.directory.listRequesters();
    const agents = await freshservice.directory.listAgents();
    const callsAfterFirst = sandbox.requests.length;
    expect(departments.map((department) => department.id).sort()).toEqual(world.departments.map((department) => department.id).sort());
    expect(requesters).toHaveLength(world.requesters.length);
    expect(agents).toHaveLength(world.agents.length);
    expect(sandbox.requests.some((request) => request.path === '/api/v2/requesters' && request.query.page === '2')).toBe(world.requesters.length > 100);

    await freshservice.directory.listDepartments();
    await freshservice.directory.listRequesters();
    await freshservice.directory.listAgents();
    expect(sandbox.requests.length).toBe(callsAfterFirst);
  });
});
