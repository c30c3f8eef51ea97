import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../src/sources/helpdesk.js';
import { neutraliseMergeTags } from '../src/report/escape.js';
import { computeMetrics, type Metrics } from '../src/report/metrics.js';
import { byteLength, EMAIL_BYTE_LIMIT, PDF_TICKET_LIMIT, renderReport } from '../src/report/render.js';
import { buildReportModel } from '../src/report/model.js';
import { SAMPLE_AS_OF, SAMPLE_BRAND, sampleDataset } from './fixtures/report-sample.js';

const SCRIPT = '<script>alert(1)</script>';
const MERGE_TAG = '*|FNAME|*';
const HANDLEBARS = '{{x}} {{> evil}} {{#each y}}';
const RTL = 'שלום, המדפסת לא עובדת';
const HOSTILE = [SCRIPT, `Offer for ${MERGE_TAG}`, HANDLEBARS, RTL];
const FULL_URL = 'https://reports.example.com/r/abc?sig=1&x=2';

function report(dataset: Dataset, options: { previous?: Metrics | null; fullReportUrl?: string } = {}) {
  const metrics = computeMetrics(dataset, { asOf: SAMPLE_AS_OF });
  const view = buildReportModel({ dataset, metrics, previous: options.previous, brand: SAMPLE_BRAND, fullReportUrl: options.fullReportUrl, asOf: SAMPLE_AS_OF });
  return { metrics, view, email: renderReport(view, 'email'), web: renderReport(view, 'web') };
}

const documentOf = (html: string) => new JSDOM(html).window.document;
const kpi = (html: string, label: string) => documentOf(html).querySelector(`[data-kpi="${label}"]`)?.textContent?.replace(/\s+/g, ' ').trim();

/** Hostile subjects on the period's longest-open tickets, so the email's short list shows them too. */
function hostileDataset() {
  const dataset = sampleDataset({ tickets: 30, subjects: HOSTILE });
  HOSTILE.forEach((_subject, index) => {
    dataset.tickets[index] = { ...dataset.tickets[index]!, status: 2, created_at: `2026-08-0${index + 1}T08:00:00Z`, stats: { first_responded_at: null, resolved_at: null, closed_at: null } };
  });
  dataset.client.name = 'Acme <b>&</b> *|LNAME|*';
  return dataset;
}

describe('renderReport: outside text stays text', () => {
  const dataset = hostileDataset();
  const { email, web } = report(dataset);

  it('escapes HTML in subjects and names in both renderings', () => {
    for (const html of [email, web]) {
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain(SCRIPT);
      expect(html).not.toContain('<b>&</b>');
      const text = documentOf(html).body.textContent!;
      expect(text).toContain(SCRIPT);
      expect(text).toContain('Acme <b>&</b>');
    }
  });

  it('has no script at all in the email, and only its own sorting script in the web page', () => {
    expect(email.toLowerCase()).not.toContain('<script');
    expect(web.match(/<script/gi)).toHaveLength(1);
    expect(documentOf(web).querySelector('script')!.textContent).toContain("getElementById('tickets')");
  });

  it('neutralises Mailchimp merge tags in the email but still shows them', () => {
    expect(email).not.toContain('*|');
    expect(email).not.toContain('|*');
    expect(email).toContain('&#42;|FNAME|&#42;');
    expect(documentOf(email).body.textContent).toContain(`Offer for ${MERGE_TAG}`);
    expect(documentOf(email).querySelector('h1')!.textContent).toBe('Acme <b>&</b> *|LNAME|*');
    expect(web).toContain(MERGE_TAG);
  });

  it('never compiles Handlebars found in ticket data', () => {
    for (const html of [email, web]) expect(documentOf(html).body.textContent).toContain(HANDLEBARS);
  });

  it('lets right-to-left subjects pick their own direction', () => {
    for (const [html, selector] of [[email, '.notable span'], [web, 'table.tickets td']] as const) {
      const cell = [...documentOf(html).querySelectorAll(selector)].find((element) => element.textContent!.startsWith(RTL));
      expect(cell, 'element with the RTL subject').toBeDefined();
      expect(cell!.getAttribute('dir')).toBe('auto');
    }
  });
});

