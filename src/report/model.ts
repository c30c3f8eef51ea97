import dayjs from 'dayjs';
import type { Dataset, DatasetTicket } from '../sources/helpdesk.js';
import { formatCount, formatDecimal, formatDuration } from './durations.js';
import { priorityName, RESOLVED_STATUSES, statusLabel } from './labels.js';
import { firstResponseSla, isOpenAt, isProactive, resolvedAtOf, resolutionSla, secondsBetween, type Metrics } from './metrics.js';
import { monthsIn, periodFromRange, periodLabelAsOf, shortPeriodLabel } from '../period/period.js';
import { parseInstant, SLA_TARGETS, type SlaOutcome } from './sla.js';
import { brandColors, type BrandColors, type ReportBrand } from './brand.js';
import { comparableSatisfaction, comparableShares, satisfactionFigure, shareText, slaShare } from './small-sample.js';
import { executiveSummary } from './summary.js';
import { notableTickets, type NotableTicket } from './notable.js';
import { whoAndWhat, type PeopleNames, type WhoAndWhat } from './who-what.js';
import { allowanceModel, type AllowanceModel } from './allowance.js';
import { belongsToPeriod, type History } from './history.js';
import { trendsView, type TrendsView } from './trends.js';
import type { SourceSection } from '../sources/section.js';

/** Everything both renderings show, already formatted as text. Outside text is raw here; templates escape it. */
export interface ReportModel {
  title: string;
  brand: BrandModel;
  client: { name: string };
  period: { key: string; label: string; timezone: string };
  /** Said when the period starts before the helpdesk's oldest ticket: from when there is data at all. */
  dataSince: string | null;
  previousPeriodLabel: string | null;
  preparedOn: string;
  /** The executive summary: three to five sentences, every number in them shown again below. */
  summary: string[];
  kpis: KpiTile[];
  sla: SlaBar[];
  /** Twelve months ending with this period; null when no history was computed. */
  trends: TrendsView | null;
  whoWhat: WhoAndWhat;
  /** Billable hours against the monthly allowance; null when the client has none. */
  allowance: AllowanceModel | null;
  breakdowns: Breakdown[];
  highlights: {
    proactiveCount: number;
    proactive: HighlightTicket[];
    longestOpen: HighlightTicket[];
  };
  /** Most relevant first: open and SLA-missed tickets, then the longest. */
  tickets: TicketRow[];
  /** Why the table's open tickets are fewer than "Open at end", when they are. */
  ticketsNote: string | null;
  /** At most ten tickets for the email: the longest open, deadlines missed, the most urgent. */
  notable: NotableTicket[];
  fullReportUrl: string | null;
  footnotes: string[];
  /** The sections of the data sources beside the helpdesk the client is mapped to, in registration order. */
  sources: SourceSection[];
}

/** The MSP's brand as both renderings show it; the logo differs (inline on the web and in the PDF, hosted in email). */
export interface BrandModel {
  name: string;
  footer: string | null;
  website: { href: string; label: string } | null;
  logo: { web: string; email: string | null } | null;
  colors: BrandColors;
}

export type Tone = 'good' | 'bad' | 'neutral';

export interface KpiTile {
  label: string;
  value: string;
  note: string;
  change: { arrow: '▲' | '▼' | ''; text: string; tone: Tone } | null;
}

export interface BarSegment {
  tone: 'met' | 'missed' | 'pending' | 'share';
  width: number;
  label: string;
}

export interface SlaBar {
  label: string;
  summary: string;
  counts: string;
  /** Which priorities the missed deadlines had, e.g. "Missed: Urgent 7 · High 3"; null when none was missed. */
  missedDetail: string | null;
  segments: BarSegment[];
  empty: boolean;
}

export interface Breakdown {
  title: string;
  rows: Array<{ label: string; count: string; share: string; segments: BarSegment[] }>;
}

export interface HighlightTicket {
  id: number;
  subject: string;
  detail: string;
}

export interface TicketRow {
  id: number;
  subject: string;
  status: string;
  priority: string;
  prioritySort: number;
  created: string;
  createdSort: string;
  resolved: string;
  resolvedSort: string;
  resolutionTime: string;
  resolutionSort: number;
  sla: { text: string; tone: SlaOutcome | 'none' };
  slaSort: number;
}

