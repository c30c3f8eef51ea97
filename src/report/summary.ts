/**
 * The executive summary: three to five plain sentences a client's manager reads first, built only from
 * figures the report shows further down, formatted the same way, so every number in it can be found again.
 */
import { formatCount, formatDecimal, formatDuration } from './durations.js';
import type { Metrics } from './metrics.js';
import { comparableSatisfaction, comparableShares, isLargeSample, slaShare } from './small-sample.js';

export interface SummaryInput {
  clientName: string;
  periodLabel: string;
  /** Whether the period is one calendar month ("the month") or longer ("the period"). */
  monthly: boolean;
  metrics: Metrics;
  previous: Metrics | null;
  previousLabel: string | null;
  /** First replies that missed their deadline, by priority, most first (as the SLA section lists them). */
  lateByPriority: Array<{ priority: string; count: number }>;
  /** The open ticket that had waited longest at the end of the period (as the highlights show it). */
  longestOpen: { id: number; subject: string; age: string; ageSeconds: number } | null;
  /** Billable hours against the monthly allowance, when one is set (as the hours section shows them). */
  allowance?: { used: string; allowed: string; over: string | null } | null;
}

const SPIKE_MINIMUM = 10;
const LONG_OPEN_SECONDS = 14 * 86_400;
const SUBJECT_LIMIT = 70;

function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

function quoted(subject: string): string {
  const flat = subject.replace(/\s+/g, ' ').trim();
  return `“${flat.length > SUBJECT_LIMIT ? `${flat.slice(0, SUBJECT_LIMIT - 1).trimEnd()}…` : flat}”`;
}

function volumeSentence(input: SummaryInput): string {
  const { metrics, previous, previousLabel, periodLabel } = input;
  const created = metrics.tickets.created;
  const open = metrics.tickets.openAtEnd;
  const end = input.monthly ? 'the month' : 'the period';
  const stillOpen = open === 0 ? 'nothing was left open' : `${formatCount(open)} ${open === 1 ? 'was' : 'were'} still open at the end of ${end}`;
  if (created === 0) {
    return open === 0
      ? `No tickets were raised in ${periodLabel} and nothing was left open.`
      : `No new tickets were raised in ${periodLabel}; ${plural(open, 'ticket raised earlier was', 'tickets raised earlier were')} still open at the end of ${end}.`;
  }
  let change = '';
  if (previous && previousLabel) {
    const difference = created - previous.tickets.created;
    change = difference === 0
      ? `, as many as in ${previousLabel}`
      : `, ${formatCount(Math.abs(difference))} ${difference > 0 ? 'more' : 'fewer'} than in ${previousLabel}`;
  }
  return `${input.clientName} raised ${plural(created, 'ticket', 'tickets')} in ${periodLabel}${change}; we resolved ${formatCount(metrics.tickets.resolvedInPeriod)}, and ${stillOpen}.`;
}

function slaSentence(input: SummaryInput): string {
  const { metrics, previous, previousLabel } = input;
  const tally = metrics.sla.firstResponse;
  const judged = tally.met + tally.missed;
  if (metrics.tickets.created === 0) return 'With no new tickets there were no response times to measure.';
  if (judged === 0) return 'No first-reply deadline had passed yet, so the first-reply SLA is still open.';
  if (!isLargeSample(judged)) {
    return `${plural(tally.met, 'first reply', 'first replies')} met the SLA and ${formatCount(tally.missed)} missed it.`;
  }
  let change = '';
  const comparable = comparableShares(slaShare(tally), previous && slaShare(previous.sla.firstResponse));
  if (comparable && previousLabel) {
    const difference = comparable[0] - comparable[1];
    change = Math.abs(difference) <= 0.05
      ? `, the same as in ${previousLabel}`
      : `, ${difference > 0 ? 'up' : 'down'} ${formatDecimal(Math.abs(difference), 1)} pts on ${previousLabel}`;
  }
  const late = input.lateByPriority;
  const cause = tally.missed === 0
    ? '; not one reply was late'
    : late.length > 0 && late[0]!.count * 2 > tally.missed
      ? `; ${late[0]!.priority} tickets were most of the ${formatCount(tally.missed)} late ones (${formatCount(late[0]!.count)})`
      : `; ${plural(tally.missed, 'reply was', 'replies were')} late`;
  return `We replied within the agreed time to ${formatDecimal(tally.percent ?? 0, 1)}% of tickets${change}${cause}.`;
}

function satisfactionSentence(input: SummaryInput): string {
  const { csat } = input.metrics;
  if (csat.responses === 0) return 'No satisfaction surveys were answered in this period.';
  if (!isLargeSample(csat.responses)) {
    return `${formatCount(csat.positive)} of ${plural(csat.responses, 'survey answer was', 'survey answers were')} positive, too few to read as a trend.`;
  }
  const comparable = comparableSatisfaction(csat, input.previous?.csat);
  const difference = comparable ? comparable[0] - comparable[1] : 0;
  const change = comparable && input.previousLabel && Math.abs(difference) > 0.05
    ? ` (${difference > 0 ? 'up' : 'down'} ${formatDecimal(Math.abs(difference), 1)} pts)`
    : '';
  return `${formatDecimal(csat.percentPositive ?? 0, 1)}% of ${formatCount(csat.responses)} survey answers were positive${change}.`;
}

/** The category that more than doubled against the previous period, with at least SPIKE_MINIMUM tickets. */
function categorySpike(input: SummaryInput): string | undefined {
  if (!input.previous || !input.previousLabel) return undefined;
  const before = input.previous.breakdown.category;
  const spikes = Object.entries(input.metrics.breakdown.category)
    .filter(([name, count]) => count >= SPIKE_MINIMUM && count > 2 * (before[name] ?? 0))
    .sort(([, a], [, b]) => b - a);
  if (spikes.length === 0) return undefined;
  const [name, count] = spikes[0]!;
  return `${name} stood out with ${plural(count, 'ticket', 'tickets')}, more than twice as many as in ${input.previousLabel}.`;
}

function standouts(input: SummaryInput): string[] {
  const { metrics, longestOpen, allowance } = input;
  const candidates: Array<string | undefined> = [
    categorySpike(input),
    allowance?.over ? `Billable work came to ${allowance.used} against the ${allowance.allowed} allowance, ${allowance.over} over.` : undefined,
    longestOpen && longestOpen.ageSeconds >= LONG_OPEN_SECONDS
      ? `The longest-open ticket, ${quoted(longestOpen.subject)} (#${longestOpen.id}), had been open ${longestOpen.age} at the end of the ${input.monthly ? 'month' : 'period'}.`
      : undefined,
    metrics.tickets.proactive > 0
      ? `We raised ${plural(metrics.tickets.proactive, 'ticket', 'tickets')} ourselves to prevent problems before they reached your people.`
      : undefined,
    allowance && !allowance.over ? `Billable work came to ${allowance.used} of the ${allowance.allowed} allowance.` : undefined,
    metrics.resolution.medianSeconds !== null ? `Half of the tickets were resolved within ${formatDuration(metrics.resolution.medianSeconds)}.` : undefined,
  ];
  return candidates.filter((sentence): sentence is string => sentence !== undefined).slice(0, 2);
}

/** Three to five sentences: volume, SLA kept and what moved it, satisfaction with its answer count, what stood out. */
export function executiveSummary(input: SummaryInput): string[] {
  return [volumeSentence(input), slaSentence(input), satisfactionSentence(input), ...standouts(input)];
}
