import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FreshserviceDataset } from '../src/freshservice/dataset.js';
import { computeM365Figures, m365Section, parseCsv } from '../src/m365/index.js';
import { parsePeriod, previousPeriod, trailingMonths } from '../src/period/period.js';
import type { ReportBrand } from '../src/report/brand.js';
import { computeHistory } from '../src/report/history.js';
import { computeMetrics } from '../src/report/metrics.js';
import { buildReportModel, type ReportModel } from '../src/report/model.js';
import { byteLength, EMAIL_BYTE_LIMIT, renderReport } from '../src/report/render.js';
import { loadReportTemplates, precompiledModule, readTemplateSources, type PrecompiledTemplates, type ReportTemplates } from '../src/report/templates.js';
import { seedSentinelOneWorld, seedWorld, type SandboxWorld } from '../src/sandbox/index.js';
import { computeSentinelOneFigures, sentinelOneSection } from '../src/sentinelone/index.js';
import type { SourceSection } from '../src/sources/section.js';
import { SAMPLE_AS_OF, SAMPLE_BRAND, sampleDataset, sampleYear } from './fixtures/report-sample.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const HOSTILE = [
  '<img src=x onerror="alert(1)"> </td></tr></table>',
  'Hi *|FNAME|*, see *|ARCHIVE|* |* *|',
  'Bell\u0007 null\u0000 escape\u001b[31m tab\t CR LF\r\nend',
  'Opens {{ here',
  'and closes }} here <% x %>',
  "Q3 \"Budget\" & <Forecast> sheet won't open `=`",
  'שלום, המדפסת לא עובדת',
];

const FULL_BRAND: ReportBrand = {
  name: 'Northwind <IT> & *|COMPANY|*',
  color: '#f5d90a',
  footer: 'Northwind IT Services · 4 Harbour Lane, Bristol "BS1" <5TT>',
  website: 'https://northwind-it.example/?a=1&b=2',
  logo: { web: 'data:image/png;base64,iVBORw0KGgo=', email: 'https://mcusercontent.example/logo.png?x=1&y="2"' },
};

const october = parsePeriod('2026-10', { timezone: 'UTC', now: SAMPLE_AS_OF });
const months = trailingMonths(october, 12);

/** The sample month's report, optionally with the previous month, a year of trends, sources and another brand. */
function sampleModel(options: { tickets: number; seed?: number; subjects?: string[]; clientName?: string; brand?: ReportBrand; previous?: boolean; year?: boolean; sources?: SourceSection[]; link?: boolean }): ReportModel {
  const dataset = sampleDataset({ tickets: options.tickets, seed: options.seed, subjects: options.subjects });
  if (options.clientName) dataset.client.name = options.clientName;
  // The hostile subjects on tickets still open, so that the email's short list shows them too.
  (options.subjects ?? []).forEach((_subject, index) => {
    dataset.tickets[index] = { ...dataset.tickets[index]!, status: 2, created_at: `2026-08-0${(index % 9) + 1}T08:00:00Z`, stats: { first_responded_at: null, resolved_at: null, closed_at: null } };
  });
  return buildReportModel({
    dataset,
    metrics: computeMetrics(dataset, { asOf: SAMPLE_AS_OF }),
    previous: options.previous ? computeMetrics(sampleDataset({ tickets: Math.max(1, Math.round(options.tickets * 0.9)), monthsBack: 1, seed: 9 }), { asOf: SAMPLE_AS_OF }) : null,
    history: options.year ? computeHistory(sampleYear({ tickets: options.tickets }), { months, asOf: SAMPLE_AS_OF }) : null,
    brand: options.brand ?? SAMPLE_BRAND,
    fullReportUrl: options.link === false ? undefined : 'https://reports.example.com/r/abc?sig=1&x="2"',
    asOf: SAMPLE_AS_OF,
    sources: options.sources,
  });
}

/** A Microsoft 365 section from hand-made Graph answers; `tenant`: the tenant's (outside) name. */
function m365Of(tenant: string): SourceSection {
  const figures = computeM365Figures({
    tenant: { id: 't-1', name: tenant },
    skus: [
      { skuId: 'a', skuPartNumber: 'O365_BUSINESS_PREMIUM', appliesTo: 'User', consumedUnits: 48, prepaidUnits: { enabled: 50 } },
      { skuId: 'b', skuPartNumber: 'SPB', appliesTo: 'User', consumedUnits: 6, prepaidUnits: { enabled: 5, suspended: 2 } },
    ],
    activeUserCounts: parseCsv('Report Refresh Date,Office 365,Exchange,OneDrive,SharePoint,Teams,Report Date\n2026-11-18,40,39,20,10,35,2026-10-30\n2026-11-18,20,20,10,5,15,2026-09-15\n'),
    servicesUserCounts: parseCsv('Report Refresh Date,Exchange Active,Exchange Inactive,Teams Active,Teams Inactive\n2026-11-18,45,5,40,10\n'),
    mailboxUsage: parseCsv(`Report Refresh Date,User Principal Name,Display Name,Is Deleted,Storage Used (Byte),Issue Warning Quota (Byte)\n2026-11-18,a@acme.example,"${tenant.replaceAll('"', '""')}",False,1900000000,2000000000\n`),
    secureScores: [{ createdDateTime: '2026-10-31T03:00:00Z', currentScore: 130, maxScore: 200 }, { createdDateTime: '2026-09-30T03:00:00Z', currentScore: 100, maxScore: 200 }],
    period: october,
    previous: previousPeriod(october),
    months,
  });
  return m365Section(figures, { period: october.label, previousPeriod: previousPeriod(october).label });
}

