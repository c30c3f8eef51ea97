import { csatScore, POSITIVE_CSAT_SCORE } from './csat.js';
import type { Dataset, DatasetTicket } from '../sources/helpdesk.js';
import { parseTimeSpent } from './durations.js';
import { categoryName, priorityName, RESOLVED_STATUSES, statusLabel, typeName } from './labels.js';
import { formatInstant, periodFromRange, type Period } from '../period/period.js';
import { parseInstant, slaDeadline, slaOutcome, type SlaMode } from './sla.js';
import { percentage, summariseDurations, type DurationSummary } from './stats.js';

export interface SlaTally {
  met: number;
  missed: number;
  pending: number;
  /** met ÷ (met + missed) × 100, one decimal; `null` when nothing was met or missed. */
  percent: number | null;
}

export interface Metrics {
  /** ISO 8601 instants with the timezone's offset; half-open [from, to). */
  period: { from: string; to: string; timezone: string };
  tickets: {
    created: number;
    resolved: number;
    open: number;
    proactive: number;
    resolvedInPeriod: number;
    openAtEnd: number;
  };
  firstResponse: DurationSummary;
  resolution: DurationSummary;
  sla: { mode: SlaMode; firstResponse: SlaTally; resolution: SlaTally };
  csat: { responses: number; positive: number; percentPositive: number | null; averageScorePercent: number | null };
  time: { entries: number; hours: number; billableHours: number };
  breakdown: {
    type: Record<string, number>;
    priority: Record<string, number>;
    category: Record<string, number>;
    status: Record<string, number>;
  };
}

export interface MetricsOptions {
  /** Defaults to the dataset's own period. */
  period?: Period;
  /** "Now" for SLA clocks still running. */
  asOf: Date;
  sla?: SlaMode;
}

export function computeMetrics(dataset: Dataset, options: MetricsOptions): Metrics {
  const period = options.period ?? periodFromRange(dataset.period.from, dataset.period.to, dataset.timezone);
  const mode = options.sla ?? 'due-by';
  const inPeriod = (date: Date | null) => date !== null && date >= period.from && date < period.to;

  const tickets = dataset.tickets.filter((ticket) => !ticket.deleted && !ticket.spam);
  const created = tickets.filter((ticket) => inPeriod(parseInstant(ticket.created_at)));
  const resolvedCreated = created.filter((ticket) => RESOLVED_STATUSES.has(ticket.status));

  const firstResponseSeconds: number[] = [];
  const resolutionSeconds: number[] = [];
  for (const ticket of created) {
    const createdAt = parseInstant(ticket.created_at)!;
    const respondedAt = parseInstant(ticket.stats?.first_responded_at);
    if (respondedAt) firstResponseSeconds.push(secondsBetween(createdAt, respondedAt));
    const resolvedAt = resolvedAtOf(ticket);
    if (resolvedAt) resolutionSeconds.push(secondsBetween(createdAt, resolvedAt));
  }

  return {
    period: {
      from: formatInstant(period.from, period.timezone),
      to: formatInstant(period.to, period.timezone),
      timezone: period.timezone,
    },
    tickets: {
      created: created.length,
      resolved: resolvedCreated.length,
      open: created.length - resolvedCreated.length,
      proactive: created.filter(isProactive).length,
      resolvedInPeriod: tickets.filter((ticket) => inPeriod(resolvedAtOf(ticket))).length,
      openAtEnd: tickets.filter((ticket) => isOpenAt(ticket, period.to)).length,
    },
    firstResponse: summariseDurations(firstResponseSeconds),
    resolution: summariseDurations(resolutionSeconds),
    sla: {
      mode,
      firstResponse: tallySla(created, (ticket) => firstResponseSla(ticket, mode, options.asOf)),
      resolution: tallySla(created, (ticket) => resolutionSla(ticket, mode, options.asOf)),
    },
    csat: csatMetrics(tickets, inPeriod),
    time: timeMetrics(tickets, inPeriod),
    breakdown: {
      type: countBy(created, (ticket) => typeName(ticket.type)),
      priority: countBy(created, (ticket) => priorityName(ticket.priority)),
      category: countBy(created, (ticket) => categoryName(ticket.category)),
      status: countBy(created, (ticket) => statusLabel(ticket.status, dataset.statusLabels)),
    },
  };
}

/** The eight figures a summary card shows. */
export interface KeyFigures {
  tickets: number;
  resolved: number;
  openAtEnd: number;
  medianFirstResponseSeconds: number | null;
  medianResolutionSeconds: number | null;
  slaPercent: number | null;
  csatPercent: number | null;
  hours: number;
}

/**
 * As the report's KPI tiles show them: resolved = resolved in the period (whenever raised),
 * SLA % = first-reply SLA kept, CSAT % = share of positive responses.
 */
export function keyFigures(metrics: Metrics): KeyFigures {
  return {
    tickets: metrics.tickets.created,
    resolved: metrics.tickets.resolvedInPeriod,
    openAtEnd: metrics.tickets.openAtEnd,
    medianFirstResponseSeconds: metrics.firstResponse.medianSeconds,
    medianResolutionSeconds: metrics.resolution.medianSeconds,
    slaPercent: metrics.sla.firstResponse.percent,
    csatPercent: metrics.csat.percentPositive,
    hours: metrics.time.hours,
  };
}

