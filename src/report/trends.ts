/** The year of trends as both renderings show it: SVG charts for the web report and PDF, bar rows for email. */
import { barChart, NOT_COLLECTED, type ChartView } from './charts.js';
import { formatCount, formatDecimal } from './durations.js';
import type { History, HistoryEntry } from './history.js';
import { isLargeSample } from './small-sample.js';
import type { BarSegment } from './model.js';

export interface TrendRow {
  label: string;
  tickets: string;
  resolved: string;
  sla: string;
  satisfaction: string;
  hours: string;
  /** The month's tickets against the busiest month, for the email's bar. */
  bar: BarSegment[];
}

export interface TrendsView {
  /** e.g. "November 2025 – October 2026". */
  span: string;
  charts: ChartView[];
  rows: TrendRow[];
  notes: string[];
}

/** A month with nothing to measure (no tickets, no survey answers). */
const NOTHING = '–';

function shortLabel(entry: HistoryEntry): string {
  const [name, year] = entry.label.split(' ');
  return `${name!.slice(0, 3)} ${year!.slice(2)}`;
}

function percentText(value: number | null): string {
  return value === null ? NOTHING : `${formatDecimal(value, 1)}%`;
}

/** A small sample reads as a count, "2 of 3" (rows) or "2/3" (where a chart has room for no more). */
function satisfactionText(csat: HistoryEntry['csat'], countSeparator = ' of '): string {
  if (!csat) return NOT_COLLECTED;
  if (csat.responses === 0) return NOTHING;
  return isLargeSample(csat.responses) ? percentText(csat.percentPositive) : `${formatCount(csat.positive)}${countSeparator}${formatCount(csat.responses)}`;
}

/** `monthlyAllowance`: billable hours a month, drawn as a line on the hours chart. */
export function trendsView(history: History, monthlyAllowance: number | null = null): TrendsView | null {
  const entries = history.months;
  if (entries.length === 0) return null;
  const months = entries.map((entry) => ({ short: entry.label.slice(0, 3), long: entry.label }));
  const span = entries.length === 1 ? entries[0]!.label : `${entries[0]!.label} – ${entries.at(-1)!.label}`;
  const busiest = Math.max(1, ...entries.map((entry) => entry.tickets));
  const hours = (value: number) => `${formatDecimal(value, 1)} h`;
  const notes: string[] = [];
  if (history.dataSince) notes.push(`History from ${entries[0]!.label}: the helpdesk holds no older tickets.`);
  const pending = entries.filter((entry) => entry.hours === null).map((entry) => entry.label);
  if (pending.length > 0) {
    notes.push(`Hours and satisfaction for ${pending.length === 1 ? pending[0] : `${pending[0]} – ${pending.at(-1)}`} are still being collected from the helpdesk (shown as ${NOT_COLLECTED}); a later report completes them.`);
  }
  const smallSamples = entries.some((entry) => entry.csat && entry.csat.responses > 0 && !isLargeSample(entry.csat.responses));
  if (smallSamples) notes.push('Months with fewer than five survey answers show the count of positive answers instead of a percentage.');
  return {
    span,
    notes,
    rows: entries.map((entry) => ({
      label: shortLabel(entry),
      tickets: formatCount(entry.tickets),
      resolved: formatCount(entry.resolved),
      sla: percentText(entry.sla.percent),
      satisfaction: satisfactionText(entry.csat),
      hours: entry.hours === null ? NOT_COLLECTED : hours(entry.hours),
      bar: entry.tickets > 0 ? [{ tone: 'share', width: Math.max(1, Math.round((entry.tickets / busiest) * 100)), label: `${formatCount(entry.tickets)} tickets` }] : [],
    })),
    charts: [
      barChart({
        id: 'trend-tickets',
        title: 'Tickets raised and resolved',
        months,
        series: [
          { name: 'Raised', tone: 'primary', values: entries.map((entry) => entry.tickets) },
          { name: 'Resolved', tone: 'secondary', values: entries.map((entry) => entry.resolved) },
        ],
        format: formatCount,
        caption: `Tickets raised and resolved each month, ${span}: ${entries.map((entry) => `${entry.label} ${formatCount(entry.tickets)} raised, ${formatCount(entry.resolved)} resolved`).join('; ')}.`,
      }),
      barChart({
        id: 'trend-sla',
        title: 'First-reply SLA kept',
        months,
        series: [{ name: 'Kept', tone: 'primary', values: entries.map((entry) => entry.sla.percent) }],
        format: (value) => `${formatDecimal(value, 0)}%`,
        max: 100,
        blanks: entries.map(() => NOTHING),
        caption: `Share of first replies within the SLA each month, ${span}: ${entries.map((entry) => `${entry.label} ${percentText(entry.sla.percent)}`).join('; ')}.`,
      }),
      barChart({
        id: 'trend-satisfaction',
        title: 'Satisfaction (positive answers)',
        months,
        series: [{ name: 'Positive', tone: 'primary', values: entries.map((entry) => (entry.csat && isLargeSample(entry.csat.responses) ? entry.csat.percentPositive : null)) }],
        format: (value) => `${formatDecimal(value, 0)}%`,
        max: 100,
        blanks: entries.map((entry) => (entry.csat && isLargeSample(entry.csat.responses) ? null : satisfactionText(entry.csat, '/'))),
        caption: `Share of positive survey answers each month (months with fewer than five answers show the count of positive answers), ${span}: ${entries.map((entry) => `${entry.label} ${satisfactionText(entry.csat)}${entry.csat && entry.csat.responses > 0 ? ` of ${formatCount(entry.csat.responses)} answers` : ''}`).join('; ')}.`,
      }),
      barChart({
        id: 'trend-hours',
        title: monthlyAllowance === null ? 'Hours worked' : 'Billable hours against the allowance',
        months,
        series: [{ name: monthlyAllowance === null ? 'Hours' : 'Billable hours', tone: 'primary', values: entries.map((entry) => (monthlyAllowance === null ? entry.hours : entry.billableHours)) }],
        format: (value) => formatDecimal(value, value >= 100 ? 0 : 1),
        reference: monthlyAllowance === null ? undefined : { value: monthlyAllowance, label: `allowance ${hours(monthlyAllowance)}` },
        caption: `${monthlyAllowance === null ? 'Hours worked' : `Billable hours against the ${hours(monthlyAllowance)} monthly allowance`} each month, ${span}: ${entries.map((entry) => `${entry.label} ${entry.hours === null ? 'not yet collected' : hours((monthlyAllowance === null ? entry.hours : entry.billableHours) ?? 0)}`).join('; ')}.`,
      }),
    ],
  };
}
