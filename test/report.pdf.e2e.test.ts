import { existsSync, promises as fs } from 'node:fs';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { createLogger } from '../src/logger.js';
import type { Runtime } from '../src/compose/runtime.js';
import { summaryView } from '../src/chat/views/builders.js';
import { renderMessage } from '../src/chat/slack/render.js';
import { renderCard } from '../src/chat/teams/render.js';
import type { HttpServer } from '../src/server/http.js';
import { findChromium } from '../src/pdf/chromium.js';
import { pdfText } from './support/pdf.js';
import { startSandboxRuntime, startServedSandbox, type SandboxRuntime } from './support/served-sandbox.js';

const hasChromium = existsSync('/usr/bin/chromium');
const clock = fixedClock('2026-11-20T12:00:00Z');
const actor = { platform: 'cli' as const, id: 'ops', name: 'ops' };

describe.skipIf(!hasChromium)('the PDF of a report, end to end', () => {
  let sandbox: SandboxRuntime & { server: HttpServer };
  let runtime: Runtime;
  let server: HttpServer;

  beforeAll(async () => {
    sandbox = await startServedSandbox('pdf-e2e-', { clock, env: () => ({ TIMEZONE: 'America/Chicago', CHROMIUM_PATH: '/usr/bin/chromium' }) });
    ({ runtime, server } = sandbox);
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('writes report.pdf on Letter paper (TIMEZONE in the Americas), links it from the web report and the card, and serves it to a signed link only', async () => {
    const acme = (await runtime.services.findClient('Acme')) as { kind: 'found'; client: { id: number; name: string } };
    const report = await runtime.services.generateReport(actor, { clientId: acme.client.id, period: runtime.services.parsePeriod('2026-10') });
    const record = (await runtime.reports.get(report.id))!;
    expect(record.files.pdf).toBe(`${runtime.reports.directoryFor(report.id)}/report.pdf`);
    const { text, size } = await pdfText(await fs.readFile(record.files.pdf!));
    expect(text).toContain(acme.client.name);
    expect(text).toContain('Northwind IT Services');
    expect(size).toEqual({ width: 612, height: 792 });

    expect(report.pdfUrl).toMatch(new RegExp(`^${server.url}/reports/${report.id}/pdf\\?exp=\\d+&sig=[\\w-]+$`));
    const download = await fetch(report.pdfUrl!);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toContain('Acme Corporation – October 2026 service report.pdf'.replace(/ /g, ' ').slice(0, 10));
    expect(Buffer.from(await download.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    const tampered = report.pdfUrl!.replace(/sig=./, 'sig=A');
    expect((await fetch(tampered)).status).toBe(403);

    const page = new JSDOM(await (await fetch(report.viewUrl)).text()).window.document;
    const link = page.querySelector('a.pdf-link')!;
    expect(link.textContent).toBe('Download PDF');
    expect(link.getAttribute('href')).toBe(`/reports/${report.id}/pdf${new URL(report.viewUrl).search}`);

    const card = summaryView(report);
    expect(card.buttons!.find((button) => button.label === 'Download PDF')!.url).toBe(report.pdfUrl);
    const slack = JSON.stringify(renderMessage(card));
    expect(slack).toContain(report.pdfUrl!.replace(/&/g, '\\u0026').slice(0, 20));
    const teams = renderCard(card) as { actions: Array<{ type: string; title: string; url?: string }> };
    expect(teams.actions).toContainEqual(expect.objectContaining({ type: 'Action.OpenUrl', title: 'Download PDF', url: report.pdfUrl }));
  }, 120_000);
});

describe('a report without Chromium', () => {
  let sandbox: SandboxRuntime;
  let dataDir: string;
  let runtime: Runtime;
  const lines: string[] = [];

  beforeAll(async () => {
    const logger = createLogger({ level: 'warn', secrets: [], destination: { write: (line: string) => lines.push(line) } });
    sandbox = await startSandboxRuntime('pdf-none-', { clock, logger, env: (folder) => ({ TIMEZONE: 'America/Chicago', CHROMIUM_PATH: `${folder}/no-chromium-here` }) });
    ({ dataDir, runtime } = sandbox);
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  it('is still made, says once why it has no PDF, and its card and web page offer none', async () => {
    const acme = (await runtime.services.findClient('Acme')) as { kind: 'found'; client: { id: number } };
    const period = runtime.services.parsePeriod('2026-10');
    const first = await runtime.services.generateReport(actor, { clientId: acme.client.id, period });
    await runtime.services.generateReport(actor, { clientId: acme.client.id, period });
    const reason = `CHROMIUM_PATH ${dataDir}/no-chromium-here is not an executable file`;
    expect(first.pdfUrl).toBeUndefined();
    expect(first.pdfProblem).toBe(reason);
    expect(lines.filter((line) => line.includes(reason))).toHaveLength(1);
    const record = (await runtime.reports.get(first.id))!;
    expect(record.files.pdf).toBeUndefined();
    expect(new JSDOM(await fs.readFile(record.files.webHtml, 'utf8')).window.document.querySelector('a.pdf-link')).toBeNull();
    const card = summaryView(first);
    expect(card.buttons!.map((button) => button.label)).not.toContain('Download PDF');
    expect(card.context).toContain(`No PDF: ${reason}.`);
  }, 120_000);

  it('looks for Chromium in the usual places when CHROMIUM_PATH is not set', () => {
    expect(findChromium(undefined, ['/nonexistent/chromium', '/bin/sh'])).toEqual({ path: '/bin/sh' });
    expect(findChromium(undefined, ['/nonexistent/chromium'])).toEqual({ problem: expect.stringMatching(/^no Chromium or Chrome was found \(looked in \/nonexistent\/chromium\); install chromium or set CHROMIUM_PATH$/) });
  });
});