export interface ReportModelInput {
  dataset: Dataset;
  metrics: Metrics;
  previous?: Metrics | null;
  brand: ReportBrand;
  /** The twelve months ending with the period (see history.ts). */
  history?: History | null;
  /** Requester names (and which are our agents), for "who and what". */
  people?: PeopleNames | null;
  /** The client's monthly allowance of billable hours, when one is set. */
  monthlyAllowance?: number | null;
  /** When the helpdesk's oldest ticket was created (null: it holds none); a period starting earlier says so. */
  accountSince?: string | null;
  fullReportUrl?: string;
  asOf: Date;
  sources?: SourceSection[];
}

const HIGHLIGHT_LIMIT = 5;
const MONTH_KEY = /^\d{4}-\d{2}$/;

export function buildReportModel(input: ReportModelInput): ReportModel {
  const { dataset, metrics, asOf } = input;
  const previous = input.previous ?? null;
  const period = periodFromRange(metrics.period.from, metrics.period.to, metrics.period.timezone);
  const previousPeriodLabel = previous
    ? periodFromRange(previous.period.from, previous.period.to, previous.period.timezone).label
    : null;
  const timezone = period.timezone;
  const label = periodLabelAsOf(period, asOf);

  const tickets = dataset.tickets.filter((ticket) => !ticket.deleted && !ticket.spam && belongsToPeriod(ticket, period.from, period.to));
  const rows = tickets.map((ticket) => ticketRow(ticket, dataset, metrics, asOf, timezone));
  const rowOrder = new Map(tickets.map((ticket, index) => [rows[index], relevance(ticket, rows[index], metrics, asOf)]));
  // Age at the end of the period (or now, for a period still running).
  const ageMoment = asOf < period.to ? asOf : period.to;
  const notable = notableTickets(tickets.map((ticket, index) => ({
    row: rows[index]!,
    openAgeSeconds: isOpenAt(ticket, period.to) ? ageSeconds(ticket, ageMoment) : null,
    resolutionMissed: rowOrder.get(rows[index]!)!.resolutionMissed,
    createdInPeriod: inRange(parseInstant(ticket.created_at), period.from, period.to),
  })));
  rows.sort((a, b) => compareRelevance(rowOrder.get(a)!, rowOrder.get(b)!));

  const openAtEnd = tickets
    .filter((ticket) => isOpenAt(ticket, period.to))
    .map((ticket) => ({ ticket, ageSeconds: ageSeconds(ticket, ageMoment) }))
    .sort((a, b) => b.ageSeconds - a.ageSeconds || a.ticket.id - b.ticket.id)
    .slice(0, HIGHLIGHT_LIMIT);
  const created = tickets.filter((ticket) => inRange(parseInstant(ticket.created_at), period.from, period.to));
  const proactive = created.filter(isProactive);
  const allowance = input.monthlyAllowance ? allowanceModel(input.monthlyAllowance, monthsIn(period), metrics.time.billableHours) : null;
  const lateFirstReplies = missedByPriority(created, (ticket) => firstResponseSla(ticket, metrics.sla.mode, asOf));

  return {
    title: `Service report for ${dataset.client.name}: ${label}`,
    brand: brandModel(input.brand),
    client: { name: dataset.client.name },
    period: { key: period.key, label, timezone },
    dataSince: dataSinceNote(input.accountSince, period, timezone),
    previousPeriodLabel,
    preparedOn: dayjs(asOf).tz(timezone).format('D MMMM YYYY'),
    summary: executiveSummary({
      clientName: dataset.client.name,
      periodLabel: label,
      monthly: MONTH_KEY.test(period.key),
      metrics,
      previous,
      previousLabel: previousPeriodLabel,
      lateByPriority: lateFirstReplies,
      longestOpen: openAtEnd[0] ? { id: openAtEnd[0].ticket.id, subject: openAtEnd[0].ticket.subject, age: formatDuration(openAtEnd[0].ageSeconds), ageSeconds: openAtEnd[0].ageSeconds } : null,
      allowance,
    }),
    kpis: kpiTiles(metrics, previous, allowance, previousPeriodLabel && shortPeriodLabel(previousPeriodLabel)),
    sla: [
      slaBar('First reply', metrics.sla.firstResponse, lateFirstReplies),
      slaBar('Resolution', metrics.sla.resolution, missedByPriority(created, (ticket) => resolutionSla(ticket, metrics.sla.mode, asOf))),
    ],
    trends: input.history ? trendsView(input.history, allowance?.monthlyHours ?? null) : null,
    whoWhat: whoAndWhat(created, input.people ?? null),
    allowance,
    breakdowns: [
      breakdown('By type', metrics.breakdown.type),
      breakdown('By priority', metrics.breakdown.priority, ['Urgent', 'High', 'Medium', 'Low', 'Unknown']),
      breakdown('By category', metrics.breakdown.category),
    ],
    highlights: {
      proactiveCount: metrics.tickets.proactive,
      proactive: proactive.slice(0, HIGHLIGHT_LIMIT).map((ticket) => ({
        id: ticket.id,
        subject: ticket.subject,
        detail: `${formatDate(ticket.created_at, timezone)} · ${statusLabel(ticket.status, dataset.statusLabels)}`,
      })),
      longestOpen: openAtEnd.map(({ ticket, ageSeconds }) => ({
        id: ticket.id,
        subject: ticket.subject,
        detail: `open ${formatDuration(ageSeconds)} at period end · ${priorityName(ticket.priority)} · now ${statusLabel(ticket.status, dataset.statusLabels)}`,
      })),
    },
    tickets: rows,
    ticketsNote: openTicketsNote(metrics.tickets.openAtEnd, tickets.filter((ticket) => !RESOLVED_STATUSES.has(ticket.status)).length, period.to, timezone),
    notable,
    fullReportUrl: input.fullReportUrl && /^https?:\/\//i.test(input.fullReportUrl) ? input.fullReportUrl : null,
    footnotes: footnotes(metrics, timezone),
    sources: input.sources ?? [],
  };
}

