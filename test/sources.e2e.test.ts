import { promises as fs } from 'node:fs';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportMetrics } from '../src/app/generate-report.js';
import { reportLines } from '../src/cli/commands/reports.js';
import { summaryView } from '../src/chat/views/builders.js';
import type { Runtime } from '../src/compose/runtime.js';
import { fullSandboxRuntime } from './support/sandbox-runtime.js';
import type { SandboxRuntime } from './support/served-sandbox.js';
import { byteLength, EMAIL_BYTE_LIMIT } from '../src/report/render.js';
import type { SentinelOneFigures } from '../src/sentinelone/index.js';
import type { M365Figures } from '../src/m365/index.js';
import { UNMAPPED_SENTINELONE_CLIENTS } from '../src/sandbox/index.js';

/** The sandbox a new user starts: the data sources beside the helpdesk show for mapped clients only. */
describe('data sources in the sandbox', () => {
  let dataDir: string;
  let runtime: Runtime;
  const actor = { platform: 'cli' as const, id: 'ops', name: 'ops' };

  let sandbox: SandboxRuntime | undefined;

  beforeAll(async () => {
    sandbox = await fullSandboxRuntime('sources-e2e-');
    ({ dataDir, runtime } = sandbox);
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  const clientNamed = async (name: string) => ((await runtime.services.findClient(name)) as { kind: 'found'; client: { id: number; name: string } }).client;
  const generate = async (name: string) => runtime.services.generateReport(actor, { clientId: (await clientNamed(name)).id, period: runtime.services.parsePeriod('2026-10') });
  const filesOf = async (reportId: string) => {
    const record = (await runtime.reports.get(reportId))!;
    return {
      record,
      web: new JSDOM(await fs.readFile(record.files.webHtml, 'utf8')).window.document,
      emailHtml: await fs.readFile(record.files.emailHtml, 'utf8'),
      metrics: JSON.parse(await fs.readFile(record.files.metrics, 'utf8')) as ReportMetrics,
    };
  };

  it('generate Acme shows the endpoint-security section in the web report, the email, metrics.json and the card', async () => {
    const world = runtime.sandbox!.sentinelone.world;
    const acmeSite = world.sites.find((site) => site.name === 'Acme Corporation')!;
    const hostile = '<img src=x onerror=alert(1)> *|UNSUB|*';
    const october = world.threats.filter((threat) => threat.agentRealtimeInfo.siteId === acmeSite.id && threat.threatInfo.createdAt.startsWith('2026-10'));
    expect(october.length).toBeGreaterThan(0);
    october[0]!.agentRealtimeInfo.agentComputerName = hostile;
    const report = await generate('Acme');
    const { web, emailHtml, metrics } = await filesOf(report.id);
    const figures = metrics.sources!.sentinelone as SentinelOneFigures;
    expect(figures.site.name).toBe('Acme Corporation');
    expect(figures.endpoints.protected).toBeGreaterThan(80);
    expect(figures.trend.map((month) => month.month)).toHaveLength(12);
    expect(figures.trend.at(-1)).toMatchObject({ month: '2026-10', threats: figures.threats.inPeriod });

    const section = web.querySelector('[data-source="sentinelone"]')!;
    expect(section.querySelector('.section-title')!.textContent).toContain('Endpoint security');
    expect(section.querySelector('[data-kpi="Protected endpoints"] .kpi-value')!.textContent).toBe(figures.endpoints.protected.toLocaleString('en-GB'));
    expect(section.textContent).toContain('Endpoints by operating system');
    const email = new JSDOM(emailHtml).window.document.querySelector("[data-source=\"sentinelone\"]")!;
    expect(email.querySelector("[data-kpi=\"Threats\"] .kpi-value")!.textContent).toBe(String(figures.threats.inPeriod));
    expect(email.textContent).not.toContain("Endpoints by operating system");
    expect(email.querySelector(".source-line")!.textContent).toMatch(/^Most affected endpoints: /);
    expect(byteLength(emailHtml)).toBeLessThanOrEqual(EMAIL_BYTE_LIMIT);
    expect(section.querySelector('img')).toBeNull();
    expect(section.textContent).toContain(hostile);
    expect(email.querySelector('img')).toBeNull();
    expect(emailHtml).not.toContain('*|UNSUB|*');

    const m365 = metrics.sources!.m365 as M365Figures;
    expect(m365.tenant.name).toBe('Acme Corporation');
    const m365Section = web.querySelector('[data-source="m365"]')!;
    expect(m365Section.querySelector('[data-kpi="Secure Score"] .kpi-value')!.textContent).toBe(`${m365.secureScore!.percent} %`);
    expect(m365Section.textContent).toContain('Activity by service, last 30 days');
    expect(new JSDOM(emailHtml).window.document.querySelector('[data-source="m365"] [data-kpi="Licences assigned"]')).not.toBeNull();

    const card = summaryView(report);
    expect(card.facts).toContainEqual({ label: 'Microsoft 365', value: expect.stringMatching(/ licences assigned · /) });
    expect(card.facts).toContainEqual({ label: 'SentinelOne', value: expect.stringMatching(new RegExp(`^${figures.endpoints.protected} endpoints protected`)) });
    expect(reportLines(report), 'the command line prints the same headlines').toEqual(
      expect.arrayContaining([expect.stringMatching(/^ {2}Microsoft 365 +.* licences assigned · /), expect.stringMatching(new RegExp(`^ {2}SentinelOne +${figures.endpoints.protected} endpoints protected`))]),
    );
  }, 120_000);

  it('a client without a site or a tenant gets neither section, no call to either source and no warning on the card', async () => {
    const m365Before = runtime.sandbox!.m365.requests.length;
    const before = runtime.sandbox!.sentinelone.requests.filter((request) => request.path !== '/web/api/v2.1/sites').length;
    const report = await generate(UNMAPPED_SENTINELONE_CLIENTS[0]!);
    const { web, emailHtml, metrics, record } = await filesOf(report.id);
    expect(web.querySelector('[data-source]')).toBeNull();
    expect(emailHtml).not.toContain('data-source');
    expect(metrics.sources).toBeUndefined();
    expect(record.sources).toBeUndefined();
    expect(summaryView(report).facts!.map((fact) => fact.label)).not.toContain('SentinelOne');
    expect(summaryView(report).facts!.map((fact) => fact.label)).not.toContain('Microsoft 365');
    expect(runtime.sandbox!.m365.requests.length).toBe(m365Before);
    expect(runtime.sandbox!.sentinelone.requests.filter((request) => request.path !== '/web/api/v2.1/sites').length).toBe(before);
  }, 120_000);
});
