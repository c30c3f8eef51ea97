import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { createFreshservice, type Freshservice } from '../src/freshservice/index.js';
import type { TicketEnrichment } from '../src/freshservice/mirror.js';
import type { FreshserviceCsatResponse, FreshserviceTicket } from '../src/freshservice/types.js';
import { enrichmentDue } from '../src/freshservice/selection.js';
import { parsePeriod } from '../src/period/period.js';
import { startFreshserviceSandbox, seedWorld, type FreshserviceSandbox } from '../src/sandbox/index.js';
import { readMirror } from './support/mirror-files.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const DAY = 24 * 60 * 60 * 1000;
const ANCHOR = new Date('2026-11-20T02:00:00Z');
/** A Growth-plan account whose minute lasts 60 ms. */
const TIME_SCALE = 1000;
const clock = fixedClock(ANCHOR.toISOString());
const world = seedWorld({ anchor: ANCHOR, profile: { seatScale: 0.2, months: 2 } });
let sandbox: FreshserviceSandbox;
let dataDir: string;
let freshservice: Freshservice;
const everyClient = world.departments.map((department) => department.id);

function isoNow(): string {
  return clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function enrichment(): Promise<Record<string, TicketEnrichment>> {
  return (await readMirror(dataDir)).enrichment;
}

function ticketsAsked(suffix: 'time_entries' | 'csat_response'): number[] {
  return sandbox.requests
    .filter((request) => request.path.endsWith(`/${suffix}`))
    .map((request) => Number(/\/tickets\/(\d+)\//.exec(request.path)![1]))
    .sort((a, b) => a - b);
}

/** Departments with the most open tickets first, as seeded: each test changes tickets of its own. */
const busiest = (() => {
  const open = (id: number) => world.tickets.filter((ticket) => ticket.department_id === id && [2, 3].includes(ticket.status)).length;
  return world.departments.map((department) => department.id).sort((a, b) => open(b) - open(a));
})();

/** An open ticket of a department, not the ones used already. */
function openTicket(departmentId: number, taken: number[]): FreshserviceTicket {
  return world.tickets.find((ticket) => ticket.department_id === departmentId && [2, 3].includes(ticket.status) && !ticket.spam && !ticket.deleted && !taken.includes(ticket.id))!;
}

/** Resolves a ticket now (its listing shows the change); nobody has answered its survey yet. */
function resolveNow(ticket: FreshserviceTicket): void {
  delete world.csat[ticket.id];
  sandbox.touchTicket(ticket.id, { status: 4, stats: { ...ticket.stats!, resolved_at: isoNow(), closed_at: null } });
}

/** A survey answered now: its CSAT response, and the feedback conversation that updates the ticket. */
function answerSurvey(ticket: FreshserviceTicket): FreshserviceCsatResponse {
  const answer: FreshserviceCsatResponse = { id: 9_000_000 + ticket.id, overall_rating: 304, overall_rating_text: '4/4', score: { acquired_score: 4, total_score: 4 }, created_at: isoNow(), updated_at: isoNow() };
  sandbox.answerSurvey(ticket.id, answer);
  return answer;
}

let nextEntryId = 8_000_000;
/** Time logged on a ticket now, which updates the ticket. */
function logTime(ticket: FreshserviceTicket): number {
  const template = Object.values(world.timeEntries)[0]![0]!;
  const entry = { ...template, id: nextEntryId++, timer_running: false, created_at: isoNow(), updated_at: isoNow(), executed_at: isoNow() };
  world.timeEntries[ticket.id] = [...(world.timeEntries[ticket.id] ?? []), entry];
  sandbox.touchTicket(ticket.id, {});
  return entry.id;
}

beforeAll(async () => {
  sandbox = await startFreshserviceSandbox({ world, clock, controls: { timeScale: TIME_SCALE } });
  dataDir = await makeTempDir('integoreport-enrichment-');
  freshservice = createFreshservice({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, dataDir, clock, rateLimit: { minuteMs: 60_000 / TIME_SCALE } });
  await freshservice.puller.syncMirror({ since: new Date(ANCHOR.getTime() - 60 * DAY), enrichClients: everyClient });
});

afterAll(async () => {
  await sandbox.close();
  await removeTempDir(dataDir);
});

describe('the nightly sync keeps the mirror enriched', () => {
  it('fetches time entries and survey answers for the tickets that finished that day, for the clients asked for only; an open ticket waits for a report', async () => {
    const [first, second] = busiest;
    const resolved = openTicket(first!, []);
    const worked = openTicket(first!, [resolved.id]);
    const otherClient = openTicket(second!, []);
    clock.advance(DAY);
    resolveNow(resolved);
    const answer = answerSurvey(resolved);
    const entry = logTime(worked);
    sandbox.touchTicket(otherClient.id, { status: 4, stats: { ...otherClient.stats!, resolved_at: isoNow(), closed_at: null } });
    sandbox.resetRequests();

    const result = await freshservice.puller.syncMirror({ enrichClients: [first!] });

    const stored = await enrichment();
    expect(stored[resolved.id]).toMatchObject({ fetchedFor: isoNow(), csat: answer });
    expect(stored[resolved.id]!.timeEntries.map((item) => item.id)).toEqual((world.timeEntries[resolved.id] ?? []).map((item) => item.id));
    expect(stored[worked.id]?.fetchedFor).not.toBe(isoNow());
    // Another client's change is mirrored, but its per-ticket calls wait until a report asks for them.
    expect(stored[otherClient.id]?.fetchedFor).not.toBe(isoNow());
    expect(ticketsAsked('time_entries')).toEqual([resolved.id]);
    expect(ticketsAsked('csat_response')).toEqual([resolved.id]);
    expect(result).toMatchObject({ changed: 3, enriched: 1 });

    // A report on the open ticket's month fetches its time entries, and only open tickets' ones.
    sandbox.resetRequests();
    const period = parsePeriod('this-month', { timezone: 'UTC', now: clock.now() });
    const { dataset } = await freshservice.puller.pull(first!, period, { fromMirror: true });
    expect(ticketsAsked('time_entries')).toContain(worked.id);
    expect(ticketsAsked('csat_response')).toEqual([]);
    const open = new Set(world.tickets.filter((ticket) => ![4, 5].includes(ticket.status)).map((ticket) => ticket.id));
    expect(ticketsAsked('time_entries').filter((id) => !open.has(id))).toEqual([]);
    expect(dataset.tickets.find((ticket) => ticket.id === worked.id)!.time_entries.map((item) => item.id)).toContain(entry);
  });

  it('asks again for an unanswered survey when the ticket changes within 14 days of resolution, never blindly, never once answered', async () => {
    const department = busiest[2]!;
    const earlier = openTicket(department, []);
    const recent = openTicket(department, [earlier.id]);
    clock.advance(DAY);
    resolveNow(earlier);
    await freshservice.puller.syncMirror({ enrichClients: everyClient });
    clock.advance(10 * DAY);
    resolveNow(recent);
    await freshservice.puller.syncMirror({ enrichClients: everyClient });
    expect((await enrichment())[recent.id]).toMatchObject({ csat: null });

    // Nothing changed: no survey is asked for again.
    clock.advance(DAY);
    sandbox.resetRequests();
    await freshservice.puller.syncMirror({ enrichClients: everyClient });
    expect(ticketsAsked('csat_response')).toEqual([]);

    // Both are answered, 6 and 16 days after resolution; each answer updates its ticket.
    clock.advance(5 * DAY);
    const recentAnswer = answerSurvey(recent);
    answerSurvey(earlier);
    sandbox.resetRequests();
    const result = await freshservice.puller.syncMirror({ enrichClients: everyClient });

    expect(ticketsAsked('csat_response')).toEqual([recent.id]);
    expect(ticketsAsked('time_entries')).toEqual([earlier.id, recent.id].sort((a, b) => a - b));
    expect(result.surveysAskedAgain).toBe(1);
    const stored = await enrichment();
    expect(stored[recent.id]).toMatchObject({ fetchedFor: isoNow(), csat: recentAnswer });
    expect(stored[earlier.id]).toMatchObject({ fetchedFor: isoNow(), csat: null });

    // The answer is in: closing the ticket fetches its time entries again, never its survey.
    clock.advance(2 * DAY);
    sandbox.touchTicket(recent.id, { status: 5, stats: { ...recent.stats!, closed_at: isoNow() } });
    sandbox.resetRequests();
    await freshservice.puller.syncMirror({ enrichClients: everyClient });
    expect(ticketsAsked('time_entries')).toEqual([recent.id]);
    expect(ticketsAsked('csat_response')).toEqual([]);
  });

  it('brings time logged while a ticket was open and a survey answered days after resolution into a report, as a pull from scratch does', async () => {
    const department = busiest[3]!;
    const ticket = openTicket(department, []);
    clock.advance(DAY);
    const entry = logTime(ticket);
    await freshservice.puller.syncMirror({ enrichClients: everyClient });
    clock.advance(DAY);
    resolveNow(ticket);
    await freshservice.puller.syncMirror({ enrichClients: everyClient });
    clock.advance(3 * DAY);
    const answer = answerSurvey(ticket);
    await freshservice.puller.syncMirror({ enrichClients: everyClient });

    sandbox.resetRequests();
    const period = parsePeriod('this-month', { timezone: 'UTC', now: clock.now() });
    const { dataset } = await freshservice.puller.pull(department, period, { fromMirror: true });
    expect(ticketsAsked('time_entries')).not.toContain(ticket.id);
    expect(ticketsAsked('csat_response')).not.toContain(ticket.id);
    const reported = dataset.tickets.find((candidate) => candidate.id === ticket.id)!;
    expect(reported.time_entries.map((item) => item.id)).toContain(entry);
    expect(reported.csat_response).toEqual(answer);

    const freshDir = await makeTempDir('integoreport-enrichment-fresh-');
    try {
      const fresh = createFreshservice({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, dataDir: freshDir, clock, rateLimit: { minuteMs: 60_000 / TIME_SCALE } });
      const scratch = await fresh.puller.pull(department, period);
      expect(dataset.tickets).toEqual(scratch.dataset.tickets);
    } finally {
      await removeTempDir(freshDir);
    }
  });
});

describe('what a ticket version needs fetched', () => {
  const resolvedAt = '2026-11-02T15:00:00Z';
  const resolved = world.tickets.find((candidate) => candidate.status === 4)!;
  const ticket = (days: number): FreshserviceTicket => {
    const updated = new Date(Date.parse(resolvedAt) + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { ...resolved, updated_at: updated, stats: { ...resolved.stats!, resolved_at: resolvedAt } };
  };
  const enriched = (csat: FreshserviceCsatResponse | null | undefined, fetchedFor = '2026-11-01T10:00:00Z'): TicketEnrichment => ({ fetchedFor, timeEntries: [], ...(csat === undefined ? {} : { csat }) });
  const answer: FreshserviceCsatResponse = { id: 1, overall_rating: 304, overall_rating_text: '4/4', created_at: '2026-11-03T09:00:00Z', updated_at: '2026-11-03T09:00:00Z' };

  it('an open ticket: its time entries once it changed, never a survey', () => {
    const open = { ...ticket(0), status: 2, stats: { ...resolved.stats!, resolved_at: null, closed_at: null } };
    expect(enrichmentDue(open, enriched(undefined))).toEqual({ timeEntries: true, survey: false });
    expect(enrichmentDue(open, enriched(undefined, open.updated_at))).toEqual({ timeEntries: false, survey: false });
    expect(enrichmentDue(open, undefined)).toEqual({ timeEntries: true, survey: false });
  });

  it('a finished ticket: time entries for every new version; the survey first, then again on a change within 14 days while unanswered', () => {
    expect(enrichmentDue(ticket(0), undefined)).toEqual({ timeEntries: true, survey: true });
    expect(enrichmentDue(ticket(0), enriched(undefined))).toEqual({ timeEntries: true, survey: true });
    expect(enrichmentDue(ticket(3), enriched(null))).toEqual({ timeEntries: true, survey: true });
    expect(enrichmentDue(ticket(13.9), enriched(null))).toEqual({ timeEntries: true, survey: true });
    expect(enrichmentDue(ticket(14.1), enriched(null))).toEqual({ timeEntries: true, survey: false });
    expect(enrichmentDue(ticket(3), enriched(answer))).toEqual({ timeEntries: true, survey: false });
    expect(enrichmentDue(ticket(3), enriched(null, ticket(3).updated_at))).toEqual({ timeEntries: false, survey: false });
    expect(enrichmentDue(ticket(40), enriched(undefined, ticket(40).updated_at))).toEqual({ timeEntries: false, survey: true });
  });
});
