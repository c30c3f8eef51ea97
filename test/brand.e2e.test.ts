import { existsSync, promises as fs, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import type { Runtime } from '../src/compose/runtime.js';
import { drawSampleLogo } from '../src/sandbox/index.js';
import { pdfText } from './support/pdf.js';
import { startServedSandbox, type SandboxRuntime } from './support/served-sandbox.js';

const hasChromium = existsSync('/usr/bin/chromium');
const PRODUCT = /integoreport/i;
const BRAND = {
  BRAND_NAME: 'Contoso Managed IT',
  BRAND_COLOR: '#7a1f5c',
  BRAND_FOOTER: 'Contoso Managed IT · 1 Main Street, Springfield · +1 555 0100',
  BRAND_WEBSITE: 'https://contoso-it.example',
};
const clock = fixedClock('2026-11-20T12:00:00Z');
const actor = { platform: 'cli' as const, id: 'ops', name: 'ops' };
const documentOf = (html: string) => new JSDOM(html).window.document;

/** Every place a client meets a report, with an MSP brand set: none of them names the product. */
describe.skipIf(!hasChromium)('a branded report, everywhere a client looks', () => {
  let sandbox: SandboxRuntime;
  let runtime: Runtime;

  beforeAll(async () => {
    const logoFile = (dataDir: string) => path.join(dataDir, 'contoso-logo.png');
    sandbox = await startServedSandbox('brand-e2e-', {
      clock,
      env: (dataDir) => {
        writeFileSync(logoFile(dataDir), drawSampleLogo(BRAND.BRAND_COLOR));
        return { TIMEZONE: 'Europe/London', CHROMIUM_PATH: '/usr/bin/chromium', BRAND_LOGO: logoFile(dataDir), ...BRAND };
      },
    });
    runtime = sandbox.runtime;
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('carries the brand in the email, the web report, the PDF with its header and footer, the sent emails\' sender and footer, and never the product name', async () => {
    const acme = (await runtime.services.findClient('Acme')) as { kind: 'found'; client: { id: number; name: string } };
    const report = await runtime.services.generateReport(actor, { clientId: acme.client.id, period: runtime.services.parsePeriod('2026-10') });
    const record = (await runtime.reports.get(report.id))!;

    // Every page is fetched before the slow checks, so no request waits on a kept-alive connection the server has since closed.
    const web = await (await fetch(report.viewUrl)).text();
    const download = await fetch(report.pdfUrl!);
    const pdf = Buffer.from(await download.arrayBuffer());
    const forged = await fetch(report.viewUrl.replace(/sig=./, 'sig=A'));
    const forgedPage = await forged.text();

    const email = await fs.readFile(record.files.emailHtml, 'utf8');
    for (const [name, html] of [['email', email], ['web report', web]] as const) {
      const page = documentOf(html);
      expect(page.querySelector('.brand-name')!.textContent, name).toBe(BRAND.BRAND_NAME);
      expect(page.querySelector('img.logo'), name).not.toBeNull();
      expect(page.body.textContent, name).toContain('1 Main Street, Springfield');
      expect(page.querySelector('a[href="https://contoso-it.example"]'), name).not.toBeNull();
      expect(html, name).not.toMatch(PRODUCT);
    }

    expect(download.headers.get('content-disposition')).not.toMatch(PRODUCT);
    const { pages, text } = await pdfText(pdf);
    expect(text).toContain(acme.client.name);
    pages.forEach((page, index) => {
      expect(page, `page ${index + 1}`).toContain(BRAND.BRAND_NAME);
      expect(page, `page ${index + 1}`).toContain(`${BRAND.BRAND_FOOTER} Page ${index + 1} of ${pages.length}`);
    });
    expect(text).not.toMatch(PRODUCT);
    // The document's own properties (title, creator) are stored uncompressed.
    expect(pdf.toString('latin1')).not.toMatch(PRODUCT);

    expect(forged.status).toBe(403);
    expect(forgedPage).not.toMatch(PRODUCT);

    expect(await runtime.services.sendReport(actor, report.id)).toMatchObject({ kind: 'sent' });
    expect(await runtime.services.sendTest(actor, report.id, 'ops@contoso-it.example')).toMatchObject({ kind: 'sent' });
    const sent = runtime.sandbox!.mailchimp.outbox();
    expect(sent.map((message) => message.kind).sort()).toEqual(['campaign', 'test']);
    for (const message of sent) {
      expect(message.fromName, message.kind).toBe(BRAND.BRAND_NAME);
      expect(message.subject, message.kind).toContain(acme.client.name);
      expect(documentOf(message.html).querySelector('.brand-name')!.textContent, message.kind).toBe(BRAND.BRAND_NAME);
      expect(documentOf(message.html).body.textContent, message.kind).toContain(`on the list ${BRAND.BRAND_NAME} clients`);
      expect(JSON.stringify({ subject: message.subject, fromName: message.fromName, replyTo: message.replyTo, html: message.html }), message.kind).not.toMatch(PRODUCT);
    }
  }, 180_000);
});