/** "The helpdesk holds tickets from 14 March 2025 on; …" when the period begins before them; null when it does not. */
function dataSinceNote(accountSince: string | null | undefined, period: { from: Date; to: Date }, timezone: string): string | null {
  if (accountSince === undefined) return null;
  const since = parseInstant(accountSince);
  if (!since) return `The helpdesk holds no tickets before ${formatDate(period.to.toISOString(), timezone)}; this report has nothing to count.`;
  if (since <= period.from) return null;
  return `The helpdesk holds tickets from ${formatDate(since.toISOString(), timezone)} on; this report counts nothing earlier.`;
}

/** The table shows each ticket's status today, so tickets resolved after the period ended are "Open at end" but not open in it. */
function openTicketsNote(openAtEnd: number, openNow: number, end: Date, timezone: string): string | null {
  if (openAtEnd <= openNow) return null;
  const endDay = formatDate(new Date(end.getTime() - 1).toISOString(), timezone);
  return `"Open at end" counts the ${formatCount(openAtEnd)} tickets open at the end of ${endDay}; ${formatCount(openAtEnd - openNow)} of them were resolved since, and the Status column shows each ticket as it is today.`;
}

function brandModel(brand: ReportBrand): BrandModel {
  const website = brand.website && /^https:\/\//i.test(brand.website) ? brand.website : null;
  return {
    name: brand.name,
    footer: brand.footer ?? null,
    website: website ? { href: website, label: new URL(website).host.replace(/^www\./, '') } : null,
    logo: brand.logo && /^data:image\/(png|jpeg|svg\+xml);base64,/.test(brand.logo.web)
      ? { web: brand.logo.web, email: brand.logo.email && /^https?:\/\//i.test(brand.logo.email) ? brand.logo.email : null }
      : null,
    colors: brandColors(brand.color),
  };
}

/** `against`: the previous period as a change names it ("Sep 2026"). */
function kpiTiles(metrics: Metrics, previous: Metrics | null, allowance: AllowanceModel | null, against: string | null): KpiTile[] {
  const lateFrom = metrics.tickets.resolvedInPeriod - metrics.tickets.resolved;
  const change = (current: number | null, before: number | null | undefined, higherIsBetter: boolean | null, format: (difference: number) => string, noise = 0) =>
    against === null ? null : numberChange(current, before, higherIsBetter, format, noise, against);
  const counted = (current: number, before: number | undefined, higherIsBetter: boolean | null) => change(current, before, higherIsBetter, formatCount);
  const duration = (current: number | null, before: number | null | undefined) => change(current, before, false, formatDuration, 59);
  const points = (comparable: [number, number] | null) => (comparable ? change(comparable[0], comparable[1], true, (value) => `${formatDecimal(value, 1)} pts`, 0.05) : null);
  const { firstResponse, resolution } = metrics.sla;
  return [
    {
      label: 'Tickets',
      value: formatCount(metrics.tickets.created),
      note: metrics.tickets.proactive > 0 ? `${formatCount(metrics.tickets.proactive)} proactive` : 'raised this period',
      change: counted(metrics.tickets.created, previous?.tickets.created, null),
    },
    {
      label: 'Resolved',
      value: formatCount(metrics.tickets.resolvedInPeriod),
      note: lateFrom > 0 ? `incl. ${formatCount(lateFrom)} raised earlier` : 'this period',
      change: counted(metrics.tickets.resolvedInPeriod, previous?.tickets.resolvedInPeriod, true),
    },
    {
      label: 'Open at end',
      value: formatCount(metrics.tickets.openAtEnd),
      note: 'still in progress',
      change: counted(metrics.tickets.openAtEnd, previous?.tickets.openAtEnd, false),
    },
    {
      label: 'First response',
      value: formatDuration(metrics.firstResponse.medianSeconds),
      note: metrics.firstResponse.p90Seconds === null ? 'median' : `median · 90% within ${formatDuration(metrics.firstResponse.p90Seconds)}`,
      change: duration(metrics.firstResponse.medianSeconds, previous?.firstResponse.medianSeconds),
    },
    {
      label: 'Resolution time',
      value: formatDuration(metrics.resolution.medianSeconds),
      note: metrics.resolution.p90Seconds === null ? 'median' : `median · 90% within ${formatDuration(metrics.resolution.p90Seconds)}`,
      change: duration(metrics.resolution.medianSeconds, previous?.resolution.medianSeconds),
    },
    {
      label: 'SLA kept',
      value: shareText(slaShare(firstResponse), 'met'),
      note: `first reply · resolution ${shareText(slaShare(resolution), 'met')}`,
      change: points(comparableShares(slaShare(firstResponse), previous && slaShare(previous.sla.firstResponse))),
    },
    {
      label: 'Satisfaction',
      ...satisfactionFigure(metrics.csat),
      change: points(comparableSatisfaction(metrics.csat, previous?.csat)),
    },
    {
      label: 'Hours worked',
      value: `${formatDecimal(metrics.time.hours, 1)} h`,
      note: allowance
        ? `${allowance.used} billable of ${allowance.allowed}${allowance.over ? ` · ${allowance.over} over` : ''}`
        : `${formatDecimal(metrics.time.billableHours, 1)} h billable`,
      change: change(metrics.time.hours, previous?.time.hours, null, (value) => `${formatDecimal(value, 1)} h`),
    },
  ];
}

/** `higherIsBetter`: true/false colours the change green or red; null keeps it neutral. The text names what it compares with. */
function numberChange(
  current: number | null,
  before: number | null | undefined,
  higherIsBetter: boolean | null,
  format: (absoluteDifference: number) => string,
  noise: number,
  against: string,
): KpiTile['change'] {
  if (current === null || before === null || before === undefined) return null;
  const difference = current - before;
  if (Math.abs(difference) <= noise) return { arrow: '', text: `no change vs ${against}`, tone: 'neutral' };
  const tone: Tone = higherIsBetter === null ? 'neutral' : difference > 0 === higherIsBetter ? 'good' : 'bad';
  return { arrow: difference > 0 ? '▲' : '▼', text: `${format(Math.abs(difference))} vs ${against}`, tone };
}

const PRIORITY_ORDER = ['Urgent', 'High', 'Medium', 'Low', 'Unknown'];

/** Tickets whose deadline was missed, counted by priority: most first, then the more urgent. */
function missedByPriority(tickets: DatasetTicket[], outcomeOf: (ticket: DatasetTicket) => SlaOutcome | null): Array<{ priority: string; count: number }> {
  const counts = new Map<string, number>();
  for (const ticket of tickets) {
    if (outcomeOf(ticket) !== 'missed') continue;
    const name = priorityName(ticket.priority);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts]
    .map(([priority, count]) => ({ priority, count }))
    .sort((a, b) => b.count - a.count || PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority));
}

