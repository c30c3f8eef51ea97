import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMetrics } from '../src/report/metrics.js';
import { renderReport } from '../src/report/render.js';
import { buildReportModel } from '../src/report/model.js';
import { SAMPLE_AS_OF, SAMPLE_BRAND, sampleDataset } from './fixtures/report-sample.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const SCREENSHOTS = path.resolve('test-output');

describe('the report in a real browser', () => {
  let browser: Browser;
  let dir: string;
  let emailFile: string;
  let webFile: string;
  let ticketCount: number;
  const hostile = '<img src=x onerror="window.__pwned=1">*|FNAME|* {{x}}';

  beforeAll(async () => {
    if (!hasChromium) return;
    const dataset = sampleDataset({ tickets: 120, subjects: [hostile, 'שלום, המדפסת לא עובדת'] });
    const metrics = computeMetrics(dataset, { asOf: SAMPLE_AS_OF });
    const previous = computeMetrics(sampleDataset({ tickets: 110, monthsBack: 1, seed: 9 }), { asOf: SAMPLE_AS_OF });
    const view = buildReportModel({ dataset, metrics, previous, brand: SAMPLE_BRAND, fullReportUrl: 'https://reports.example.com/r/1', asOf: SAMPLE_AS_OF });
    ticketCount = view.tickets.length;
    dir = await makeTempDir('report-browser-');
    emailFile = path.join(dir, 'email.html');
    webFile = path.join(dir, 'web.html');
    await writeFile(emailFile, renderReport(view, 'email'));
    await writeFile(webFile, renderReport(view, 'web'));
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await removeTempDir(dir);
  });

  it.skipIf(!hasChromium)(`shows the KPI tiles and the ticket table in the email (skipped when ${CHROMIUM} is missing)`, async () => {
    const page = await browser.newPage({ viewport: { width: 760, height: 1200 } });
    await page.goto(pathToFileURL(emailFile).href);
    const tickets = page.locator('[data-kpi="Tickets"]');
    await expect(tickets.isVisible()).resolves.toBe(true);
    expect(await tickets.innerText()).toMatch(/TICKETS\s+\d+/i);
    for (const label of ['Resolved', 'Open at end', 'First response', 'Resolution time', 'SLA kept', 'Satisfaction', 'Hours worked']) {
      await expect(page.locator(`[data-kpi="${label}"]`).isVisible(), label).resolves.toBe(true);
    }
    expect(await page.locator('body').innerText()).toContain('*|FNAME|* {{x}}');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'report-email.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 900 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'report-email-mobile.png'), fullPage: false });
    await page.close();
  });

  it.skipIf(!hasChromium)(`sorts the web ticket table when a heading is clicked (skipped when ${CHROMIUM} is missing)`, async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    await page.goto(pathToFileURL(webFile).href);
    await expect(page.locator('[data-kpi="SLA kept"]').isVisible()).resolves.toBe(true);
    const priorities = () => page.locator('#tickets tbody tr td:nth-child(3)').allInnerTexts();
    await page.locator('#tickets th', { hasText: 'Priority' }).click();
    const ascending = await priorities();
    expect(ascending[0]).toBe('Low');
    expect(ascending.at(-1)).toBe('Urgent');
    await page.locator('#tickets th', { hasText: 'Priority' }).click();
    expect((await priorities())[0]).toBe('Urgent');
    expect(await page.locator('#tickets tbody tr').count()).toBe(ticketCount);
    expect(await page.locator('body').innerText()).toContain('<img src=x onerror="window.__pwned=1">');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'report-web.png'), fullPage: false });
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'report-web-print.png'), fullPage: false });
    await page.close();
  });
});
