import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../src/sources/helpdesk.js';
import { computeMetrics, type Metrics } from '../src/report/metrics.js';
import { renderReport } from '../src/report/render.js';
import { buildReportModel } from '../src/report/model.js';
import { SAMPLE_AS_OF, SAMPLE_BRAND, sampleDataset } from './fixtures/report-sample.js';

function report(dataset: Dataset, previous: Metrics | null = null) {
  const metrics = computeMetrics(dataset, { asOf: SAMPLE_AS_OF });
  const view = buildReportModel({ dataset, metrics, previous, brand: SAMPLE_BRAND, fullReportUrl: 'https://reports.example.com/r/1', asOf: SAMPLE_AS_OF });
  return { metrics, view, email: renderReport(view, 'email'), web: renderReport(view, 'web') };
}

/** Digit runs as written ("94.5", "1,234", "10023"). */
const numbersIn = (text: string) => text.match(/\d[\d,.]*\d|\d/g) ?? [];

/** The summary's text, and the rest of the page's text without it. */
function split(html: string): { summary: string; rest: string } {
  const document = new JSDOM(html).window.document;
  const summary = document.querySelector('.summary')!;
  const text = summary.textContent!.replace(/\s+/g, ' ').trim();
  summary.remove();
  return { summary: text, rest: document.body.textContent!.replace(/\s+/g, ' ') };
}

function expectEveryNumberBelow(html: string): string {
  const { summary, rest } = split(html);
  for (const number of numbersIn(summary)) expect(rest, `"${number}" from: ${summary}`).toContain(number);
  return summary;
}

const sentences = (summary: string) => summary.split(/(?<=[.!?])\s+(?=[A-Z0-9“])/);
const previousMonth = computeMetrics(sampleDataset({ tickets: 110, monthsBack: 1, seed: 9 }), { asOf: SAMPLE_AS_OF });

describe('the executive summary', () => {
  it('says, in three to five sentences, how many tickets, the SLA kept and what moved it, and satisfaction with its answer count', () => {
    const { view, metrics, email, web } = report(sampleDataset({ tickets: 140 }), previousMonth);
    expect(view.summary.length).toBeGreaterThanOrEqual(3);
    expect(view.summary.length).toBeLessThanOrEqual(5);
    const [volume, sla, satisfaction] = view.summary;
    expect(volume).toContain(`raised ${metrics.tickets.created} tickets in October 2026, ${Math.abs(metrics.tickets.created - previousMonth.tickets.created)} more than in September 2026`);
    expect(sla).toMatch(new RegExp(`^We replied within the agreed time to ${metrics.sla.firstResponse.percent}% of tickets, (up|down) [\\d.]+ pts on September 2026; `));
    expect(satisfaction).toMatch(new RegExp(`of ${metrics.csat.responses} survey answers were positive`));
    for (const html of [email, web]) {
      const summary = expectEveryNumberBelow(html);
      expect(sentences(summary)).toHaveLength(view.summary.length);
    }
  });

  it('names the priority behind most late first replies, as the SLA section lists them', () => {
    const dataset = sampleDataset({ tickets: 60, seed: 4 });
    for (const ticket of dataset.tickets.slice(0, 25)) {
      ticket.priority = 4;
      ticket.stats = { ...ticket.stats!, first_responded_at: new Date(Date.parse(ticket.created_at) + 5 * 3_600_000).toISOString() };
    }
    const { view, web } = report(dataset);
    expect(view.sla[0]!.missedDetail).toMatch(/^Missed: Urgent \d+/);
    const urgent = Number(/Urgent (\d+)/.exec(view.sla[0]!.missedDetail!)![1]);
    expect(view.summary[1]).toContain(`Urgent tickets were most of the ${view.sla[0]!.counts.match(/(\d+) missed/)![1]} late ones (${urgent})`);
    expectEveryNumberBelow(web);
  });

  it('points out a category that more than doubled, the longest-open ticket and proactive work', () => {
    const dataset = sampleDataset({ tickets: 80, seed: 21 });
    for (const ticket of dataset.tickets.slice(0, 40)) ticket.category = 'Network';
    const quiet = sampleDataset({ tickets: 40, monthsBack: 1, seed: 22 });
    for (const ticket of quiet.tickets) if (ticket.category === 'Network') ticket.category = 'Hardware';
    const { view, web } = report(dataset, computeMetrics(quiet, { asOf: SAMPLE_AS_OF }));
    expect(view.summary[3]).toMatch(/^Network stood out with \d+ tickets, more than twice as many as in September 2026\.$/);
    expect(view.summary).toHaveLength(5);
    expectEveryNumberBelow(web);
  });

  it('reads well with a handful of tickets and one survey answer, comparing no percentages', () => {
    const dataset = sampleDataset({ tickets: 3, seed: 7 });
    dataset.tickets.forEach((ticket, index) => {
      ticket.csat_response = index === 0 ? { id: 1, overall_rating: null, overall_rating_text: 'Happy', created_at: '2026-10-20T10:00:00Z', updated_at: '2026-10-20T10:00:00Z' } : null;
    });
    const { view, email } = report(dataset, previousMonth);
    expect(view.summary[2]).toBe('1 of 1 survey answer was positive, too few to read as a trend.');
    expect(view.summary[1]).toMatch(/^\d+ first repl(y|ies) met the SLA and \d+ missed it\.$/);
    const tile = view.kpis.find((kpi) => kpi.label === 'Satisfaction')!;
    expect(tile).toMatchObject({ value: '1 of 1 positive', note: 'too few answers to compare', change: null });
    const sla = view.kpis.find((kpi) => kpi.label === 'SLA kept')!;
    expect(sla.value).toMatch(/^\d of \d met$/);
    expect(sla.change).toBeNull();
    expectEveryNumberBelow(email);
  });

  it('reads well in a month without tickets, with or without older ones still open', () => {
    const empty = report(sampleDataset({ tickets: 0 }), previousMonth);
    expect(empty.view.summary).toEqual([
      'No tickets were raised in October 2026 and nothing was left open.',
      'With no new tickets there were no response times to measure.',
      'No satisfaction surveys were answered in this period.',
    ]);
    expectEveryNumberBelow(empty.email);

    const leftover = sampleDataset({ tickets: 1 });
    leftover.tickets[0] = { ...leftover.tickets[0]!, created_at: '2026-08-03T09:00:00Z', status: 2, stats: { first_responded_at: '2026-08-03T10:00:00Z', resolved_at: null, closed_at: null } };
    const { view, web } = report(leftover);
    expect(view.summary[0]).toBe('No new tickets were raised in October 2026; 1 ticket raised earlier was still open at the end of the month.');
    expect(view.summary.at(-1)).toMatch(/^The longest-open ticket, “.+” \(#10000\), had been open [\d.]+ days at the end of the month\.$/);
    expectEveryNumberBelow(web);
  });

  it('is the same text for the same figures', () => {
    const dataset = sampleDataset({ tickets: 50, seed: 8 });
    expect(report(dataset, previousMonth).view.summary).toEqual(report(structuredClone(dataset), previousMonth).view.summary);
  });
});
