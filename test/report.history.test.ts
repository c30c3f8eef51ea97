import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { parsePeriod, trailingMonths } from '../src/period/period.js';
import { belongsToPeriod, computeHistory } from '../src/report/history.js';
import { computeMetrics } from '../src/report/metrics.js';
import { renderReport } from '../src/report/render.js';
import { buildReportModel } from '../src/report/model.js';
import { entryFromReport } from './support/history.js';
import { SAMPLE_AS_OF, SAMPLE_BRAND, SAMPLE_TIMEZONE, sampleYear } from './fixtures/report-sample.js';

const october = parsePeriod('2026-10', { timezone: SAMPLE_TIMEZONE, now: SAMPLE_AS_OF });
const months = trailingMonths(october, 12);
const year = sampleYear({ tickets: 140 });

describe('a year of trends', () => {
  it('has one entry per month for the twelve months ending with the period, each as that month\'s own report counts it', () => {
    const history = computeHistory(year, { months, asOf: SAMPLE_AS_OF });
    expect(history.months.map((entry) => entry.month)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
    expect(history.dataSince).toBeNull();
    for (const month of months) {
      // What a monthly pull of this month would have given: the tickets created, resolved or open in it.
      const own = computeMetrics({ ...year, tickets: year.tickets.filter((ticket) => belongsToPeriod(ticket, month.from, month.to)) }, { period: month, asOf: SAMPLE_AS_OF });
      expect(history.months.find((entry) => entry.month === month.key)).toEqual(entryFromReport(month, own));
    }
    expect(history.months.at(-1)!.tickets).toBe(year.tickets.filter((ticket) => ticket.id >= 100_000 && ticket.id < 200_000 && Date.parse(ticket.created_at) >= october.from.getTime()).length);
  });

  it('starts when the account\'s records start, and says so', () => {
    const history = computeHistory(year, { months, asOf: SAMPLE_AS_OF, accountSince: '2026-03-14T08:00:00Z' });
    expect(history.months.map((entry) => entry.month)).toEqual(['2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
    expect(history.dataSince).toBe('2026-03');
    const view = buildReportModel({ dataset: year, metrics: computeMetrics(year, { period: october, asOf: SAMPLE_AS_OF }), history, brand: SAMPLE_BRAND, asOf: SAMPLE_AS_OF });
    expect(view.trends!.notes).toContain('History from March 2026: the helpdesk holds no older tickets.');
    expect(view.trends!.span).toBe('March 2026 – October 2026');
  });

  it('leaves hours and satisfaction out of months whose tickets were not all read yet, and says they follow', () => {
    const february = months[3]!;
    const unenriched = year.tickets.filter((ticket) => belongsToPeriod(ticket, february.from, february.to)).slice(0, 3).map((ticket) => ticket.id);
    const history = computeHistory({ ...year, unenriched }, { months, asOf: SAMPLE_AS_OF });
    const entry = history.months.find((candidate) => candidate.month === '2026-02')!;
    expect(entry).toMatchObject({ hours: null, billableHours: null, csat: null });
    expect(entry.tickets).toBeGreaterThan(0);
    expect(history.months.filter((candidate) => candidate.hours === null).length).toBeGreaterThanOrEqual(1);
    const view = buildReportModel({ dataset: year, metrics: computeMetrics(year, { period: october, asOf: SAMPLE_AS_OF }), history, brand: SAMPLE_BRAND, asOf: SAMPLE_AS_OF });
    expect(view.trends!.notes.join(' ')).toMatch(/^Hours and satisfaction for .*February 2026.* are still being collected from the helpdesk \(shown as …\); a later report completes them\./);
    expect(view.trends!.rows.find((row) => row.label === 'Feb 26')).toMatchObject({ hours: '…', satisfaction: '…' });
  });

  it('marks a month without a bar by why: the count for a few survey answers, – for none, … for not read yet', () => {
    const history = computeHistory(year, { months, asOf: SAMPLE_AS_OF });
    const [few, none, unread, quiet] = history.months;
    few!.csat = { responses: 3, positive: 2, percentPositive: 66.7 };
    none!.csat = { responses: 0, positive: 0, percentPositive: null };
    Object.assign(unread!, { csat: null, hours: null, billableHours: null });
    Object.assign(quiet!, { sla: { met: 0, missed: 0, percent: null }, csat: { responses: 8, positive: 6, percentPositive: 75 } });
    const view = buildReportModel({ dataset: year, metrics: computeMetrics(year, { period: october, asOf: SAMPLE_AS_OF }), history, brand: SAMPLE_BRAND, asOf: SAMPLE_AS_OF });
    const web = new JSDOM(renderReport(view, 'web')).window.document;
    const blanks = (chart: string) => [...web.querySelectorAll(`#${chart} text.value`)].slice(0, 4).map((text) => text.textContent);
    expect(blanks('trend-satisfaction')).toEqual(['2/3', '–', '…', '75%']);
    expect(blanks('trend-hours')[2]).toBe('…');
    expect(blanks('trend-sla')[3]).toBe('–');
    expect(view.trends!.rows.slice(0, 3).map((row) => row.satisfaction)).toEqual(['2 of 3', '–', '…']);
  });

  it('draws static SVG charts in the web report and bar rows in the email, with the same figures', () => {
    const history = computeHistory(year, { months, asOf: SAMPLE_AS_OF });
    const view = buildReportModel({ dataset: year, metrics: computeMetrics(year, { period: october, asOf: SAMPLE_AS_OF }), history, brand: { ...SAMPLE_BRAND, color: '#ffe600' }, asOf: SAMPLE_AS_OF });
    const web = new JSDOM(renderReport(view, 'web')).window.document;
    const email = new JSDOM(renderReport(view, 'email')).window.document;
    const charts = [...web.querySelectorAll('figure.chart svg')];
    expect(charts).toHaveLength(4);
    const tickets = web.querySelector('#trend-tickets svg')!;
    expect([...tickets.querySelectorAll('text.month')].map((text) => text.textContent)).toEqual(['Nov', 'Dec', 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct']);
    expect([...tickets.querySelectorAll('text.value')].map((text) => text.textContent)).toEqual(history.months.map((entry) => String(entry.tickets)));
    expect(tickets.getAttribute('aria-label')).toContain(`October 2026 ${history.months.at(-1)!.tickets} raised`);
    // A pale brand colour is darkened for chart bars so they stand out on white.
    expect(tickets.querySelector('rect')!.getAttribute('fill')).toBe(view.brand.colors.chart);
    expect(view.brand.colors.chart).not.toBe('#ffe600');
    expect(web.querySelectorAll('.trends script, .trends foreignObject')).toHaveLength(0);

    const rows = [...email.querySelectorAll('table.trend-rows > tbody > tr')].slice(1);
    expect(rows).toHaveLength(12);
    expect(rows[11]!.textContent!.replace(/\s+/g, ' ').trim()).toBe(`Oct 26 ${history.months[11]!.tickets} ${view.trends!.rows[11]!.sla} ${view.trends!.rows[11]!.satisfaction} ${view.trends!.rows[11]!.hours}`);
    expect(email.querySelector('.trends svg')).toBeNull();
  });
});
