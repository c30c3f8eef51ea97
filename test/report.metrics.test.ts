import { describe, expect, it } from 'vitest';
import type { FreshserviceDataset as Dataset, FreshserviceDatasetTicket as DatasetTicket } from '../src/freshservice/dataset.js';
import { formatDuration, parseTimeSpent } from '../src/report/durations.js';
import { computeMetrics, keyFigures } from '../src/report/metrics.js';
import { parsePeriod } from '../src/period/period.js';
import { csatScore } from '../src/report/csat.js';
import type { FreshserviceCsatResponse, FreshserviceTimeEntry } from '../src/freshservice/types.js';

const TZ = 'Europe/Amsterdam';
// October 2026 in Amsterdam: [2026-09-30T22:00Z, 2026-10-31T23:00Z) — the clocks go back on 25 October.
const OCT_FROM = '2026-10-01T00:00:00+02:00';
const OCT_TO = '2026-11-01T00:00:00+01:00';
const AS_OF = new Date('2026-11-03T09:00:00Z');
const HOUR = 3600;
const DAY = 86_400;

let nextId = 1;

function ticket(overrides: Partial<DatasetTicket> & { stats?: DatasetTicket['stats'] } = {}): DatasetTicket {
  return {
    id: nextId++,
    subject: 'Printer offline',
    status: 2,
    priority: 2,
    type: 'Incident',
    category: 'Hardware',
    department_id: 7,
    requester_id: 1,
    responder_id: 2,
    group_id: null,
    created_at: '2026-10-05T08:00:00Z',
    updated_at: '2026-10-05T08:00:00Z',
    due_by: null,
    fr_due_by: null,
    custom_fields: {},
    stats: { resolved_at: null, closed_at: null, first_responded_at: null },
    time_entries: [],
    csat_response: null,
    ...overrides,
  };
}

