import dayjs from 'dayjs';
import timezonePlugin from 'dayjs/plugin/timezone.js';
import utcPlugin from 'dayjs/plugin/utc.js';
import { DEFAULT_PERIOD, PERIOD_FORMS } from './forms.js';
import { UserFacingError } from '../errors.js';

dayjs.extend(utcPlugin);
dayjs.extend(timezonePlugin);

/** A reporting period: half-open [from, to) whose boundaries are local midnights in `timezone`. */
export interface Period {
  from: Date;
  to: Date;
  timezone: string;
  /** Stable identifier, e.g. `2026-10`, `2026-Q3`, `2026-07..2026-09`, `2026-10-01..2026-10-15`. */
  key: string;
  /** What a reader sees, e.g. `October 2026`, `Q3 2026`, `July – September 2026`, `1 – 15 October 2026`. */
  label: string;
}

export class PeriodError extends UserFacingError {
  /** The mistake alone, for surfaces that show the accepted forms beside it. */
  readonly problem: string;

  constructor(text: string, problem = `"${text}" is not a period I understand.`, message = `${problem} Use one of: ${PERIOD_FORMS.join(', ')}`) {
    super(message);
    this.name = 'PeriodError';
    this.problem = problem;
  }
}

/** A period that has not begun: there is nothing to report yet. */
export class FuturePeriodError extends PeriodError {
  constructor(period: Period) {
    const sentence = `${period.label} has not begun yet (it starts on ${dayjs(period.from).tz(period.timezone).format('D MMMM YYYY')}); a report covers time that has passed.`;
    super(period.key, sentence, sentence);
    this.name = 'FuturePeriodError';
  }
}

/** `period` when it has begun by `now`; throws FuturePeriodError when it starts later. */
export function begunPeriod(period: Period, now: Date): Period {
  if (period.from.getTime() > now.getTime()) throw new FuturePeriodError(period);
  return period;
}

/** The period's label as of `asOf`: "November 2026 so far" while the period is still running. */
export function periodLabelAsOf(period: Pick<Period, 'label' | 'to'>, asOf: Date): string {
  return asOf.getTime() < period.to.getTime() ? `${period.label} so far` : period.label;
}

/** The label with months shortened, for a comparison beside a figure: "Sep 2026", "Jul – Sep 2026", "Q3 2026". */
export function shortPeriodLabel(label: string): string {
  return label.replace(MONTH_NAME_PATTERN, (name) => name.slice(0, 3));
}

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

const MONTH_NAME_PATTERN = new RegExp(`\\b(${MONTH_NAMES.join('|')})\\b`, 'g');

/** A calendar month; `month` is 1–12. */
interface YearMonth { year: number; month: number }
/** A calendar day; `month` is 1–12. */
interface CalendarDay extends YearMonth { day: number }

export function parsePeriod(text: string | undefined, options: { timezone: string; now: Date }): Period {
  const original = text ?? '';
  const normalised = original.trim().toLowerCase();
  const { timezone } = options;

  if (normalised === '' || normalised === DEFAULT_PERIOD) {
    const today = localDay(options.now, timezone);
    return monthsPeriod(addMonths(today, -1), 1, timezone);
  }
  if (normalised === 'this-month') {
    return monthsPeriod(localDay(options.now, timezone), 1, timezone);
  }

  let match = /^(\d{4})-(\d{2})$/.exec(normalised);
  if (match) {
    const month = parseMonth(match[1], match[2]);
    if (!month) throw new PeriodError(original);
    return monthsPeriod(month, 1, timezone);
  }

  match = /^(\d{4})-q([1-4])$/.exec(normalised);
  if (match) {
    return quarterPeriod(Number(match[1]), Number(match[2]), timezone);
  }

  match = /^(\d{4})-(\d{2})\s*\.\.\s*(\d{4})-(\d{2})$/.exec(normalised);
  if (match) {
    const first = parseMonth(match[1], match[2]);
    const last = parseMonth(match[3], match[4]);
    if (!first || !last) throw new PeriodError(original);
    const count = monthIndex(last) - monthIndex(first) + 1;
    if (count < 1) throw new PeriodError(original);
    return monthsPeriod(first, count, timezone);
  }

  match = /^(\d{4})-(\d{2})-(\d{2})\s*\.\.\s*(\d{4})-(\d{2})-(\d{2})$/.exec(normalised);
  if (match) {
    const first = parseDay(match[1], match[2], match[3]);
    const last = parseDay(match[4], match[5], match[6]);
    if (!first || !last || dayIndex(last) < dayIndex(first)) throw new PeriodError(original);
    return daysPeriod(first, last, timezone);
  }

  throw new PeriodError(original);
}

