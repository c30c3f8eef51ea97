import { describe, expect, it } from 'vitest';
import { FuturePeriodError, PeriodError, begunPeriod, parsePeriod, periodFromRange, periodLabelAsOf, previousPeriod, formatInstant, shortPeriodLabel } from '../src/period/period.js';
import { PERIOD_FORMS, looksLikePeriod, splitTrailingPeriod } from '../src/period/forms.js';

const AMS = 'Europe/Amsterdam';
const now = new Date('2026-11-03T09:00:00Z');
const parse = (text: string | undefined, timezone = AMS) => parsePeriod(text, { timezone, now });
const iso = (date: Date) => date.toISOString();

describe('parsePeriod', () => {
  it('defaults to last month (empty, undefined or "last-month")', () => {
    for (const text of [undefined, '', '  ', 'last-month', 'LAST-MONTH']) {
      const period = parse(text);
      expect(period.key).toBe('2026-10');
      expect(period.label).toBe('October 2026');
    }
  });

  it('uses the local date in the timezone for last-month/this-month', () => {
    // 2026-10-31T23:30Z is already 1 November in Amsterdam (UTC+1 after the October change).
    const lateNight = new Date('2026-10-31T23:30:00Z');
    expect(parsePeriod('this-month', { timezone: AMS, now: lateNight }).key).toBe('2026-11');
    expect(parsePeriod('this-month', { timezone: 'UTC', now: lateNight }).key).toBe('2026-10');
    expect(parsePeriod('last-month', { timezone: AMS, now: new Date('2026-01-15T12:00:00Z') }).key).toBe('2025-12');
  });

  it('parses a month with local-midnight boundaries across the October DST change', () => {
    const period = parse('2026-10');
    // 1 October is summer time (+02:00), 1 November winter time (+01:00).
    expect(iso(period.from)).toBe('2026-09-30T22:00:00.000Z');
    expect(iso(period.to)).toBe('2026-10-31T23:00:00.000Z');
    expect(formatInstant(period.from, AMS)).toBe('2026-10-01T00:00:00+02:00');
    expect(formatInstant(period.to, AMS)).toBe('2026-11-01T00:00:00+01:00');
    expect(period.timezone).toBe(AMS);
  });

  it('parses March 2026 across the spring-forward change (29 March)', () => {
    const period = parse('2026-03');
    expect(iso(period.from)).toBe('2026-02-28T23:00:00.000Z');
    expect(iso(period.to)).toBe('2026-03-31T22:00:00.000Z');
    // 31 days minus the lost hour
    expect((period.to.getTime() - period.from.getTime()) / 3_600_000).toBe(31 * 24 - 1);
  });

  it('parses a day range that spans the spring-forward day', () => {
    const period = parse('2026-03-29..2026-03-29');
    expect(period.label).toBe('29 March 2026');
    expect((period.to.getTime() - period.from.getTime()) / 3_600_000).toBe(23);
  });

  it('parses quarters, month ranges and day ranges, case-insensitive and trimmed', () => {
    const quarter = parse('  2026-q3 ');
    expect(quarter.key).toBe('2026-Q3');
    expect(quarter.label).toBe('Q3 2026');
    expect(iso(quarter.from)).toBe('2026-06-30T22:00:00.000Z');
    expect(iso(quarter.to)).toBe('2026-09-30T22:00:00.000Z');

    const months = parse('2026-07..2026-09');
    expect(months.key).toBe('2026-07..2026-09');
    expect(months.label).toBe('July – September 2026');
    expect(months.from).toEqual(quarter.from);
    expect(months.to).toEqual(quarter.to);

    expect(parse('2025-11..2026-01').label).toBe('November 2025 – January 2026');

    const days = parse('2026-10-01..2026-10-15');
    expect(days.key).toBe('2026-10-01..2026-10-15');
    expect(days.label).toBe('1 – 15 October 2026');
    expect(formatInstant(days.to, AMS)).toBe('2026-10-16T00:00:00+02:00');

    expect(parse('2026-09-28..2026-10-05').label).toBe('28 September – 5 October 2026');
    expect(parse('2025-12-28..2026-01-03').label).toBe('28 December 2025 – 3 January 2026');
  });

  it('rejects anything else with a message listing the accepted forms', () => {
    for (const text of ['2026-13', '2026-00', '2026-Q5', '2026-09..2026-07', '2026-10-15..2026-10-01', '2026-02-30..2026-03-01', 'october', '2026-10-01', 'yesterday']) {
      expect(() => parse(text), text).toThrow(PeriodError);
    }
    expect(() => parse('2026-13')).toThrow(
      '"2026-13" is not a period I understand. Use one of: 2026-10, last-month, this-month, 2026-Q3, 2026-07..2026-09, 2026-10-01..2026-10-15',
    );
    expect(PERIOD_FORMS).toContain('2026-Q3');
  });
});