function at(iso: string, plusSeconds: number): string {
  return new Date(new Date(iso).getTime() + plusSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

function dataset(tickets: DatasetTicket[], overrides: Partial<Dataset> = {}): Dataset {
  return {
    schemaVersion: 1,
    client: { id: 7, name: 'Acme' },
    period: { from: OCT_FROM, to: OCT_TO },
    timezone: TZ,
    pulledAt: '2026-11-03T08:00:00Z',
    statusLabels: { '2': 'Open', '3': 'Pending', '4': 'Resolved', '5': 'Closed', '6': 'Waiting on Customer' },
    tickets,
    ...overrides,
  };
}

function timeEntry(overrides: Partial<FreshserviceTimeEntry>): FreshserviceTimeEntry {
  return {
    id: nextId++,
    created_at: '2026-10-06T10:00:00Z',
    updated_at: '2026-10-06T10:00:00Z',
    start_time: null,
    timer_running: false,
    billable: true,
    time_spent: '01:00',
    executed_at: '2026-10-06T10:00:00Z',
    task_id: null,
    note: null,
    agent_id: 2,
    ...overrides,
  };
}

function csat(overrides: Partial<FreshserviceCsatResponse>): FreshserviceCsatResponse {
  return {
    id: nextId++,
    overall_rating: null,
    overall_rating_text: null,
    created_at: '2026-10-10T12:00:00Z',
    updated_at: '2026-10-10T12:00:00Z',
    ...overrides,
  };
}

const metricsOf = (tickets: DatasetTicket[], options: Partial<Parameters<typeof computeMetrics>[1]> = {}) =>
  computeMetrics(dataset(tickets), { asOf: AS_OF, ...options });

describe('computeMetrics: period and ticket counts', () => {
  it('reports the period as offset instants in the timezone, defaulting to the dataset period', () => {
    expect(metricsOf([]).period).toEqual({ from: OCT_FROM, to: OCT_TO, timezone: TZ });
  });

  it('counts created, resolved, open and proactive tickets created in the period only', () => {
    const tickets = [
      ticket({ status: 2 }),
      ticket({ status: 3, custom_fields: { proactive_case: true } }),
      ticket({ status: 4, stats: { resolved_at: '2026-10-06T08:00:00Z', closed_at: null, first_responded_at: null } }),
      ticket({ status: 5, stats: { resolved_at: null, closed_at: '2026-10-07T08:00:00Z', first_responded_at: null } }),
      ticket({ status: 6, custom_fields: { proactive_case: 'yes' } }), // only boolean true is proactive
      ticket({ status: 4, created_at: '2026-09-20T08:00:00Z' }), // before the period
      ticket({ status: 2, created_at: '2026-11-02T08:00:00Z' }), // after the period
    ];
    expect(metricsOf(tickets).tickets).toMatchObject({ created: 5, resolved: 2, open: 3, proactive: 1 });
  });

  it('never counts deleted or spam tickets anywhere', () => {
    const hours = [timeEntry({ time_spent: '05:00' })];
    const tickets = [
      ticket({ deleted: true, time_entries: hours, csat_response: csat({ score: { acquired_score: 4, total_score: 4 } }) }),
      ticket({ spam: true, status: 4, stats: { resolved_at: '2026-10-06T08:00:00Z', closed_at: null, first_responded_at: '2026-10-05T08:10:00Z' } }),
    ];
    const metrics = metricsOf(tickets);
    expect(metrics.tickets).toEqual({ created: 0, resolved: 0, open: 0, proactive: 0, resolvedInPeriod: 0, openAtEnd: 0 });
    expect(metrics.firstResponse.count).toBe(0);
    expect(metrics.sla.firstResponse).toEqual({ met: 0, missed: 0, pending: 0, percent: null });
    expect(metrics.csat.responses).toBe(0);
    expect(metrics.time).toEqual({ entries: 0, hours: 0, billableHours: 0 });
  });

  it('places tickets by local time at a boundary that falls after a daylight-saving change', () => {
    // October ends at 2026-10-31T23:00Z (+01:00 after 25 Oct), and starts at 2026-09-30T22:00Z (+02:00).
    const tickets = [
      ticket({ created_at: '2026-09-30T21:59:59Z' }), // 23:59:59 on 30 Sep local: out
      ticket({ created_at: '2026-09-30T22:00:00Z' }), // 00:00 on 1 Oct local: in
      ticket({ created_at: '2026-10-31T22:30:00Z' }), // 23:30 on 31 Oct local: in (a fixed +02:00 would drop it)
      ticket({ created_at: '2026-10-31T23:00:00Z' }), // 00:00 on 1 Nov local: out
    ];
    expect(metricsOf(tickets).tickets.created).toBe(2);

    // March 2026 ends at 2026-03-31T22:00Z (+02:00 after 29 Mar); 22:30Z is already 1 April.
    const march = parsePeriod('2026-03', { timezone: TZ, now: AS_OF });
    const marchTickets = [ticket({ created_at: '2026-03-31T21:30:00Z' }), ticket({ created_at: '2026-03-31T22:30:00Z' }), ticket({ created_at: '2026-02-28T23:00:00Z' })];
    expect(computeMetrics(dataset(marchTickets), { period: march, asOf: AS_OF }).tickets.created).toBe(2);
  });

  it('counts tickets resolved in the period whatever their creation date, and tickets open at its end', () => {
    const tickets = [
      // created in September, resolved in October: resolvedInPeriod, not open at end
      ticket({ created_at: '2026-09-10T08:00:00Z', status: 4, stats: { resolved_at: '2026-10-02T08:00:00Z', closed_at: null, first_responded_at: null } }),
      // created in September, still open: open at end
      ticket({ created_at: '2026-09-12T08:00:00Z', status: 2 }),
      // created in October, closed in October with only closed_at: resolvedInPeriod
      ticket({ status: 5, stats: { resolved_at: null, closed_at: '2026-10-20T08:00:00Z', first_responded_at: null } }),
      // created in October, resolved in November (after the period): open at end, not resolvedInPeriod
      ticket({ status: 4, stats: { resolved_at: '2026-11-02T08:00:00Z', closed_at: null, first_responded_at: null } }),
      // resolved in October, reopened and open now (Freshservice keeps the old resolved_at): open at end, not resolved
      ticket({ status: 2, stats: { resolved_at: '2026-10-08T08:00:00Z', closed_at: null, first_responded_at: null } }),
      // pending now after a reopening: open at end too, whatever resolved_at says
      ticket({ status: 3, stats: { resolved_at: '2026-10-08T08:00:00Z', closed_at: null, first_responded_at: null } }),
      // created after the period: not open at its end
      ticket({ created_at: '2026-11-01T08:00:00Z', status: 2 }),
    ];
    const counts = metricsOf(tickets).tickets;
    expect(counts.resolvedInPeriod).toBe(2);
    expect(counts.openAtEnd).toBe(4);
  });
});

describe('computeMetrics: response and resolution times', () => {
  it('measures first response from created_at for tickets with first_responded_at', () => {
    const created = '2026-10-05T08:00:00Z';
    const responded = (seconds: number) => ticket({ created_at: created, stats: { resolved_at: null, closed_at: null, first_responded_at: at(created, seconds) } });
    const tickets = [responded(600), responded(1200), responded(300), responded(3600), ticket({ stats: undefined })];
    // sorted 300, 600, 1200, 3600: mean 1425, median (600+1200)/2 = 900, p90 = ⌈3.6⌉ = 4th = 3600
    expect(metricsOf(tickets).firstResponse).toEqual({ count: 4, meanSeconds: 1425, medianSeconds: 900, p90Seconds: 3600 });
  });

  it('measures resolution for resolved/closed tickets, falling back to closed_at, skipping missing stats', () => {
    const created = '2026-10-05T08:00:00Z';
    const tickets = [
      ticket({ status: 4, stats: { resolved_at: at(created, 2 * HOUR), closed_at: null, first_responded_at: null } }),
      ticket({ status: 5, stats: { resolved_at: null, closed_at: at(created, 4 * HOUR), first_responded_at: null } }),
      ticket({ status: 5, stats: { resolved_at: at(created, 1 * DAY), closed_at: at(created, 3 * DAY), first_responded_at: null } }),
      ticket({ status: 4, stats: undefined }), // no stats: cannot be measured
      ticket({ status: 2, stats: { resolved_at: at(created, HOUR), closed_at: null, first_responded_at: null } }), // not resolved now
    ];
    // 7200, 14400, 86400: mean 36000, median 14400, p90 = ⌈2.7⌉ = 3rd = 86400
    expect(metricsOf(tickets).resolution).toEqual({ count: 3, meanSeconds: 36_000, medianSeconds: 14_400, p90Seconds: 86_400 });
  });

  it('gives nulls when there is nothing to measure', () => {
    expect(metricsOf([]).resolution).toEqual({ count: 0, meanSeconds: null, medianSeconds: null, p90Seconds: null });
  });

  it('uses the nearest rank for p90 with ten values', () => {
    const created = '2026-10-05T08:00:00Z';
    const tickets = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((minutes) =>
      ticket({ stats: { resolved_at: null, closed_at: null, first_responded_at: at(created, minutes * 60) } }),
    );
    // ⌈0.9 × 10⌉ = 9th smallest = 9 min; median (5+6)/2 = 5.5 min
    expect(metricsOf(tickets).firstResponse).toMatchObject({ p90Seconds: 540, medianSeconds: 330, meanSeconds: 330 });
  });
});

describe('computeMetrics: SLA', () => {
  const created = '2026-10-05T08:00:00Z';
  const stats = (first: number | null, resolved: number | null) => ({
    first_responded_at: first === null ? null : at(created, first),
    resolved_at: resolved === null ? null : at(created, resolved),
    closed_at: null,
  });

  it('uses Freshservice due-by times in due-by mode', () => {
    const tickets = [
      // replied after 1 h, due in 2 h: met; resolved after 2 days, due in 1 day: missed
      ticket({ status: 4, fr_due_by: at(created, 2 * HOUR), due_by: at(created, DAY), stats: stats(HOUR, 2 * DAY) }),
      // replied exactly at the deadline: met; resolved at the deadline: met
      ticket({ status: 5, fr_due_by: at(created, HOUR), due_by: at(created, DAY), stats: stats(HOUR, DAY) }),
    ];
    const sla = metricsOf(tickets).sla;
    expect(sla.mode).toBe('due-by');
    expect(sla.firstResponse).toEqual({ met: 2, missed: 0, pending: 0, percent: 100 });
    expect(sla.resolution).toEqual({ met: 1, missed: 1, pending: 0, percent: 50 });
  });

  it('counts an unanswered ticket past its deadline as missed and one before it as pending', () => {
    const tickets = [
      // no reply, first-response due 5 Oct 09:00, asOf 3 Nov: missed; resolution due 10 Nov: pending
      ticket({ fr_due_by: at(created, HOUR), due_by: '2026-11-10T08:00:00Z', stats: stats(null, null) }),
      // created at the very end of October, due dates after asOf: both pending
      ticket({ created_at: '2026-10-31T22:00:00Z', fr_due_by: '2026-11-03T10:00:00Z', due_by: '2026-11-20T10:00:00Z', stats: stats(null, null) }),
    ];
    const sla = metricsOf(tickets).sla;
    expect(sla.firstResponse).toEqual({ met: 0, missed: 1, pending: 1, percent: 0 });
    expect(sla.resolution).toEqual({ met: 0, missed: 0, pending: 2, percent: null });
  });

  it('falls back to the priority targets in due-by mode when a ticket has no due-by times', () => {
    // Urgent: 30 min / 7 days. Replied after 45 min: missed. Resolved after 6 days: met.
    const urgent = ticket({ status: 4, priority: 4, stats: stats(45 * 60, 6 * DAY) });
    // Low: 4 h / 30 days. Replied after 3 h: met. Open, 30 days not yet passed on 3 Nov: pending.
    const low = ticket({ status: 2, priority: 1, stats: stats(3 * HOUR, null) });
    const sla = metricsOf([urgent, low]).sla;
    expect(sla.firstResponse).toEqual({ met: 1, missed: 1, pending: 0, percent: 50 });
    expect(sla.resolution).toEqual({ met: 1, missed: 0, pending: 1, percent: 100 });
  });

  it('ignores due-by times in targets mode', () => {
    // High: 2 h / 14 days. Due-by would say met (fr due in 5 h) but the target says missed (replied after 3 h).
    const high = ticket({ status: 4, priority: 3, fr_due_by: at(created, 5 * HOUR), due_by: at(created, 20 * DAY), stats: stats(3 * HOUR, 15 * DAY) });
    // Medium: 3 h / 21 days. Replied after 2 h 59 min: met; resolved after 21 days exactly: met.
    const medium = ticket({ status: 5, priority: 2, stats: stats(179 * 60, 21 * DAY) });
    const targets = metricsOf([high, medium], { sla: 'targets' }).sla;
    expect(targets.mode).toBe('targets');
    expect(targets.firstResponse).toEqual({ met: 1, missed: 1, pending: 0, percent: 50 });
    expect(targets.resolution).toEqual({ met: 1, missed: 1, pending: 0, percent: 50 });
    expect(metricsOf([high, medium]).sla.firstResponse).toEqual({ met: 2, missed: 0, pending: 0, percent: 100 });
  });

  it('does not count a ticket of unknown priority without due-by times, nor one it cannot judge', () => {
    const tickets = [
      ticket({ priority: 9, stats: stats(HOUR, null) }),
      ticket({ priority: 0, status: 4, stats: stats(HOUR, DAY) }),
      ticket({ status: 4, fr_due_by: at(created, HOUR), due_by: at(created, DAY), stats: undefined }), // missing stats
    ];
    const sla = metricsOf(tickets).sla;
    expect(sla.firstResponse).toEqual({ met: 0, missed: 0, pending: 0, percent: null });
    expect(sla.resolution).toEqual({ met: 0, missed: 0, pending: 0, percent: null });
    // with due-by times an unknown priority is still judged
    const withDueBy = ticket({ priority: 9, fr_due_by: at(created, 2 * HOUR), stats: stats(HOUR, null) });
    expect(metricsOf([withDueBy]).sla.firstResponse.met).toBe(1);
  });

  it('treats the resolution of a ticket closed without a recorded reply as its first reply', () => {
    const quick = ticket({ status: 5, fr_due_by: at(created, HOUR), stats: { first_responded_at: null, resolved_at: null, closed_at: at(created, 30 * 60) } });
    expect(metricsOf([quick]).sla.firstResponse).toEqual({ met: 1, missed: 0, pending: 0, percent: 100 });
    expect(metricsOf([quick]).firstResponse.count).toBe(0);
  });

  it('only judges tickets created in the period', () => {
    const september = ticket({ created_at: '2026-09-29T08:00:00Z', fr_due_by: '2026-09-29T09:00:00Z', stats: stats(null, null) });
    expect(metricsOf([september]).sla.firstResponse.missed).toBe(0);
  });

  it('rounds the percentage to one decimal', () => {
    const met = () => ticket({ fr_due_by: at(created, 2 * HOUR), stats: stats(HOUR, null) });
    const missed = ticket({ fr_due_by: at(created, HOUR), stats: stats(2 * HOUR, null) });
    // 2 of 3 = 66.666… → 66.7
    expect(metricsOf([met(), met(), missed]).sla.firstResponse.percent).toBe(66.7);
  });
});

describe('computeMetrics: satisfaction', () => {
  it('scores responses given in the period, from score or else the rating text', () => {
    const tickets = [
      ticket({ csat_response: csat({ score: { acquired_score: 4, total_score: 4 } }) }), // 1.0 positive
      ticket({ csat_response: csat({ score: { acquired_score: 2, total_score: 4 }, overall_rating_text: 'Awesome' }) }), // 0.5: score wins
      ticket({ csat_response: csat({ score: null, overall_rating_text: 'Happy' }) }), // 0.75 positive
      ticket({ csat_response: csat({ overall_rating_text: '3/4' }) }), // 0.75 positive
      ticket({ csat_response: csat({ overall_rating_text: 'Unhappy' }) }), // 0.25
      ticket({ csat_response: csat({ overall_rating_text: 'Banana' }) }), // unreadable: not counted
      // created in September but answered in October: counts
      ticket({ created_at: '2026-09-20T08:00:00Z', csat_response: csat({ overall_rating_text: 'Neutral' }) }), // 0.5
      // answered in November: not counted
      ticket({ csat_response: csat({ created_at: '2026-11-01T09:00:00Z', score: { acquired_score: 0, total_score: 4 } }) }),
    ];
    // scores 1, 0.5, 0.75, 0.75, 0.25, 0.5 → 6 responses, 3 positive (50 %), mean 3.75 / 6 = 0.625
    expect(metricsOf(tickets).csat).toEqual({ responses: 6, positive: 3, percentPositive: 50, averageScorePercent: 62.5 });
  });

  it('gives nulls without responses', () => {
    expect(metricsOf([ticket()]).csat).toEqual({ responses: 0, positive: 0, percentPositive: null, averageScorePercent: null });
  });

  it('maps common rating texts', () => {
    const score = (text: string) => csatScore(csat({ overall_rating_text: text }));
    expect(score('Awesome')).toBe(1);
    expect(score('extremely happy')).toBe(1);
    expect(score(' Good ')).toBe(0.75);
    expect(score('Neutral')).toBe(0.5);
    expect(score('Very Unhappy')).toBe(0);
    expect(score('3 out of 5')).toBe(0.6);
    expect(score('')).toBeNull();
  });
});

describe('computeMetrics: time worked', () => {
  it('sums finished entries executed in the period into hours and billable hours', () => {
    const tickets = [
      ticket({
        time_entries: [
          timeEntry({ time_spent: '01:30' }),
          timeEntry({ time_spent: '00:45', billable: false }),
          timeEntry({ time_spent: '02:00', timer_running: true }), // running timer: excluded
          timeEntry({ time_spent: '03:00', executed_at: '2026-09-30T21:30:00Z' }), // 30 Sep local: excluded
        ],
      }),
      // a September ticket worked on in October: counts
      ticket({ created_at: '2026-09-15T08:00:00Z', time_entries: [timeEntry({ time_spent: '00:15', executed_at: '2026-10-31T22:59:00Z' })] }),
    ];
    // 90 + 45 + 15 = 150 min = 2.5 h; billable 105 min = 1.75 h
    expect(metricsOf(tickets).time).toEqual({ entries: 3, hours: 2.5, billableHours: 1.75 });
  });

  it('parses HH:MM only', () => {
    expect(parseTimeSpent('12:05')).toBe(725);
    expect(parseTimeSpent('1:5')).toBeNull();
    expect(parseTimeSpent('abc')).toBeNull();
  });
});

describe('computeMetrics: breakdowns', () => {
  it('counts in-period tickets by type, priority, category and status label', () => {
    const tickets = [
      ticket({ type: 'Incident', priority: 4, category: 'Network', status: 2 }),
      ticket({ type: 'Service Request', priority: 1, category: null, status: 6 }),
      ticket({ type: null, priority: 7, category: 'Network', status: 9 }),
      ticket({ type: 'Incident', priority: 4, category: '  ', status: 5 }),
      ticket({ created_at: '2026-09-01T08:00:00Z', type: 'Problem' }), // outside the period
    ];
    expect(metricsOf(tickets).breakdown).toEqual({
      type: { Incident: 2, 'Service Request': 1, Unspecified: 1 },
      priority: { Urgent: 2, Low: 1, Unknown: 1 },
      category: { Network: 2, Uncategorized: 2 },
      status: { Open: 1, 'Waiting on Customer': 1, 'Status 9': 1, Closed: 1 },
    });
  });

  it('keeps odd category names as plain keys', () => {
    const metrics = metricsOf([ticket({ category: '__proto__' })]);
    expect(Object.keys(metrics.breakdown.category)).toEqual(['__proto__']);
    expect(JSON.parse(JSON.stringify(metrics)).breakdown.category).toEqual(JSON.parse('{"__proto__":1}'));
  });
});

describe('key figures and durations', () => {
  it('picks the eight headline figures', () => {
    const created = '2026-10-05T08:00:00Z';
    const metrics = metricsOf([
      ticket({ status: 4, fr_due_by: at(created, HOUR), stats: { first_responded_at: at(created, 600), resolved_at: at(created, 7200), closed_at: null }, time_entries: [timeEntry({ time_spent: '02:15' })] }),
      ticket({ status: 2 }), // Medium, never answered, 3 h target long past: first-reply SLA missed
    ]);
    expect(keyFigures(metrics)).toEqual({
      tickets: 2,
      resolved: 1,
      openAtEnd: 1,
      medianFirstResponseSeconds: 600,
      medianResolutionSeconds: 7200,
      slaPercent: 50,
      csatPercent: null,
      hours: 2.25,
    });
  });

  it('formats durations the way people say them', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(20)).toBe('under 1 min');
    expect(formatDuration(45 * 60)).toBe('45 min');
    expect(formatDuration(2 * HOUR + 15 * 60)).toBe('2 h 15 min');
    expect(formatDuration(5 * HOUR)).toBe('5 h');
    expect(formatDuration(3.4 * DAY)).toBe('3.4 days');
    expect(formatDuration(30 * HOUR)).toBe('30 h');
  });
});