/** The period of the same length right before `period` (previous month, quarter, N months or N days). */
export function previousPeriod(period: Period): Period {
  const { key, timezone } = period;
  let match = /^(\d{4})-(\d{2})$/.exec(key);
  if (match) return monthsPeriod(addMonths({ year: Number(match[1]), month: Number(match[2]) }, -1), 1, timezone);

  match = /^(\d{4})-Q([1-4])$/.exec(key);
  if (match) {
    const quarter = Number(match[2]);
    return quarter === 1
      ? quarterPeriod(Number(match[1]) - 1, 4, timezone)
      : quarterPeriod(Number(match[1]), quarter - 1, timezone);
  }

  match = /^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$/.exec(key);
  if (match) {
    const first = { year: Number(match[1]), month: Number(match[2]) };
    const last = { year: Number(match[3]), month: Number(match[4]) };
    const count = monthIndex(last) - monthIndex(first) + 1;
    return monthsPeriod(addMonths(first, -count), count, timezone);
  }

  match = /^(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (match) {
    const first = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
    const last = { year: Number(match[4]), month: Number(match[5]), day: Number(match[6]) };
    const length = dayIndex(last) - dayIndex(first) + 1;
    return daysPeriod(dayFromIndex(dayIndex(first) - length), dayFromIndex(dayIndex(first) - 1), timezone);
  }

  const length = period.to.getTime() - period.from.getTime();
  return instantsPeriod(new Date(period.from.getTime() - length), period.from, timezone);
}

/**
 * The `count` calendar months ending with the month in which `period` ends (its last instant), oldest
 * first: the months of a year of trends for a monthly report, or for any shorter or longer period.
 */
export function trailingMonths(period: Period, count: number): Period[] {
  const last = localDay(new Date(period.to.getTime() - 1), period.timezone);
  return Array.from({ length: count }, (_, index) => monthsPeriod(addMonths(last, index - count + 1), 1, period.timezone));
}

/** How many calendar months `period` spans, part months by their share of days: 1 for a month, 3 for a quarter, ~0.48 for 1–15 October. */
export function monthsIn(period: Period): number {
  let total = 0;
  let month = localDay(period.from, period.timezone);
  for (;;) {
    const start = localMidnight({ ...month, day: 1 }, period.timezone);
    if (start >= period.to) break;
    const end = localMidnight({ ...addMonths(month, 1), day: 1 }, period.timezone);
    const covered = Math.min(end.getTime(), period.to.getTime()) - Math.max(start.getTime(), period.from.getTime());
    total += Math.max(0, covered) / (end.getTime() - start.getTime());
    month = { ...addMonths(month, 1), day: 1 };
  }
  return Math.round(total * 1000) / 1000;
}

/** One period from the first of `months` to the end of the last (e.g. `2025-11..2026-10`). */
export function spanOf(months: Period[]): Period {
  const first = localDay(months[0]!.from, months[0]!.timezone);
  return monthsPeriod(first, months.length, months[0]!.timezone);
}

/**
 * Rebuild a Period from a dataset's ISO instants. Whole months become a month, a calendar quarter
 * (`2026-Q3`) or a month range; whole days a day range; anything else an instant range.
 */
export function periodFromRange(from: string, to: string, timezone: string): Period {
  const fromDate = new Date(from);
  const toDate = new Date(to);
  if (Number.isNaN(fromDate.getTime()) || Number.isNaN(toDate.getTime()) || toDate <= fromDate) {
    throw new PeriodError(`${from}..${to}`);
  }
  const first = localDay(fromDate, timezone);
  const end = localDay(toDate, timezone);
  const wholeDays =
    localMidnight(first, timezone).getTime() === fromDate.getTime() &&
    localMidnight(end, timezone).getTime() === toDate.getTime();
  if (!wholeDays) return instantsPeriod(fromDate, toDate, timezone);

  if (first.day === 1 && end.day === 1) {
    const count = monthIndex(end) - monthIndex(first);
    if (count === 3 && (first.month - 1) % 3 === 0) {
      return quarterPeriod(first.year, (first.month - 1) / 3 + 1, timezone);
    }
    return monthsPeriod(first, count, timezone);
  }
  return daysPeriod(first, dayFromIndex(dayIndex(end) - 1), timezone);
}

/** An ISO 8601 instant with the timezone's offset, e.g. `2026-10-01T00:00:00+02:00`. */
export function formatInstant(date: Date, timezone: string): string {
  return dayjs(date).tz(timezone).format('YYYY-MM-DDTHH:mm:ssZ');
}

function monthsPeriod(first: YearMonth, count: number, timezone: string): Period {
  const last = addMonths(first, count - 1);
  const from = localMidnight({ ...first, day: 1 }, timezone);
  const to = localMidnight({ ...addMonths(first, count), day: 1 }, timezone);
  if (count === 1) {
    return { from, to, timezone, key: monthKey(first), label: `${MONTH_NAMES[first.month - 1]} ${first.year}` };
  }
  const label =
    first.year === last.year
      ? `${MONTH_NAMES[first.month - 1]} – ${MONTH_NAMES[last.month - 1]} ${last.year}`
      : `${MONTH_NAMES[first.month - 1]} ${first.year} – ${MONTH_NAMES[last.month - 1]} ${last.year}`;
  return { from, to, timezone, key: `${monthKey(first)}..${monthKey(last)}`, label };
}

function quarterPeriod(year: number, quarter: number, timezone: string): Period {
  const months = monthsPeriod({ year, month: (quarter - 1) * 3 + 1 }, 3, timezone);
  return { ...months, key: `${year}-Q${quarter}`, label: `Q${quarter} ${year}` };
}

function daysPeriod(first: CalendarDay, last: CalendarDay, timezone: string): Period {
  const from = localMidnight(first, timezone);
  const to = localMidnight(dayFromIndex(dayIndex(last) + 1), timezone);
  return { from, to, timezone, key: `${dayKey(first)}..${dayKey(last)}`, label: dayRangeLabel(first, last) };
}

function instantsPeriod(from: Date, to: Date, timezone: string): Period {
  const format = (date: Date) => dayjs(date).tz(timezone).format('D MMMM YYYY HH:mm');
  return {
    from,
    to,
    timezone,
    key: `${formatInstant(from, timezone)}..${formatInstant(to, timezone)}`,
    label: `${format(from)} – ${format(to)}`,
  };
}

function dayRangeLabel(first: CalendarDay, last: CalendarDay): string {
  const monthName = (day: CalendarDay) => MONTH_NAMES[day.month - 1];
  if (dayIndex(first) === dayIndex(last)) return `${first.day} ${monthName(first)} ${first.year}`;
  if (first.year !== last.year) {
    return `${first.day} ${monthName(first)} ${first.year} – ${last.day} ${monthName(last)} ${last.year}`;
  }
  if (first.month !== last.month) {
    return `${first.day} ${monthName(first)} – ${last.day} ${monthName(last)} ${last.year}`;
  }
  return `${first.day} – ${last.day} ${monthName(last)} ${last.year}`;
}

/** The instant of local midnight starting `day` in `timezone` (dayjs resolves the offset, DST included). */
function localMidnight(day: CalendarDay, timezone: string): Date {
  return dayjs.tz(`${dayKey(day)} 00:00:00`, timezone).toDate();
}

function localDay(date: Date, timezone: string): CalendarDay {
  const local = dayjs(date).tz(timezone);
  return { year: local.year(), month: local.month() + 1, day: local.date() };
}

function parseMonth(year: string, month: string): YearMonth | null {
  const value = { year: Number(year), month: Number(month) };
  return value.month >= 1 && value.month <= 12 ? value : null;
}

function parseDay(year: string, month: string, day: string): CalendarDay | null {
  const value = { year: Number(year), month: Number(month), day: Number(day) };
  if (value.month < 1 || value.month > 12 || value.day < 1) return null;
  const daysInMonth = new Date(Date.UTC(value.year, value.month, 0)).getUTCDate();
  return value.day <= daysInMonth ? value : null;
}

function monthIndex(value: YearMonth): number {
  return value.year * 12 + (value.month - 1);
}

function addMonths(value: YearMonth, count: number): YearMonth {
  const index = monthIndex(value) + count;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

const DAY_MS = 86_400_000;

function dayIndex(day: CalendarDay): number {
  return Date.UTC(day.year, day.month - 1, day.day) / DAY_MS;
}

function dayFromIndex(index: number): CalendarDay {
  const date = new Date(index * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function monthKey(value: YearMonth): string {
  return `${value.year}-${String(value.month).padStart(2, '0')}`;
}

function dayKey(day: CalendarDay): string {
  return `${monthKey(day)}-${String(day.day).padStart(2, '0')}`;
}
