import { promises as fs } from 'node:fs';
import path from 'node:path';
import { JSDOM } from 'jsdom';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBrand, createHostedLogo, sniffLogo } from '../src/brand/index.js';
import { fixedClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { createLogger, silentLogger } from '../src/logger.js';
import { getFile, uploadFile } from '../src/mailchimp/files.js';
import { createMailchimpHttp, type MailchimpHttp } from '../src/mailchimp/http.js';
import { brandColors, contrastRatio } from '../src/report/brand.js';
import { computeMetrics } from '../src/report/metrics.js';
import { renderReport } from '../src/report/render.js';
import { buildReportModel } from '../src/report/model.js';
import { createRuntime, type Runtime } from '../src/compose/runtime.js';
import { startEmbeddedSandbox } from '../src/compose/sandbox.js';
import { drawSampleLogo, startMailchimpSandbox, type MailchimpSandbox } from '../src/sandbox/index.js';
import { SAMPLE_AS_OF, sampleDataset } from './fixtures/report-sample.js';
import { REAL_SERVICES } from './support/settings.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const SVG_LOGO = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40" fill="#c2410c"/></svg>');
const documentOf = (html: string) => new JSDOM(html).window.document;

describe('brand settings', () => {
  it('reads BRAND_* and makes the brand name the default sender name', () => {
    const config = loadConfig({ ...REAL_SERVICES, BRAND_NAME: 'Contoso Managed IT', BRAND_COLOR: '#C2410C', BRAND_FOOTER: '1 Main St, Springfield', BRAND_WEBSITE: 'https://contoso.example', BRAND_LOGO: 'brand/logo.svg' });
    expect(config.brand).toEqual({
      name: 'Contoso Managed IT',
      color: '#c2410c',
      footer: '1 Main St, Springfield',
      website: 'https://contoso.example',
      logo: { kind: 'file', path: path.resolve('brand/logo.svg') },
      sample: false,
    });
    expect(config.report.fromName).toBe('Contoso Managed IT');
    expect(loadConfig({ ...REAL_SERVICES, BRAND_NAME: 'Contoso', REPORT_FROM_NAME: 'Contoso Service Desk' }).report.fromName).toBe('Contoso Service Desk');
    expect(loadConfig({ ...REAL_SERVICES, BRAND_LOGO: 'https://cdn.contoso.example/logo.png' }).brand.logo).toEqual({ kind: 'url', url: 'https://cdn.contoso.example/logo.png' });
  });

  it('refuses a colour, logo address or website it cannot use, naming what it expects', () => {
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig({ ...REAL_SERVICES, ...env });
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal({ BRAND_COLOR: 'teal' })).toBe('BRAND_COLOR is not valid: expected a colour as #rrggbb, like #0e7490');
    expect(refusal({ BRAND_LOGO: 'http://cdn.example/logo.png' })).toMatch(/^BRAND_LOGO is not valid: expected a PNG, JPEG or SVG logo: a file path or an https URL/);
    expect(refusal({ BRAND_WEBSITE: 'javascript:alert(1)' })).toMatch(/^BRAND_WEBSITE is not valid/);
  });

  it('shows the sample brand in sandbox mode unless a brand is set, and no brand of ours otherwise', () => {
    expect(loadConfig({}).brand).toMatchObject({ name: 'Northwind IT Services', sample: true });
    expect(loadConfig({}).report.fromName).toBe('Northwind IT Services');
    expect(loadConfig({ BRAND_NAME: 'Contoso' }).brand).toMatchObject({ name: 'Contoso', sample: false });
    expect(loadConfig({ ...REAL_SERVICES, REPORT_FROM_NAME: 'Intego IT' }).brand.name).toBe('Intego IT');
  });
});

describe('brand colours', () => {
  it('keeps text on the masthead and the colour used as text or chart readable, whatever the brand colour', () => {
    for (const color of ['#0e7490', '#ffe600', '#17324d', '#ffffff', '#000000', '#e11d48', '#a3e635']) {
      const colors = brandColors(color);
      expect(colors.accent).toBe(color);
      expect(contrastRatio(colors.onAccent, colors.accent), color).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(colors.text, '#ffffff'), color).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(colors.chart, '#ffffff'), color).toBeGreaterThanOrEqual(3);
    }
    expect(brandColors('#ffe600').onAccent).toBe('#111827');
    expect(brandColors('#17324d').onAccent).toBe('#ffffff');
  });
});