describe('renderReport: figures', () => {
  it('shows the KPI values from the metrics, with change against the previous period', () => {
    const previous = computeMetrics(sampleDataset({ tickets: 20, monthsBack: 1, seed: 3 }), { asOf: SAMPLE_AS_OF });
    const { metrics, email, web } = report(sampleDataset({ tickets: 40 }), { previous });
    for (const html of [email, web]) {
      expect(kpi(html, 'Tickets')).toContain(`Tickets ${metrics.tickets.created} `);
      expect(kpi(html, 'Resolved')).toContain(`Resolved ${metrics.tickets.resolvedInPeriod} `);
      expect(kpi(html, 'Open at end')).toContain(`Open at end ${metrics.tickets.openAtEnd} `);
      expect(kpi(html, 'SLA kept')).toContain(`SLA kept ${metrics.sla.firstResponse.percent}%`);
      expect(kpi(html, 'Hours worked')).toContain(`Hours worked ${Number(metrics.time.hours.toFixed(1))} `);
      const difference = metrics.tickets.created - previous.tickets.created;
      expect(kpi(html, 'Tickets')).toContain(`${difference > 0 ? '▲' : '▼'} ${Math.abs(difference)}`);
      expect(documentOf(html).body.textContent).toContain('change vs September 2026');
    }
  });

  it('shows no change markers without a previous period', () => {
    const { email } = report(sampleDataset({ tickets: 10 }));
    expect(email).not.toMatch(/[▲▼]/);
  });

  it('renders a period without tickets', () => {
    const { email, web } = report(sampleDataset({ tickets: 0 }));
    for (const html of [email, web]) {
      expect(kpi(html, 'Tickets')).toContain('Tickets 0 ');
      expect(kpi(html, 'First response')).toContain('First response – ');
    }
    expect(documentOf(web).body.textContent).toContain('No tickets this period.');
    expect(documentOf(email).body.textContent).toContain('Nothing open, late or urgent this period.');
  });

  it('explains the SLA rules in a footnote', () => {
    const { email } = report(sampleDataset({ tickets: 5 }));
    const text = documentOf(email).body.textContent!;
    expect(text).toContain('due times set in Freshservice');
    expect(text).toContain('still unanswered or unresolved after its deadline counts as missed');
  });
});