export function isProactive(ticket: DatasetTicket): boolean {
  return ticket.custom_fields?.proactive_case === true;
}

/**
 * When the ticket was resolved (`stats.resolved_at`, else `stats.closed_at`), or null while it is not
 * Resolved or Closed now. Freshservice's stats carry no reopening time (there is no `stats.reopened_at`,
 * see src/freshservice/README.md), so a ticket that is open or pending now is open, whatever an older
 * `resolved_at` from before a reopening still says.
 */
export function resolvedAtOf(ticket: DatasetTicket): Date | null {
  if (!RESOLVED_STATUSES.has(ticket.status)) return null;
  return parseInstant(ticket.stats?.resolved_at) ?? parseInstant(ticket.stats?.closed_at);
}

/** Created before `moment` and not resolved before it. */
export function isOpenAt(ticket: DatasetTicket, moment: Date): boolean {
  const createdAt = parseInstant(ticket.created_at);
  if (!createdAt || createdAt >= moment) return false;
  const resolvedAt = resolvedAtOf(ticket);
  return resolvedAt === null || resolvedAt >= moment;
}

/**
 * First-reply SLA of one ticket, or `null` when it cannot be judged (no stats, unknown priority).
 * A ticket resolved without any recorded reply counts its resolution as the first reply.
 */
export function firstResponseSla(ticket: DatasetTicket, mode: SlaMode, asOf: Date) {
  if (!ticket.stats) return null;
  const deadline = slaDeadline(mode, 'firstResponse', ticket);
  if (!deadline) return null;
  const respondedAt = parseInstant(ticket.stats.first_responded_at) ?? resolvedAtOf(ticket);
  return slaOutcome(deadline, respondedAt, asOf);
}

/** Resolution SLA of one ticket, or `null` when it cannot be judged (resolved but no resolved-at, unknown priority). */
export function resolutionSla(ticket: DatasetTicket, mode: SlaMode, asOf: Date) {
  const deadline = slaDeadline(mode, 'resolution', ticket);
  if (!deadline) return null;
  if (RESOLVED_STATUSES.has(ticket.status)) {
    const resolvedAt = resolvedAtOf(ticket);
    return resolvedAt ? slaOutcome(deadline, resolvedAt, asOf) : null;
  }
  return slaOutcome(deadline, null, asOf);
}

function tallySla(tickets: DatasetTicket[], outcomeOf: (ticket: DatasetTicket) => 'met' | 'missed' | 'pending' | null): SlaTally {
  const tally = { met: 0, missed: 0, pending: 0 };
  for (const ticket of tickets) {
    const outcome = outcomeOf(ticket);
    if (outcome) tally[outcome] += 1;
  }
  return { ...tally, percent: percentage(tally.met, tally.met + tally.missed) };
}

function csatMetrics(tickets: DatasetTicket[], inPeriod: (date: Date | null) => boolean): Metrics['csat'] {
  const scores: number[] = [];
  for (const ticket of tickets) {
    const response = ticket.csat_response;
    if (!response || !inPeriod(parseInstant(response.created_at))) continue;
    const score = csatScore(response);
    if (score !== null) scores.push(score);
  }
  const positive = scores.filter((score) => score >= POSITIVE_CSAT_SCORE).length;
  const average = scores.length === 0 ? null : scores.reduce((sum, score) => sum + score, 0) / scores.length;
  return {
    responses: scores.length,
    positive,
    percentPositive: percentage(positive, scores.length),
    averageScorePercent: average === null ? null : Math.round(average * 1000) / 10,
  };
}

function timeMetrics(tickets: DatasetTicket[], inPeriod: (date: Date | null) => boolean): Metrics['time'] {
  let entries = 0;
  let minutes = 0;
  let billableMinutes = 0;
  for (const ticket of tickets) {
    for (const entry of ticket.time_entries ?? []) {
      if (entry.timer_running || !inPeriod(parseInstant(entry.executed_at))) continue;
      const spent = parseTimeSpent(entry.time_spent);
      if (spent === null) continue;
      entries += 1;
      minutes += spent;
      if (entry.billable) billableMinutes += spent;
    }
  }
  return { entries, hours: roundHours(minutes), billableHours: roundHours(billableMinutes) };
}

function roundHours(minutes: number): number {
  return Math.round((minutes / 60) * 100) / 100;
}

function countBy(tickets: DatasetTicket[], keyOf: (ticket: DatasetTicket) => string): Record<string, number> {
  const counts = new Map<string, number>();
  for (const ticket of tickets) {
    const key = keyOf(ticket);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  // fromEntries defines own properties, so a category called "__proto__" stays a plain key.
  return Object.fromEntries(counts);
}

export function secondsBetween(start: Date, end: Date): number {
  return Math.max(0, (end.getTime() - start.getTime()) / 1000);
}
