import { promises as fs } from 'node:fs';
import { JSDOM } from 'jsdom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportMetrics } from '../src/app/generate-report.js';
import type { Runtime } from '../src/compose/runtime.js';
import { fullSandboxRuntime } from './support/sandbox-runtime.js';
import type { SandboxRuntime } from './support/served-sandbox.js';
import { entryFromReport } from './support/history.js';

/** The sandbox a new user starts (its full world), with a Freshservice minute of 60 ms so a year is read quickly. */
describe('a year of trends for every sandbox client', () => {
  let dataDir: string;
  let runtime: Runtime;
  const actor = { platform: 'cli' as const, id: 'ops', name: 'ops' };

  let sandbox: SandboxRuntime | undefined;

  beforeAll(async () => {
    sandbox = await fullSandboxRuntime('history-e2e-');
    ({ dataDir, runtime } = sandbox);
  }, 60_000);

  afterAll(async () => {
    await sandbox?.close();
  });

  const metricsOf = async (reportId: string) => JSON.parse(await fs.readFile((await runtime.reports.get(reportId))!.files.metrics, 'utf8')) as ReportMetrics;

  it('writes twelve monthly entries into metrics.json for each client, every month complete', async () => {
    const october = runtime.services.parsePeriod('2026-10');
    const clients = await runtime.services.listClients();
    expect(clients.length).toBeGreaterThanOrEqual(20);
    for (const client of clients) {
      const report = await runtime.services.generateReport(actor, { clientId: client.id, period: october });
      const { history, ...metrics } = await metricsOf(report.id);
      expect(history.months.map((entry) => entry.month), client.name).toEqual(['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10']);
      expect(history.months.every((entry) => entry.hours !== null && entry.csat !== null), client.name).toBe(true);
      expect(history.months.at(-1)).toMatchObject({ tickets: metrics.tickets.created, resolved: metrics.tickets.resolvedInPeriod, hours: metrics.time.hours, sla: { percent: metrics.sla.firstResponse.percent } });
    }
  }, 300_000);

  it('shows in October\'s history exactly what September\'s own report says, and a warm report costs at most 3 calls', async () => {
    const acme = (await runtime.services.findClient('Acme')) as { kind: 'found'; client: { id: number } };
    const september = await metricsOf((await runtime.services.generateReport(actor, { clientId: acme.client.id, period: runtime.services.parsePeriod('2026-09') })).id);
    const before = runtime.freshservice.client.stats().calls;
    const october = await runtime.services.generateReport(actor, { clientId: acme.client.id, period: runtime.services.parsePeriod('2026-10') });
    expect(runtime.freshservice.client.stats().calls - before).toBeLessThanOrEqual(3);
    const entry = (await metricsOf(october.id)).history.months.find((month) => month.month === '2026-09')!;
    expect(entry).toEqual(entryFromReport({ key: '2026-09', label: 'September 2026' }, september));
    const record = (await runtime.reports.get(october.id))!;
    const web = new JSDOM(await fs.readFile(record.files.webHtml, 'utf8')).window.document;
    expect(web.querySelectorAll('figure.chart svg')).toHaveLength(4);
    expect(web.querySelector('.trends .section-note')!.textContent).toBe('· November 2025 – October 2026');
  }, 120_000);
});
