import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { parsePeriod, trailingMonths } from '../src/period/period.js';
import { CHROMIUM_ARGS, createPdfPrinter, type PdfPrinter } from '../src/pdf/printer.js';
import { computeHistory } from '../src/report/history.js';
import { computeMetrics } from '../src/report/metrics.js';
import { buildReportModel } from '../src/report/model.js';
import { renderReport, withPdfLink } from '../src/report/render.js';
import { drawSampleLogo } from '../src/sandbox/index.js';
import { SAMPLE_AS_OF, SAMPLE_TIMEZONE, sampleDataset, sampleYear } from './fixtures/report-sample.js';
import { pdfText, renderFirstPage } from './support/pdf.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SCREENSHOTS = path.resolve('test-output');
const BRAND = {
  name: 'Northwind IT Services',
  color: '#0e7490',
  footer: 'Northwind IT Services · 4 Harbour Lane, Bristol BS1 5TT',
  website: 'https://northwind-it.example',
  logo: { web: `data:image/png;base64,${drawSampleLogo('#0e7490').toString('base64')}`, email: 'https://mcusercontent.example/northwind-logo.png' },
};

/** A branded October with a year of trends, 120 tickets of which some are hostile, long or right-to-left. */
function sampleReport() {
  const hostile = '<img src=x onerror="window.__pwned=1">*|FNAME|* {{x}}';
  const longWord = `Cannot open https://portal.example.com/${'very-long-path-segment-'.repeat(6)}`;
  const dataset = sampleDataset({ tickets: 120, firstId: 100_000, seed: 1, subjects: [hostile, 'שלום, המדפסת לא עובדת', longWord] });
  dataset.client.name = 'Van Dijk & Partners Accountants';
  // The hostile one has been open longest, so the email's short list shows it too.
  dataset.tickets[0] = { ...dataset.tickets[0]!, status: 2, created_at: '2026-08-03T08:00:00Z', stats: { first_responded_at: null, resolved_at: null, closed_at: null } };
  const october = parsePeriod('2026-10', { timezone: SAMPLE_TIMEZONE, now: SAMPLE_AS_OF });
  const history = computeHistory(sampleYear({ tickets: 120 }), { months: trailingMonths(october, 12), asOf: SAMPLE_AS_OF });
  const previous = computeMetrics(sampleDataset({ tickets: 110, monthsBack: 1, seed: 9 }), { asOf: SAMPLE_AS_OF });
  const model = buildReportModel({ dataset, metrics: computeMetrics(dataset, { asOf: SAMPLE_AS_OF }), previous, history, brand: BRAND, fullReportUrl: 'https://reports.example.com/r/1', asOf: SAMPLE_AS_OF });
  return { model, hostile, longWord };
}

