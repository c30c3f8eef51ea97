import { describe, expect, it } from 'vitest';
import type { Dataset } from '../src/sources/helpdesk.js';
import { computeMetrics, type Metrics } from '../src/report/metrics.js';
import { renderReport } from '../src/report/render.js';
import { buildReportModel } from '../src/report/model.js';
import { SAMPLE_AS_OF, SAMPLE_BRAND, sampleDataset } from './fixtures/report-sample.js';

function report(dataset: Dataset, previous: Metrics | null, extra: { accountSince?: string | null; asOf?: Date } = {}) {
  const asOf = extra.asOf ?? SAMPLE_AS_OF;
  const metrics = computeMetrics(dataset, { asOf });
  const model = buildReportModel({ dataset, metrics, previous, brand: SAMPLE_BRAND, accountSince: extra.accountSince, asOf });
  return { metrics, model, web: renderReport(model, 'web'), email: renderReport(model, 'email') };
}

const previousMonth = computeMetrics(sampleDataset({ tickets: 110, monthsBack: 1, seed: 9 }), { asOf: SAMPLE_AS_OF });

describe('figures a client can trust', () => {
  it('names the period every change is measured against', () => {
    const { model, email } = report(sampleDataset({ tickets: 140 }), previousMonth);
    const changes = model.kpis.flatMap((tile) => (tile.change ? [tile.change.text] : []));
    expect(changes.length).toBeGreaterThanOrEqual(5);
    for (const text of changes) expect(text).toMatch(/ vs Sep 2026$/);
    expect(email).toContain('vs Sep 2026');
  });

  it('below five judged tickets or survey answers shows counts, never a percentage or a change in points', () => {
    const dataset = sampleDataset({ tickets: 3, seed: 7 });
    dataset.tickets.forEach((ticket, index) => {
      ticket.csat_response = index === 0 ? { id: 1, overall_rating: null, overall_rating_text: 'Happy', created_at: '2026-10-20T10:00:00Z', updated_at: '2026-10-20T10:00:00Z' } : null;
    });
    const { model } = report(dataset, previousMonth);
    const tile = (label: string) => model.kpis.find((kpi) => kpi.label === label)!;
    expect(tile('Satisfaction')).toMatchObject({ value: '1 of 1 positive', change: null });
    expect(tile('SLA kept').value).toMatch(/^\d of \d met$/);
    expect(tile('SLA kept').note).toMatch(/^first reply · resolution (\d of \d met|–)$/);
    expect(tile('SLA kept').change).toBeNull();
    expect(tile('Tickets').change?.text).toMatch(/vs Sep 2026$/);
  });

  it('says from when the helpdesk has data when the period starts before it', () => {
    const dataset = sampleDataset({ tickets: 20 });
    const later = report(dataset, null, { accountSince: '2026-10-12T08:00:00Z' });
    expect(later.model.dataSince).toBe('The helpdesk holds tickets from 12 Oct 2026 on; this report counts nothing earlier.');
    expect(later.web).toContain('The helpdesk holds tickets from 12 Oct 2026 on');
    expect(report(dataset, null, { accountSince: '2025-01-01T00:00:00Z' }).model.dataSince).toBeNull();
  });

  it('explains why "Open at end" is more than the open tickets in the table', () => {
    const dataset = sampleDataset({ tickets: 30, seed: 3 });
    const ticket = dataset.tickets.find((candidate) => candidate.status === 2 || candidate.status === 3)!;
    ticket.status = 4;
    ticket.stats = { ...ticket.stats!, resolved_at: '2026-11-02T10:00:00Z' };
    const { model, metrics } = report(dataset, null);
    const openInTable = model.tickets.filter((row) => !/Resolved|Closed/.test(row.status)).length;
    expect(metrics.tickets.openAtEnd).toBeGreaterThan(openInTable);
    expect(model.ticketsNote).toBe(`"Open at end" counts the ${metrics.tickets.openAtEnd} tickets open at the end of 31 Oct 2026; ${metrics.tickets.openAtEnd - openInTable} of them were resolved since, and the Status column shows each ticket as it is today.`);
  });

  it('labels a period still running "so far"', () => {
    const { model } = report(sampleDataset({ tickets: 20 }), null, { asOf: new Date('2026-10-20T12:00:00Z') });
    expect(model.period.label).toBe('October 2026 so far');
    expect(model.title).toContain('October 2026 so far');
  });
});