describe('renderReport: the email is a summary of at most 60 KB', () => {
  const dataset = sampleDataset({ tickets: 10_000, seed: 11 });
  // Long, hostile subjects on the tickets the email lists: the oldest open ones.
  for (let index = 0; index < 12; index += 1) {
    dataset.tickets[9_999 - index] = { ...dataset.tickets[9_999 - index]!, subject: `Still open ${index}: ${SCRIPT} ${'x'.repeat(400)}`, status: 2, created_at: `2026-08-${String(index + 1).padStart(2, '0')}T08:00:00Z`, stats: { first_responded_at: null, resolved_at: null, closed_at: null } };
  }
  const { view: model, email, web } = report(dataset, { fullReportUrl: FULL_URL });

  it('lists at most ten notable tickets, the longest open first, and links to the full report', () => {
    expect(byteLength(email)).toBeLessThanOrEqual(EMAIL_BYTE_LIMIT);
    const document = documentOf(email);
    const notable = [...document.querySelectorAll('td.notable')];
    expect(notable).toHaveLength(10);
    expect(notable[0]!.textContent).toContain(`Still open 0: ${SCRIPT}`);
    expect(notable.slice(0, 4).map((cell) => cell.querySelector('.notable-reason')!.textContent)).toEqual(notable.slice(0, 4).map(() => expect.stringMatching(/^Open \d+(\.\d)? days$/)));
    expect(document.querySelectorAll('table.tickets')).toHaveLength(0);
    const link = document.querySelector('a.button')!;
    expect(link.getAttribute('href')).toBe(FULL_URL);
    expect(link.textContent).toBe('View the full report');
    expect(document.body.textContent).toContain(`lists all ${model.tickets.length.toLocaleString('en-GB')} tickets`);
    expect(email.toLowerCase()).not.toContain('<script');
  });

  it('keeps every ticket in the web version, and the most relevant thousand in the PDF version, which says so before the list', () => {
    const body = web.slice(web.indexOf('<tbody>'), web.indexOf('</tbody>'));
    expect(body.match(/<tr>/g)).toHaveLength(model.tickets.length);
    expect(web).not.toContain('data-pdf-ticket-limit');
    const total = model.tickets.length.toLocaleString('en-GB');
    const pdf = documentOf(renderReport(model, 'pdf'));
    expect(pdf.querySelectorAll('#tickets tbody tr')).toHaveLength(PDF_TICKET_LIMIT);
    expect(pdf.querySelector('#tickets tbody tr')!.textContent).toContain(`Still open 0: ${SCRIPT}`);
    const notice = pdf.querySelector('[data-pdf-ticket-limit]')!;
    expect(notice.textContent!.replace(/\s+/g, ' ')).toBe(`This PDF lists 1,000 of the ${total} tickets, the most relevant first: the open ones, those that missed an SLA, then the longest-running. All ${total} are in the web report: view the full report online.`);
    expect(notice.querySelector('a')!.getAttribute('href')).toBe(FULL_URL);
    expect(notice.compareDocumentPosition(pdf.querySelector('#tickets')!) & 4).toBe(4);
    expect([...pdf.querySelectorAll('.section-note')].map((note) => note.textContent)).toContain(`· 1,000 of ${total} listed here`);
    expect(pdf.querySelector('a.pdf-link')).toBeNull();

    const unlinked = sampleDataset({ tickets: 1_200, seed: 4 });
    const smaller = buildReportModel({ dataset: unlinked, metrics: computeMetrics(unlinked, { asOf: SAMPLE_AS_OF }), brand: SAMPLE_BRAND, asOf: SAMPLE_AS_OF });
    expect(renderReport(smaller, 'pdf')).toContain(`All ${smaller.tickets.length.toLocaleString('en-GB')} are in the web report; ask <span dir="auto">Intego IT</span> for it.`);
  });

  it('asks the reader to request the full report when there is no link', () => {
    const { email: withoutLink } = report(sampleDataset({ tickets: 300, seed: 5 }));
    expect(withoutLink).toContain('Ask us for the full report');
    expect(withoutLink).not.toContain('<a class="button"');
  });
});

describe('buildReportModel', () => {
  it('drops a full-report link that is not http(s)', () => {
    const dataset = sampleDataset({ tickets: 2 });
    const metrics = computeMetrics(dataset, { asOf: SAMPLE_AS_OF });
    const view = buildReportModel({ dataset, metrics, brand: SAMPLE_BRAND, fullReportUrl: 'javascript:alert(1)', asOf: SAMPLE_AS_OF });
    expect(view.fullReportUrl).toBeNull();
  });

  it('labels the period and lists the longest-open tickets oldest first', () => {
    const dataset = sampleDataset({ tickets: 60 });
    const metrics = computeMetrics(dataset, { asOf: SAMPLE_AS_OF });
    const view = buildReportModel({ dataset, metrics, brand: SAMPLE_BRAND, asOf: SAMPLE_AS_OF });
    expect(view.period.label).toBe('October 2026');
    expect(view.title).toBe('Service report for Van Dijk & Partners Accountants: October 2026');
    const ages = view.highlights.longestOpen.map((item) => Number(/open ([\d.]+) days/.exec(item.detail)?.[1]));
    expect(ages.length).toBeGreaterThan(0);
    expect([...ages].sort((a, b) => b - a)).toEqual(ages);
  });
});

describe('neutraliseMergeTags', () => {
  it('breaks both ends of a merge tag', () => {
    expect(neutraliseMergeTags('Hi *|FNAME|*, see *|ARCHIVE|*')).toBe('Hi &#42;|FNAME|&#42;, see &#42;|ARCHIVE|&#42;');
    expect(neutraliseMergeTags('a |* b *| c')).toBe('a |&#42; b &#42;| c');
    expect(neutraliseMergeTags('plain * | text')).toBe('plain * | text');
  });
});
