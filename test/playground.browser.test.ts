import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTeamsStack, type TeamsStack } from './support/teams-stack.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const screenshots = path.resolve('test-output');

describe.skipIf(!hasChromium)('chat playground in a real browser (sandbox runtime, Teams bot, Adaptive Cards renderer, under its Content-Security-Policy)', () => {
  let stack: TeamsStack;
  let browser: Browser;

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    stack = await startTeamsStack();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    await fs.mkdir(screenshots, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('generate Acme → figures from metrics.json → Send test to me → Send to client → Confirm → Sent; one client email in the outbox', async () => {
    const context = await browser.newContext({ viewport: { width: 1000, height: 1300 } });
    // Every Content-Security-Policy violation on any page of the run ends up in `problems`.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
    });
    const problems: string[] = [];
    context.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(error.message));
    const opened = await page.goto(`${stack.http.url}/`);
    expect(opened!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.locator('.message.bot .card').first().waitFor();
    expect(await page.locator('.message.bot .card').first().innerText()).toContain('generate <client> [period]');

    await page.fill('#text', 'generate Acme');
    await page.press('#text', 'Enter');
    const generated = page.locator('.message.bot .card').filter({ hasText: 'Acme Corporation:' }).last();
    await generated.getByRole('button', { name: 'Send to client' }).waitFor({ timeout: 30_000 });
    const summary = page.locator(`.card[data-activity-id="${await generated.getAttribute('data-activity-id')}"]`);

    const [record] = await stack.runtime.reports.all();
    const metrics = JSON.parse(await fs.readFile(record!.files.metrics, 'utf8'));
    const shown = await summary.innerText();
    expect(shown).toContain(`Acme Corporation: ${record!.periodLabel}`);
    expect(shown).toMatch(new RegExp(`\\b${metrics.tickets.created}\\s*\\n\\s*Tickets`));
    expect(shown).toMatch(new RegExp(`\\b${metrics.tickets.resolvedInPeriod}\\s*\\n\\s*Resolved`));
    expect(shown).toMatch(new RegExp(`\\b${metrics.tickets.openAtEnd}\\s*\\n\\s*Open at end`));
    await page.screenshot({ path: path.join(screenshots, 'playground-1-summary.png'), fullPage: true });

    await summary.getByRole('button', { name: 'Send test to me' }).click();
    await page.locator('.message.bot').filter({ hasText: 'Only you received it.' }).waitFor();

    await summary.getByRole('button', { name: 'Send to client' }).click();
    await expect.poll(() => summary.innerText()).toContain('Send the report?');
    expect(await summary.innerText()).toMatch(/to wile\.coyote@acmecorp\.com and a copy to reports@sandbox-msp\.example\?/);
    await page.screenshot({ path: path.join(screenshots, 'playground-2-confirm.png'), fullPage: true });
    await summary.getByRole('button', { name: 'Send', exact: true }).click();
    await expect.poll(() => summary.innerText(), { timeout: 20_000 }).toMatch(/Sent to wile\.coyote@acmecorp\.com/);
    await page.screenshot({ path: path.join(screenshots, 'playground-3-sent.png'), fullPage: true });

    const outbox = stack.runtime.sandbox!.mailchimp.outbox();
    const clientEmails = outbox.filter((email) => email.kind !== 'test');
    expect(clientEmails).toHaveLength(1);
    expect(clientEmails[0]!.to).toContain('wile.coyote@acmecorp.com');
    expect(clientEmails[0]!.subject).toContain('Your Monthly Service Report: Acme Corporation');
    expect(outbox.filter((email) => email.kind === 'test').flatMap((email) => email.to)).toEqual(['you@sandbox-msp.example']);

    const [report] = await Promise.all([page.context().waitForEvent('page'), summary.locator('button', { hasText: 'View report' }).click()]);
    await report.waitForLoadState();
    expect(report.url()).toContain(`/reports/${record!.id}`);
    await expect.poll(() => report.locator('body').innerText()).toContain('Acme Corporation');
    const heading = report.locator('#tickets thead th').first();
    await heading.click();
    await expect.poll(() => heading.getAttribute('aria-sort'), { message: 'the sorting script runs under the policy (allowed by its hash)' }).toBe('ascending');
    await report.close();

    await page.goto(`${stack.http.url}/playground/outbox`);
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    await expect.poll(() => page.locator('tbody').innerText()).toContain('Your Monthly Service Report: Acme Corporation');
    await page.screenshot({ path: path.join(screenshots, 'playground-4-outbox.png'), fullPage: true });
    expect(problems).toEqual([]);

    await page.goto(`${stack.http.url}/`);
    await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.injected = true;';
      document.body.append(script);
    });
    await expect.poll(() => problems.some((problem) => problem.startsWith('CSP violation: script-src'))).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
    await context.close();
  }, 90_000);
});