/** Each sandbox client's October, as the sandbox's Freshservice and SentinelOne hold it. */
function sandboxModels(world: SandboxWorld): Array<[string, ReportModel]> {
  const sentinelOne = seedSentinelOneWorld(world);
  const asOf = new Date(world.anchor);
  return world.departments.map((department) => {
    const tickets = world.tickets
      .filter((ticket) => ticket.department_id === department.id)
      .map((ticket) => ({ ...ticket, time_entries: world.timeEntries[ticket.id] ?? [], csat_response: world.csat[ticket.id] ?? null }));
    const datasetOf = (period: { from: Date; to: Date }): FreshserviceDataset => ({
      schemaVersion: 1,
      client: { id: department.id, name: department.name },
      period: { from: period.from.toISOString(), to: period.to.toISOString() },
      timezone: 'UTC',
      pulledAt: world.anchor,
      statusLabels: { '2': 'Open', '3': 'Pending', '4': 'Resolved', '5': 'Closed' },
      tickets,
    });
    // The console names a few sites differently ("Globex - HQ", "Stark Logistcs"): matched on the first word.
    const site = sentinelOne.sites.find((candidate) => candidate.name.startsWith(department.name.split(' ')[0]!));
    const sources = site
      ? [
          sentinelOneSection(
            computeSentinelOneFigures({
              site,
              agents: sentinelOne.agents.filter((agent) => agent.siteId === site.id),
              threats: sentinelOne.threats.filter((threat) => threat.agentRealtimeInfo.siteId === site.id),
              unresolvedNow: sentinelOne.threats.filter((threat) => threat.agentRealtimeInfo.siteId === site.id && threat.threatInfo.incidentStatus === 'unresolved').length,
              period: october,
              previous: previousPeriod(october),
              months,
            }),
            { period: october.label, previousPeriod: 'Sep 2026' },
          ),
        ]
      : [];
    const model = buildReportModel({
      dataset: datasetOf(october),
      metrics: computeMetrics(datasetOf(october), { asOf }),
      previous: computeMetrics(datasetOf(previousPeriod(october)), { asOf }),
      history: computeHistory(datasetOf({ from: months[0]!.from, to: october.to }), { months, asOf }),
      brand: SAMPLE_BRAND,
      fullReportUrl: `https://reports.example.com/r/${department.id}`,
      asOf,
      sources,
    });
    return [department.name, model];
  });
}

/**
 * The build inlines the email's CSS into its template once; without a current build each email is rendered and
 * then inlined. Whichever ran, the client gets the same email, byte for byte.
 */
describe('the email whose CSS the build inlined into its template', () => {
  let dir: string;
  let fromBuild: ReportTemplates;
  let fromSources: ReportTemplates;
  const sources = readTemplateSources();

  beforeAll(async () => {
    dir = await makeTempDir('ir-email-inlined-');
    const file = path.join(dir, 'templates.compiled.cjs');
    await fs.writeFile(file, precompiledModule(sources));
    fromBuild = loadReportTemplates(sources, createRequire(import.meta.url)(file) as PrecompiledTemplates);
    fromSources = loadReportTemplates(sources, undefined);
  });
  afterAll(async () => {
    await removeTempDir(dir);
  });

  const expectSameEmail = (model: ReportModel) => {
    expect(fromBuild.emailCssInlined, "the build's email template").toBe(true);
    expect(fromSources.emailCssInlined, 'without a current build').toBe(false);
    const built = renderReport(model, 'email', fromBuild);
    expect(built).toBe(renderReport(model, 'email', fromSources));
    return built;
  };

  it('is the email rendered then inlined, for every sandbox client', () => {
    const models = sandboxModels(seedWorld({ anchor: new Date('2026-11-20T12:00:00Z') }));
    expect(models.length).toBeGreaterThanOrEqual(20);
    expect(models.filter(([, model]) => model.sources.length > 0).length).toBeGreaterThan(10);
    for (const [client, model] of models) {
      const email = expectSameEmail(model);
      expect(email, `${client}: the brand colour in the masthead's own style`).toContain('<td class="masthead" bgcolor="#17324d" style="background-color: #17324d; padding: 18px 28px;">');
      expect(email, `${client}: no style sheet left but the phone rules`).not.toContain('.kpi-label {');
    }
  });

  it('is the email rendered then inlined, branded or not, with and without trends and data sources', () => {
    const variants = [
      sampleModel({ tickets: 40 }),
      sampleModel({ tickets: 40, link: false }),
      sampleModel({ tickets: 120, brand: FULL_BRAND, previous: true, year: true, sources: [m365Of('Acme Corporation')] }),
      sampleModel({ tickets: 80, previous: true, year: true, sources: sandboxModels(seedWorld({ anchor: new Date('2026-11-20T12:00:00Z'), profile: { departments: 1, seatScale: 0.5 } }))[0]![1].sources }),
      sampleModel({ tickets: 3, previous: true }),
      sampleModel({ tickets: 0 }),
    ];
    for (const model of variants) expectSameEmail(model);
  });

  it('is the email rendered then inlined with hostile names and subjects', () => {
    const model = sampleModel({ tickets: 30, subjects: HOSTILE, clientName: HOSTILE.join(' '), brand: FULL_BRAND, previous: true, year: true, sources: [m365Of(HOSTILE.join(' '))] });
    const email = expectSameEmail(model);
    expect(email).not.toContain('*|');
    expect(email).not.toContain('<img src=x');
  });

  it('is the email rendered then inlined for ten thousand tickets, within its 60 KB', () => {
    const email = expectSameEmail(sampleModel({ tickets: 10_000, seed: 11, previous: true, year: true, brand: FULL_BRAND, sources: [m365Of('Acme Corporation')] }));
    expect(byteLength(email)).toBeLessThanOrEqual(EMAIL_BYTE_LIMIT);
  });
});