describe.skipIf(!hasChromium)(`the report in a real browser (${CHROMIUM})`, () => {
  let browser: Browser;
  let printer: PdfPrinter;
  let dir: string;
  let webFile: string;
  let emailFile: string;
  let web: string;
  const { model, hostile, longWord } = sampleReport();

  beforeAll(async () => {
    dir = await makeTempDir('report-browser-');
    webFile = path.join(dir, 'report.web.html');
    emailFile = path.join(dir, 'report.email.html');
    web = renderReport(model, 'web');
    await writeFile(webFile, withPdfLink(web, '/reports/1/pdf?exp=1&sig=x'));
    await writeFile(emailFile, renderReport(model, 'email'));
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    printer = createPdfPrinter({ chromium: { path: CHROMIUM }, logger: silentLogger });
  });

  afterAll(async () => {
    await browser?.close();
    await printer?.close();
    if (dir) await removeTempDir(dir);
  });

  it('shows the web report at 1280 px with brand, summary, tiles, four charts and a sortable ticket table', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    await page.goto(pathToFileURL(webFile).href);
    await expect(page.locator('.brand-name').innerText()).resolves.toBe('Northwind IT Services');
    await expect(page.locator('img.logo').evaluate((image: HTMLImageElement) => image.naturalWidth)).resolves.toBe(128);
    await expect(page.locator('a.pdf-link').getAttribute('href')).resolves.toBe('/reports/1/pdf?exp=1&sig=x');
    await expect(page.locator('.summary').innerText()).resolves.toContain('Van Dijk & Partners Accountants raised');
    await expect(page.locator('figure.chart svg').count()).resolves.toBe(4);
    const priorities = () => page.locator('#tickets tbody tr td:nth-child(3)').allInnerTexts();
    await page.locator('#tickets th', { hasText: 'Priority' }).click();
    expect((await priorities())[0]).toBe('Low');
    await page.locator('#tickets th', { hasText: 'Priority' }).click();
    expect((await priorities())[0]).toBe('Urgent');
    expect(await page.locator('#tickets tbody tr').count()).toBe(model.tickets.length);
    expect(await page.locator('body').innerText()).toContain(hostile.slice(0, 30));
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
    expect(await page.locator('body').innerText()).not.toMatch(/integoreport/i);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'report-web.png'), fullPage: false });
    await page.close();
  });

  it('fits a 390 px phone without sideways scrolling: tiles two by two, charts stacked, tickets as cards', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(pathToFileURL(webFile).href);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const tiles = await page.locator('.kpi-cell').evaluateAll((cells) => cells.map((cell) => cell.getBoundingClientRect().width));
    expect(Math.max(...tiles)).toBeLessThanOrEqual(195);
    const charts = await page.locator('figure.chart').evaluateAll((figures) => figures.map((figure) => figure.getBoundingClientRect().left));
    expect(new Set(charts).size).toBe(1);
    await expect(page.locator('#tickets thead').isVisible()).resolves.toBe(false);
    const card = page.locator('#tickets tbody tr').first();
    expect(await card.evaluate((row) => getComputedStyle(row).display)).toBe('block');
    expect(await card.locator('td:nth-child(3)').evaluate((cell) => getComputedStyle(cell, '::before').content)).toBe('"Priority "');
    expect(await page.locator('#tickets td', { hasText: longWord.slice(0, 30) }).evaluate((cell) => cell.getBoundingClientRect().right)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'report-web-390.png'), fullPage: false });
    await page.close();
  });

  it('prints a PDF with the brand and page numbers on every page, the client and brand in its text, no section split', async () => {
    const pdf = await printer.print(renderReport(model, 'pdf'), { paper: 'a4', brandName: BRAND.name, brandColor: '#0e7490', title: `${model.client.name} · ${model.period.label}`, footer: BRAND.footer });
    const { pages, text } = await pdfText(pdf);
    expect(pages.length).toBeGreaterThanOrEqual(1);
    expect(text).toContain('Van Dijk & Partners Accountants');
    expect(text).toContain('Northwind IT Services');
    expect(text).not.toMatch(/integoreport/i);
    pages.forEach((page, index) => {
      expect(page, `page ${index + 1}`).toContain(`Page ${index + 1} of ${pages.length}`);
      expect(page, `page ${index + 1}`).toContain('Northwind IT Services');
    });
    expect(pages[0]).toContain('SUMMARY');
    // A section title never ends a page: what follows it is on the same page.
    for (const title of ['SERVICE LEVELS', 'A YEAR OF TRENDS', 'WHERE THE WORK WENT']) {
      const page = pages.find((candidate) => candidate.includes(title))!;
      expect(page.slice(page.indexOf(title) + title.length).trim().length, title).toBeGreaterThan(40);
    }
    expect(pages.filter((page) => page.includes('Tickets raised and resolved') && page.includes('Hours worked')).length).toBe(1);
    await writeFile(path.join(SCREENSHOTS, 'report.pdf'), pdf);
    await writeFile(path.join(SCREENSHOTS, 'report-pdf-page1.png'), await renderFirstPage(pdf));
  });

  it('shows the email at 600 px: brand, summary, tiles, SLA bars, a year in rows, the notable tickets and the way to the full report', async () => {
    const page = await browser.newPage({ viewport: { width: 600, height: 1000 } });
    await page.goto(pathToFileURL(emailFile).href);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(600);
    await expect(page.locator('img.logo').getAttribute('src')).resolves.toBe(BRAND.logo.email);
    await expect(page.locator('.brand-name').innerText()).resolves.toBe('Northwind IT Services');
    await expect(page.locator('.summary').isVisible()).resolves.toBe(true);
    for (const label of ['Tickets', 'Resolved', 'Open at end', 'First response', 'Resolution time', 'SLA kept', 'Satisfaction', 'Hours worked']) {
      await expect(page.locator(`[data-kpi="${label}"]`).isVisible(), label).resolves.toBe(true);
    }
    await expect(page.locator('table.trend-rows > tbody > tr').count()).resolves.toBe(13);
    const notable = await page.locator('td.notable').count();
    expect(notable).toBeGreaterThan(0);
    expect(notable).toBeLessThanOrEqual(10);
    await expect(page.locator('a.button').innerText()).resolves.toBe('View the full report');
    await expect(page.locator('script, svg').count()).resolves.toBe(0);
    expect(await page.locator('body').innerText()).toContain(hostile.slice(0, 20));
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('body').innerText()).not.toMatch(/integoreport/i);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'report-email.png'), fullPage: true });
    await page.close();
  });

  it('prints on US Letter when asked', async () => {
    const letter = await printer.print(web, { paper: 'letter', brandName: BRAND.name, brandColor: '#0e7490', title: 'x', footer: null });
    const a4 = await printer.print(web, { paper: 'a4', brandName: BRAND.name, brandColor: '#0e7490', title: 'x', footer: null });
    expect((await pdfText(letter)).size).toEqual({ width: 612, height: 792 });
    expect((await pdfText(a4)).size).toEqual({ width: 595.92, height: 842.88 });
  });
});
