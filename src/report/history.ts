/**
 * A year of trends: the report's figures for each of the twelve calendar months ending with the report's
 * period, computed from one dataset that covers them all with the same rules as a monthly report, so a
 * month's entry always equals that month's own report.
 */
import type { Dataset, DatasetTicket } from '../sources/helpdesk.js';
import type { Period } from '../period/period.js';
import { computeMetrics, isOpenAt, resolvedAtOf, type Metrics } from './metrics.js';
import { parseInstant, type SlaMode } from './sla.js';

export interface HistoryEntry {
  /** `2026-10`. */
  month: string;
  /** `October 2026`. */
  label: string;
  tickets: number;
  resolved: number;
  openAtEnd: number;
  /** First-reply SLA kept, as the KPI tile shows it. */
  sla: { met: number; missed: number; percent: number | null };
  /** Null while time entries and satisfaction of some of the month's tickets are not fetched yet. */
  csat: { responses: number; positive: number; percentPositive: number | null } | null;
  hours: number | null;
  billableHours: number | null;
}

export interface History {
  months: HistoryEntry[];
  /** The first month with data when the account holds none older (fewer than the months asked for), else null. */
  dataSince: string | null;
}

export interface HistoryOptions {
  /** Consecutive calendar months, oldest first. */
  months: Period[];
  asOf: Date;
  sla?: SlaMode;
  /** When the account's oldest ticket was created: months before it are left out. */
  accountSince?: string | null;
}

/** Created in [from, to), resolved in it, or still open at its end: the tickets a report of that period reads. */
export function belongsToPeriod(ticket: DatasetTicket, from: Date, to: Date): boolean {
  const inRange = (date: Date | null) => date !== null && date >= from && date < to;
  return inRange(parseInstant(ticket.created_at)) || inRange(resolvedAtOf(ticket)) || isOpenAt(ticket, to);
}

export function computeHistory(dataset: Dataset, options: HistoryOptions): History {
  const since = options.accountSince ? parseInstant(options.accountSince) : null;
  const months = options.months.filter((month) => !since || month.to > since);
  const unenriched = new Set(dataset.unenriched ?? []);
  // Each ticket's two instants read once, not once a month.
  const tickets = dataset.tickets
    .filter((ticket) => !ticket.deleted && !ticket.spam)
    .map((ticket) => ({ ticket, created: parseInstant(ticket.created_at)?.getTime() ?? Number.NaN, resolved: resolvedAtOf(ticket)?.getTime() ?? null }));
  return {
    months: months.map((month) => {
      const from = month.from.getTime();
      const to = month.to.getTime();
      const own = tickets
        .filter(({ created, resolved }) => created < to && (created >= from || resolved === null || resolved >= from))
        .map(({ ticket }) => ticket);
      const metrics = computeMetrics({ ...dataset, tickets: own }, { period: month, asOf: options.asOf, sla: options.sla });
      return historyEntry(month, metrics, own.some((ticket) => unenriched.has(ticket.id)));
    }),
    dataSince: months.length < options.months.length && months[0] ? months[0].key : null,
  };
}

function historyEntry(month: Period, metrics: Metrics, incomplete: boolean): HistoryEntry {
  return {
    month: month.key,
    label: month.label,
    tickets: metrics.tickets.created,
    resolved: metrics.tickets.resolvedInPeriod,
    openAtEnd: metrics.tickets.openAtEnd,
    sla: { met: metrics.sla.firstResponse.met, missed: metrics.sla.firstResponse.missed, percent: metrics.sla.firstResponse.percent },
    csat: incomplete ? null : { responses: metrics.csat.responses, positive: metrics.csat.positive, percentPositive: metrics.csat.percentPositive },
    hours: incomplete ? null : metrics.time.hours,
    billableHours: incomplete ? null : metrics.time.billableHours,
  };
}