function slaBar(label: string, tally: Metrics['sla']['firstResponse'], missed: Array<{ priority: string; count: number }>): SlaBar {
  const total = tally.met + tally.missed + tally.pending;
  const counts = `${formatCount(tally.met)} met · ${formatCount(tally.missed)} missed${tally.pending > 0 ? ` · ${formatCount(tally.pending)} pending` : ''}`;
  return {
    label,
    summary: tally.percent === null ? 'nothing to measure yet' : `${formatDecimal(tally.percent, 1)}% kept`,
    counts,
    missedDetail: missed.length > 0 ? `Missed: ${missed.map((entry) => `${entry.priority} ${formatCount(entry.count)}`).join(' · ')}` : null,
    empty: total === 0,
    segments: fillToWhole(
      barSegments([
        { tone: 'met', value: tally.met, label: 'met' },
        { tone: 'missed', value: tally.missed, label: 'missed' },
        { tone: 'pending', value: tally.pending, label: 'pending' },
      ], total),
    ),
  };
}

function breakdown(title: string, counts: Record<string, number>, order?: string[]): Breakdown {
  const entries = Object.entries(counts);
  const total = entries.reduce((sum, [, value]) => sum + value, 0);
  entries.sort(([labelA, a], [labelB, b]) =>
    order ? order.indexOf(labelA) - order.indexOf(labelB) : b - a || labelA.localeCompare(labelB),
  );
  return {
    title,
    rows: entries.map(([label, value]) => ({
      label,
      count: formatCount(value),
      share: `${Math.round((value / total) * 100)}%`,
      segments: barSegments([{ tone: 'share', value, label }], total),
    })),
  };
}