describe('a branded report', () => {
  const dataset = sampleDataset({ tickets: 40 });
  dataset.client.name = 'Acme Corporation';
  const brand = {
    name: 'Contoso <Managed> IT',
    color: '#c2410c',
    footer: '1 Main St, Springfield · +1 555 0100',
    website: 'https://www.contoso.example/support',
    logo: { web: `data:image/svg+xml;base64,${SVG_LOGO.toString('base64')}`, email: 'https://mcusercontent.example/logo.png' },
  };
  const view = buildReportModel({ dataset, metrics: computeMetrics(dataset, { asOf: SAMPLE_AS_OF }), brand, fullReportUrl: 'https://reports.contoso.example/r/1', asOf: SAMPLE_AS_OF });
  const outputs = { email: renderReport(view, 'email'), web: renderReport(view, 'web') };

  it('carries the brand name, logo, footer and website in the email and the web report, and never our product name', () => {
    for (const [kind, html] of Object.entries(outputs)) {
      const document = documentOf(html);
      expect(document.querySelector('.brand-name')!.textContent, kind).toBe('Contoso <Managed> IT');
      expect(document.body.textContent, kind).toContain('Prepared by Contoso <Managed> IT');
      expect(document.body.textContent, kind).toContain('1 Main St, Springfield · +1 555 0100');
      expect(document.querySelector('a[href="https://www.contoso.example/support"]')!.textContent, kind).toBe('contoso.example');
      expect(html, kind).not.toMatch(/integoreport/i);
    }
    expect(documentOf(outputs.web).querySelector('img.logo')!.getAttribute('src')).toBe(brand.logo.web);
    expect(documentOf(outputs.email).querySelector('img.logo')!.getAttribute('src')).toBe(brand.logo.email);
    expect(documentOf(outputs.email).querySelector('.masthead')!.getAttribute('bgcolor')).toBe('#c2410c');
  });

  it('shows the brand name instead of a logo in an email when no public logo address exists', () => {
    const noHostedLogo = buildReportModel({ dataset, metrics: computeMetrics(dataset, { asOf: SAMPLE_AS_OF }), brand: { ...brand, logo: { web: brand.logo.web } }, asOf: SAMPLE_AS_OF });
    const email = documentOf(renderReport(noHostedLogo, 'email'));
    expect(email.querySelector('img.logo')).toBeNull();
    expect(email.querySelector('.brand-name')!.textContent).toBe('Contoso <Managed> IT');
  });
});

