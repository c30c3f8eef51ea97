import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { createFreshservice, type Freshservice } from '../src/freshservice/index.js';
import type { TicketEnrichment } from '../src/freshservice/mirror.js';
import type { FreshserviceCsatResponse, FreshserviceTicket } from '../src/freshservice/types.js';
import { surveyRecheckDue } from '../src/freshservice/selection.js';
import { startFreshserviceSandbox, seedWorld, type FreshserviceSandbox } from '../src/sandbox/index.js';
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
  const file = JSON.parse(await fs.readFile(path.join(dataDir, 'mirror', 'enrichment.json'), 'utf8')) as { enrichment: Record<string, TicketEnrichment> };
  return file.enrichment;
}

function ticketsAsked(suffix: 'time_entries' | 'csat_response'): number[] {
  return sandbox.requests
    .filter((request) => request.path.endsWith(`/${suffix}`))
    .map((request) => Number(/\/tickets\/(\d+)\//.exec(request.path)![1]))
    .sort((a, b) => a - b);
}

/** Departments with the most open tickets first. */
function busiest(): number[] {
  const open = (id: number) => world.tickets.filter((ticket) => ticket.department_id === id && [2, 3].includes(ticket.status)).length;
  return world.departments.map((department) => department.id).sort((a, b) => open(b) - open(a));
}

/** An open ticket of a department, not the ones used already. */
function openTicket(departmentId: number, taken: number[]): FreshserviceTicket {
  return world.tickets.find((ticket) => ticket.department_id === departmentId && [2, 3].includes(ticket.status) && !ticket.spam && !ticket.deleted && !taken.includes(ticket.id))!;
}

/** Resolves a ticket now (its listing shows the change); nobody has answered its survey yet. */
function resolveNow(ticket: FreshserviceTicket): void {
  delete world.csat[ticket.id];
  sandbox.touchTicket(ticket.id, { status: 4, stats: { ...ticket.stats!, resolved_at: isoNow(), closed_at: null } });
}

/** A survey answered now: the ticket itself does not change (the safe reading), only its CSAT response. */
function answerSurvey(ticket: FreshserviceTicket): FreshserviceCsatResponse {
  const answer: FreshserviceCsatResponse = { id: 9_000_000 + ticket.id, overall_rating: 304, overall_rating_text: '4/4', score: { acquired_score: 4, total_score: 4 }, created_at: isoNow(), updated_at: isoNow() };
  world.csat[ticket.id] = answer;
  return answer;
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
  it('fetches time entries and survey answers for the tickets that changed that day, for the clients asked for only', async () => {
    const [first, second] = busiest();
    const resolved = openTicket(first!, []);
    const worked = openTicket(first!, [resolved.id]);
    const otherClient = openTicket(second!, []);
    clock.advance(DAY);
    resolveNow(resolved);
    const answer = answerSurvey(resolved);
    const entry = { ...(world.timeEntries[resolved.id]?.[0] ?? Object.values(world.timeEntries)[0]![0]!), id: 8_000_000, created_at: isoNow(), updated_at: isoNow(), executed_at: isoNow() };
    world.timeEntries[worked.id] = [...(world.timeEntries[worked.id] ?? []), entry];
    sandbox.touchTicket(worked.id, {});
    sandbox.touchTicket(otherClient.id, {});
    sandbox.resetRequests();

    const result = await freshservice.puller.syncMirror({ enrichClients: [first!] });

    const stored = await enrichment();
    expect(stored[resolved.id]).toMatchObject({ fetchedFor: isoNow(), csat: answer, csatCheckedAt: clock.now().toISOString() });
    expect(stored[resolved.id]!.timeEntries.map((item) => item.id)).toEqual((world.timeEntries[resolved.id] ?? []).map((item) => item.id));
    expect(stored[worked.id]).toMatchObject({ fetchedFor: isoNow() });
    expect(stored[worked.id]!.timeEntries.map((item) => item.id)).toContain(entry.id);
    expect(stored[worked.id]!.csat).toBeUndefined();
    // Another client's change is mirrored, but its per-ticket calls wait until a report asks for them.
    expect(stored[otherClient.id]?.fetchedFor).not.toBe(isoNow());
    expect(ticketsAsked('time_entries')).toEqual([resolved.id, worked.id].sort((a, b) => a - b));
    expect(result).toMatchObject({ changed: 3, enriched: 2 });
  });

  it('asks again for an unanswered survey while the ticket was resolved less than 14 days ago, then stops', async () => {
    const department = busiest()[2]!;
    const earlier = openTicket(department, []);
    const recent = openTicket(department, [earlier.id]);
    clock.advance(DAY);
    resolveNow(earlier);
    await freshservice.puller.syncMirror({ enrichClients: everyClient });
    clock.advance(10 * DAY);
    resolveNow(recent);
    await freshservice.puller.syncMirror({ enrichClients: everyClient });
    expect((await enrichment())[recent.id]).toMatchObject({ csat: null });

    // Ten days later both are answered; the answers do not show in the ticket listing.
    clock.advance(10 * DAY);
    const recentAnswer = answerSurvey(recent);
    answerSurvey(earlier);
    sandbox.resetRequests();
    const result = await freshservice.puller.syncMirror({ enrichClients: everyClient });

    const asked = ticketsAsked('csat_response');
    expect(asked).toContain(recent.id);
    expect(asked).not.toContain(earlier.id);
    expect(result.surveysRechecked).toBe(asked.length);
    const stored = await enrichment();
    expect(stored[recent.id]).toMatchObject({ csat: recentAnswer, csatCheckedAt: clock.now().toISOString() });
    expect(stored[earlier.id]).toMatchObject({ csat: null });

    // The answer is in: never asked for again.
    clock.advance(4 * DAY);
    sandbox.resetRequests();
    await freshservice.puller.syncMirror({ enrichClients: everyClient });
    expect(ticketsAsked('csat_response')).not.toContain(recent.id);
  });
});

describe('when an unanswered survey is asked for again', () => {
  const resolvedAt = '2026-11-02T15:00:00Z';
  const resolved = world.tickets.find((candidate) => candidate.status === 4)!;
  const ticket = { ...resolved, updated_at: resolvedAt, stats: { ...resolved.stats!, resolved_at: resolvedAt } };
  const asked = (checkedAt: string, csat: FreshserviceCsatResponse | null = null) => ({ fetchedFor: resolvedAt, timeEntries: [], csat, csatCheckedAt: checkedAt });
  const at = (days: number) => new Date(Date.parse(resolvedAt) + days * DAY);

  it('once each of 1, 3, 7 and 14 days after resolution has passed since it was last asked', () => {
    expect(surveyRecheckDue(ticket, asked('2026-11-02T20:00:00Z'), at(0.9))).toBe(false);
    expect(surveyRecheckDue(ticket, asked('2026-11-02T20:00:00Z'), at(1.5))).toBe(true);
    expect(surveyRecheckDue(ticket, asked(at(1.5).toISOString()), at(2.5))).toBe(false);
    expect(surveyRecheckDue(ticket, asked(at(1.5).toISOString()), at(3.5))).toBe(true);
    expect(surveyRecheckDue(ticket, asked(at(8).toISOString()), at(13.9))).toBe(false);
    expect(surveyRecheckDue(ticket, asked(at(8).toISOString()), at(14.5))).toBe(true);
  });

  it('never after 15 days, never once answered, and not for a version that was not enriched yet', () => {
    expect(surveyRecheckDue(ticket, asked(at(8).toISOString()), at(15.1))).toBe(false);
    expect(surveyRecheckDue(ticket, asked('2026-11-02T20:00:00Z', { id: 1, overall_rating: 304, overall_rating_text: '4/4', created_at: '2026-11-03T09:00:00Z', updated_at: '2026-11-03T09:00:00Z' }), at(3.5))).toBe(false);
    expect(surveyRecheckDue(ticket, { ...asked('2026-11-02T20:00:00Z'), fetchedFor: '2026-11-01T10:00:00Z' }, at(3.5))).toBe(false);
    expect(surveyRecheckDue({ ...ticket, status: 2 }, asked('2026-11-02T20:00:00Z'), at(3.5))).toBe(false);
  });
});