/** Whole-percent widths that add up to at most 100, every non-zero part at least 1% so it stays visible. */
function barSegments(parts: Array<{ tone: BarSegment['tone']; value: number; label: string }>, total: number): BarSegment[] {
  if (total === 0) return [];
  return parts
    .filter((part) => part.value > 0)
    .map((part) => ({ tone: part.tone, label: part.label, width: Math.max(1, Math.floor((part.value / total) * 100)) }));
}

/** A stacked bar covers the whole width: the last part absorbs what rounding down left over. */
function fillToWhole(segments: BarSegment[]): BarSegment[] {
  if (segments.length === 0) return segments;
  const others = segments.slice(0, -1).reduce((sum, segment) => sum + segment.width, 0);
  return [...segments.slice(0, -1), { ...segments[segments.length - 1], width: 100 - others }];
}

function ticketRow(ticket: DatasetTicket, dataset: Dataset, metrics: Metrics, asOf: Date, timezone: string): TicketRow {
  const resolved = resolvedAtOf(ticket);
  const createdAt = parseInstant(ticket.created_at);
  const resolutionSeconds = resolved && createdAt ? secondsBetween(createdAt, resolved) : null;
  const outcome = firstResponseSla(ticket, metrics.sla.mode, asOf);
  return {
    id: ticket.id,
    subject: ticket.subject,
    status: statusLabel(ticket.status, dataset.statusLabels),
    priority: priorityName(ticket.priority),
    prioritySort: ticket.priority,
    created: formatDate(ticket.created_at, timezone),
    createdSort: createdAt?.toISOString() ?? '',
    resolved: resolved ? formatDate(resolved.toISOString(), timezone) : '–',
    resolvedSort: resolved?.toISOString() ?? '',
    resolutionTime: formatDuration(resolutionSeconds),
    resolutionSort: resolutionSeconds ?? -1,
    sla: outcome ? { text: SLA_TEXT[outcome], tone: outcome } : { text: '–', tone: 'none' },
    slaSort: outcome ? SLA_SORT[outcome] : 3,
  };
}