describe('the email logo in the Mailchimp File Manager', () => {
  let sandbox: MailchimpSandbox;
  let http: MailchimpHttp;
  let dataDir: string;
  let logoFile: string;
  const clock = fixedClock('2026-11-03T09:00:00Z');

  beforeEach(async () => {
    sandbox = await startMailchimpSandbox({ members: [], listId: 'brand01', clock });
    http = createMailchimpHttp({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, logger: silentLogger });
    dataDir = await makeTempDir('brand-');
    logoFile = path.join(dataDir, 'logo.png');
    await fs.writeFile(logoFile, drawSampleLogo('#0e7490'));
  });

  afterEach(async () => {
    await sandbox.close();
    await removeTempDir(dataDir);
  });

  const uploads = () => sandbox.requests.filter((request) => request.method === 'POST' && request.path === '/3.0/file-manager/files');
  function brandFor(logo: { kind: 'file'; path: string }, rasterize?: (svg: Buffer) => Promise<Buffer | undefined>, logger = silentLogger) {
    const hostedLogo = createHostedLogo({ dataDir, account: 'test', upload: (file) => uploadFile(http, file), lookup: (id) => getFile(http, id), rasterize, now: () => clock.now(), logger });
    return createBrand({ settings: { name: 'Northwind IT Services', color: '#0e7490', logo, sample: false }, hostedLogo, now: () => clock.now(), logger });
  }

  it('uploads the logo once, remembers it across restarts, and uploads again only when the file changes or is gone', async () => {
    const first = await brandFor({ kind: 'file', path: logoFile }).forReport();
    expect(first.logo!.email).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/\d+\/logo\.png$/);
    expect(first.logo!.web).toBe(`data:image/png;base64,${drawSampleLogo('#0e7490').toString('base64')}`);
    expect(Buffer.from(await (await fetch(first.logo!.email!)).arrayBuffer()).equals(drawSampleLogo('#0e7490'))).toBe(true);

    const restarted = brandFor({ kind: 'file', path: logoFile });
    expect((await restarted.forReport()).logo!.email).toBe(first.logo!.email);
    expect((await restarted.forReport()).logo!.email).toBe(first.logo!.email);
    expect(uploads()).toHaveLength(1);

    await fs.writeFile(logoFile, drawSampleLogo('#c2410c'));
    const changed = await restarted.forReport();
    expect(changed.logo!.email).not.toBe(first.logo!.email);
    expect(uploads()).toHaveLength(2);

    const memory = path.join(dataDir, 'brand', 'hosted-logos.json');
    const remembered = JSON.parse(await fs.readFile(memory, 'utf8')) as { uploads: Array<{ fileId: number }> };
    remembered.uploads[0]!.fileId = 999_999;
    await fs.writeFile(memory, JSON.stringify(remembered));
    const afterDeletion = await brandFor({ kind: 'file', path: logoFile }).forReport();
    expect(sandbox.requests.at(-2)).toMatchObject({ method: 'GET', path: '/3.0/file-manager/files/999999', status: 404 });
    expect(afterDeletion.logo!.email).toMatch(/\/files\/\d+\/logo\.png$/);
    expect(uploads()).toHaveLength(3);
  });

  it('sends mail clients a PNG of an SVG logo, and the brand name when no PNG can be made', async () => {
    const svgFile = path.join(dataDir, 'logo.svg');
    await fs.writeFile(svgFile, SVG_LOGO);
    const png = drawSampleLogo('#c2410c');
    const rasterized = await brandFor({ kind: 'file', path: svgFile }, async (svg) => (svg.equals(SVG_LOGO) ? png : undefined)).forReport();
    expect(rasterized.logo!.web).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(rasterized.logo!.email).toMatch(/\/logo\.png$/);
    expect(uploads().at(-1)!.body).toMatchObject({ name: 'logo.png', file_data: png.toString('base64') });

    await removeTempDir(path.join(dataDir, 'brand'));
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', secrets: [], destination: { write: (line: string) => lines.push(line) } });
    const withoutPng = brandFor({ kind: 'file', path: svgFile }, async () => undefined, logger);
    expect((await withoutPng.forReport()).logo).toEqual({ web: expect.stringMatching(/^data:image\/svg\+xml/) });
    expect(lines.join('')).toContain('Gmail and Outlook do not show');
  });

  it('leaves the logo out, saying why once, when the file is not an image', async () => {
    await fs.writeFile(logoFile, 'not an image');
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', secrets: [], destination: { write: (line: string) => lines.push(line) } });
    const brand = brandFor({ kind: 'file', path: logoFile }, undefined, logger);
    await expect(brand.check()).rejects.toThrow(`BRAND_LOGO ${logoFile} is not a PNG, JPEG or SVG image.`);
    expect((await brand.forReport()).logo).toBeUndefined();
    await brand.forReport();
    expect(lines.filter((line) => line.includes('is not a PNG, JPEG or SVG image'))).toHaveLength(1);
    expect(uploads()).toHaveLength(0);
  });

  it('recognises logos by their content', () => {
    expect(sniffLogo(drawSampleLogo('#000000'))).toBe('image/png');
    expect(sniffLogo(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(sniffLogo(SVG_LOGO)).toBe('image/svg+xml');
    expect(sniffLogo(Buffer.from('\uFEFF  <svg viewBox="0 0 1 1"></svg>'))).toBe('image/svg+xml');
    expect(sniffLogo(Buffer.from('<html><svg></svg></html>'))).toBeUndefined();
  });
});

describe('the sandbox sample brand, end to end', () => {
  let dataDir: string;
  let runtime: Runtime;

  beforeAll(async () => {
    dataDir = await makeTempDir('brand-sandbox-');
    const config = loadConfig({ DATA_DIR: dataDir, TIMEZONE: 'UTC' });
    const clock = fixedClock('2026-11-20T12:00:00Z');
    runtime = await createRuntime({
      config,
      logger: silentLogger,
      clock,
      sandbox: await startEmbeddedSandbox(config, clock, { profile: { departments: 4, audienceMembers: 12, seatScale: 0.1 }, controls: { timeScale: 1000 } }),
    });
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    if (dataDir) await removeTempDir(dataDir);
  });

  it('brands the email, the web report and the sender with Northwind IT Services and its drawn logo, uploaded once', async () => {
    const actor = { platform: 'cli' as const, id: 'ops', name: 'ops' };
    const acme = (await runtime.services.findClient('Acme')) as { kind: 'found'; client: { id: number } };
    const period = runtime.services.parsePeriod('2026-10');
    const first = await runtime.services.generateReport(actor, { clientId: acme.client.id, period });
    await runtime.services.generateReport(actor, { clientId: acme.client.id, period });
    const record = (await runtime.reports.get(first.id))!;
    const email = documentOf(await fs.readFile(record.files.emailHtml, 'utf8'));
    const web = documentOf(await fs.readFile(record.files.webHtml, 'utf8'));
    const hosted = email.querySelector('img.logo')!.getAttribute('src')!;
    expect(hosted).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/\d+\/brand-logo-0e7490\.png$/);
    expect((await fetch(hosted)).headers.get('content-type')).toBe('image/png');
    expect(web.querySelector('img.logo')!.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    for (const document of [email, web]) {
      expect(document.querySelector('.brand-name')!.textContent).toBe('Northwind IT Services');
      expect(document.body.textContent).toContain('4 Harbour Lane, Bristol');
      expect(document.documentElement.outerHTML).not.toMatch(/integoreport/i);
    }
    const uploads = runtime.sandbox!.mailchimp.requests.filter((request) => request.path === '/3.0/file-manager/files');
    expect(uploads).toHaveLength(1);
    expect(runtime.config.report.fromName).toBe('Northwind IT Services');
  });
});