describe('periods that have not begun or are still running', () => {
  it('refuses a period that starts after now, saying when it starts; one that has begun passes', () => {
    expect(() => begunPeriod(parse('2027-01'), now)).toThrow(FuturePeriodError);
    expect(() => begunPeriod(parse('2027-01'), now)).toThrow('January 2027 has not begun yet (it starts on 1 January 2027); a report covers time that has passed.');
    expect(() => begunPeriod(parse('2026-11-04..2026-11-30'), now)).toThrow(PeriodError);
    for (const text of ['this-month', 'last-month', '2026-Q4', '2026-11-03..2026-11-03', '2019-01']) {
      expect(begunPeriod(parse(text), now).key, text).toBe(parse(text).key);
    }
  });

  it('labels a period that is still running "so far", and a finished one as it is', () => {
    expect(periodLabelAsOf(parse('this-month'), now)).toBe('November 2026 so far');
    expect(periodLabelAsOf(parse('2026-Q4'), now)).toBe('Q4 2026 so far');
    expect(periodLabelAsOf(parse('2026-10'), now)).toBe('October 2026');
  });

  it('shortens month names for a comparison beside a figure', () => {
    expect(shortPeriodLabel('September 2026')).toBe('Sep 2026');
    expect(shortPeriodLabel('July – September 2026')).toBe('Jul – Sep 2026');
    expect(shortPeriodLabel('Q2 2026')).toBe('Q2 2026');
    expect(shortPeriodLabel('16 – 30 September 2026')).toBe('16 – 30 Sep 2026');
  });
});

describe('previousPeriod', () => {
  it('steps back one month, quarter, the same number of months or days', () => {
    expect(previousPeriod(parse('2026-10')).key).toBe('2026-09');
    expect(previousPeriod(parse('2026-01')).key).toBe('2025-12');
    expect(previousPeriod(parse('2026-Q1')).key).toBe('2025-Q4');
    expect(previousPeriod(parse('2026-Q3')).label).toBe('Q2 2026');
    expect(previousPeriod(parse('2026-02..2026-04')).key).toBe('2025-11..2026-01');
    expect(previousPeriod(parse('2026-10-01..2026-10-15')).key).toBe('2026-09-16..2026-09-30');
    expect(previousPeriod(parse('2026-03-01..2026-03-01')).key).toBe('2026-02-28..2026-02-28');
  });

  it('ends exactly where the period starts', () => {
    for (const text of ['2026-10', '2026-Q2', '2026-03..2026-05', '2026-03-20..2026-04-02']) {
      const period = parse(text);
      expect(previousPeriod(period).to).toEqual(period.from);
    }
  });
});

describe('periodFromRange', () => {
  it('rebuilds a month, quarter and day range from ISO instants with offsets', () => {
    const month = periodFromRange('2026-10-01T00:00:00+02:00', '2026-11-01T00:00:00+01:00', AMS);
    expect(month.key).toBe('2026-10');
    expect(month.label).toBe('October 2026');

    expect(periodFromRange('2026-07-01T00:00:00+02:00', '2026-10-01T00:00:00+02:00', AMS).key).toBe('2026-Q3');
    expect(periodFromRange('2026-08-01T00:00:00+02:00', '2026-11-01T00:00:00+01:00', AMS).key).toBe('2026-08..2026-10');
    expect(periodFromRange('2026-09-30T22:00:00Z', '2026-10-15T22:00:00Z', AMS).key).toBe('2026-10-01..2026-10-15');
  });

  it('round-trips parsePeriod', () => {
    for (const text of ['2026-10', '2026-03', '2026-Q1', '2026-02..2026-04', '2026-10-01..2026-10-15']) {
      const period = parse(text, 'America/New_York');
      const rebuilt = periodFromRange(period.from.toISOString(), period.to.toISOString(), 'America/New_York');
      expect(rebuilt.key).toBe(period.key);
      expect(rebuilt.from).toEqual(period.from);
      expect(rebuilt.to).toEqual(period.to);
    }
  });

  it('keeps arbitrary instants as an instant range', () => {
    const period = periodFromRange('2026-10-01T06:00:00Z', '2026-10-02T06:00:00Z', 'UTC');
    expect(period.key).toBe('2026-10-01T06:00:00+00:00..2026-10-02T06:00:00+00:00');
    expect(previousPeriod(period).to).toEqual(period.from);
  });
});

describe('period forms in what people type', () => {
  it('recognises period shapes only', () => {
    expect(looksLikePeriod('2026-10')).toBe(true);
    expect(looksLikePeriod('2026-Q3')).toBe(true);
    expect(looksLikePeriod('2026-10-01..2026-10-15')).toBe(true);
    expect(looksLikePeriod('Acme')).toBe(false);
    expect(looksLikePeriod('54')).toBe(false);
  });

  it('takes a trailing period off the words, in every spelling', () => {
    const split = (...words: string[]) => splitTrailingPeriod(words, (word) => word);
    expect(split('Acme', 'Corp', '2026-10')).toEqual({ rest: ['Acme', 'Corp'], period: '2026-10' });
    expect(split('Acme', 'Last', 'Month')).toEqual({ rest: ['Acme'], period: 'last-month' });
    expect(split('Acme', '2026-07', '..', '2026-09')).toEqual({ rest: ['Acme'], period: '2026-07..2026-09' });
    expect(split('Acme', '2026-Q3')).toEqual({ rest: ['Acme'], period: '2026-q3' });
    expect(split('Acme', '2026-13')).toEqual({ rest: ['Acme'], period: '2026-13' });
    expect(split('Acme', 'Corp')).toEqual({ rest: ['Acme', 'Corp'] });
    expect(split('2026-10')).toEqual({ rest: [], period: '2026-10' });
  });

  it('never reads a word the caller marks as a name as a period', () => {
    const words = [{ text: 'Acme' }, { text: '2026-10', quoted: true }];
    expect(splitTrailingPeriod(words, (word) => (word.quoted ? '' : word.text))).toEqual({ rest: words });
  });
});