const SLA_TEXT: Record<SlaOutcome, string> = { met: 'Met', missed: 'Missed', pending: 'Pending' };
const SLA_SORT: Record<SlaOutcome, number> = { missed: 0, pending: 1, met: 2 };

interface Relevance {
  group: number;
  seconds: number;
  id: number;
  resolutionMissed: boolean;
}

/** Open tickets first (SLA-missed ones before the rest), then resolved ones that missed an SLA, then the others; longest first. */
function relevance(ticket: DatasetTicket, row: TicketRow, metrics: Metrics, asOf: Date): Relevance {
  const open = !RESOLVED_STATUSES.has(ticket.status);
  const resolutionMissed = resolutionSla(ticket, metrics.sla.mode, asOf) === 'missed';
  const missed = row.sla.tone === 'missed' || resolutionMissed;
  const group = open ? (missed ? 0 : 1) : missed ? 2 : 3;
  const seconds = open ? ageSeconds(ticket, asOf) : row.resolutionSort;
  return { group, seconds, id: ticket.id, resolutionMissed };
}

function compareRelevance(a: Relevance, b: Relevance): number {
  return a.group - b.group || b.seconds - a.seconds || a.id - b.id;
}

function inRange(date: Date | null, from: Date, to: Date): boolean {
  return date !== null && date >= from && date < to;
}

function ageSeconds(ticket: DatasetTicket, asOf: Date): number {
  const createdAt = parseInstant(ticket.created_at);
  return createdAt ? secondsBetween(createdAt, asOf) : 0;
}

const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const dateFormats = new Map<string, { format: Intl.DateTimeFormat; days: Map<number, string> }>();
/** Every time zone's offset is a whole number of quarter hours, so one quarter hour is one calendar day. */
const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * "5 Oct 2026" in the timezone. One Intl formatter per timezone, and each quarter hour formatted once:
 * dayjs.tz, or Intl for every row, is too slow for 10,000 rows.
 */
function formatDate(iso: string, timezone: string): string {
  let cache = dateFormats.get(timezone);
  if (!cache) {
    cache = { format: new Intl.DateTimeFormat('en-GB', { timeZone: timezone, year: 'numeric', month: 'numeric', day: 'numeric' }), days: new Map() };
    dateFormats.set(timezone, cache);
  }
  const quarter = Math.floor(Date.parse(iso) / QUARTER_HOUR_MS);
  let text = cache.days.get(quarter);
  if (text === undefined) {
    const parts = Object.fromEntries(cache.format.formatToParts(new Date(quarter * QUARTER_HOUR_MS)).map((part) => [part.type, part.value]));
    text = `${Number(parts.day)} ${MONTHS_SHORT[Number(parts.month) - 1]} ${parts.year}`;
    cache.days.set(quarter, text);
  }
  return text;
}

function footnotes(metrics: Metrics, timezone: string): string[] {
  const targets = Object.entries(SLA_TARGETS)
    .sort(([a], [b]) => Number(b) - Number(a))
    .map(([priority, target]) => `${priorityName(Number(priority))} ${formatDuration(target.firstResponseSeconds)} / ${formatDuration(target.resolutionSeconds)}`)
    .join(', ');
  const deadlines =
    metrics.sla.mode === 'due-by'
      ? `SLA deadlines are the first-reply and resolution due times set in Freshservice; a ticket without them is measured against our targets (${targets}).`
      : `SLA deadlines are our targets per priority, first reply / resolution (${targets}).`;
  return [
    `${deadlines} A ticket still unanswered or unresolved after its deadline counts as missed; one whose deadline has not passed yet is pending and left out of the percentage.`,
    `Times are calendar time in ${timezone}. Medians and the 90th percentile cover tickets raised in the period; satisfaction counts survey answers scored 75% or more as positive.`,
  ];
}
