import path from 'node:path';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ClientRef, Puller, PullProgress } from '../freshservice/puller.js';
import { computeMetrics, type Metrics } from '../report/metrics.js';
import { periodLabelAsOf, previousPeriod, spanOf, trailingMonths, type Period } from '../period/period.js';
import { computeHistory, type History } from '../report/history.js';
import { buildReportModel, type ReportModel } from '../report/model.js';
import { figuresFromTiles } from '../report/figures.js';
import { renderReport, withoutPdfLink } from '../report/render.js';
import { PdfUnavailableError, type PdfPrinter } from '../pdf/printer.js';
import { writeFileAtomic, writeJsonAtomic } from '../store/files.js';
import type { ReportRecord, ReportStore } from '../store/reports.js';
import type { Actor, ProgressUpdate } from './ports.js';
import type { ReportBrand } from '../report/brand.js';
import type { PeopleNames } from '../report/who-what.js';
import type { ContractStore } from '../store/contracts.js';
import type { SourceOutcome, SourceUseCases } from './sources.js';

export interface GenerateDeps {
  puller: Pick<Puller, 'pull' | 'datasetFile'>;
  reports: ReportStore;
  clock: Clock;
  logger: Logger;
  /** The MSP's brand for this report (logo read and, for email, hosted). */
  brand(): Promise<ReportBrand>;
  /** The signed link to a report's web rendering, or with `pdf` to its PDF. */
  reportUrl(reportId: string, options?: { pdf?: boolean }): string;
  /** Freshservice credits a report may spend on older months' time entries and satisfaction (HISTORY_CREDIT_BUDGET). */
  historyCreditBudget: number;
  /** Prints the web report to PDF (headless Chromium). */
  pdf: Pick<PdfPrinter, 'print' | 'unavailable'>;
  /** Monthly allowances of billable hours. */
  contracts: Pick<ContractStore, 'get' | 'set'>;
  /** Requester names and our agents' ids, for "who and what"; null when the helpdesk cannot say. */
  people(): Promise<PeopleNames | null>;
  paper: 'a4' | 'letter';
  /** The data sources beside the helpdesk; absent or empty: the report is the helpdesk's alone. */
  sources?: Pick<SourceUseCases, 'contributions'>;
}

/** What `metrics.json` holds: the period's metrics, the twelve months ending with it, and each mapped source's figures under its key. */
export type ReportMetrics = Metrics & { history: History; sources?: Record<string, unknown> };

const HISTORY_MONTHS = 12;

/** Where a report's data begins: the first of the twelve months of trends ending with `period`. */
export function reportDataStart(period: Period): Date {
  const start = trailingMonths(period, HISTORY_MONTHS)[0]!.from;
  return start < period.from ? start : period.from;
}

export interface GeneratedReport {
  record: ReportRecord;
  metrics: Metrics;
}

function pullProgressText(progress: PullProgress): ProgressUpdate {
  const counted = progress.total > 0 ? ` ${progress.done}/${progress.total}` : '';
  const text =
    progress.phase === 'sync' ? `Pulling tickets…${counted}` : progress.phase === 'enrich' ? `Fetching time entries and satisfaction…${counted}` : 'Saving the dataset…';
  return { phase: 'pull', text, done: progress.done, total: progress.total };
}

/** The web report as a PDF beside it, or why there is none; a report is never lost for want of its PDF. */
async function printPdf(deps: GenerateDeps, printable: string, model: ReportModel, file: string): Promise<{ file?: string; problem?: string }> {
  const unavailable = deps.pdf.unavailable();
  if (unavailable) return { problem: unavailable };
  try {
    const pdf = await deps.pdf.print(printable, {
      paper: deps.paper,
      brandName: model.brand.name,
      brandColor: model.brand.colors.text,
      title: `${model.client.name} · ${model.period.label}`,
      footer: model.brand.footer ?? model.brand.website?.label ?? null,
    });
    await writeFileAtomic(file, pdf);
    return { file };
  } catch (error) {
    if (error instanceof PdfUnavailableError) return { problem: error.message };
    deps.logger.error({ err: error, report: path.basename(path.dirname(file)) }, 'Printing the report to PDF failed; the report is made without it');
    return { problem: 'printing it failed; the details are in the log' };
  }
}

/** Two turns of the event loop: enough for a print just started to reach Chromium or the bot before a stretch of rendering. */
async function handedOver(): Promise<void> {
  for (let turn = 0; turn < 2; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Pull (a year, from the mirror where it can) → metrics and history → render and print. Writes
 * report.email.html, report.web.html, report.pdf (when Chromium is there) and metrics.json under
 * DATA_DIR/reports/<id>/ and records the report in the store.
 */
export async function generateReport(
  deps: GenerateDeps,
  actor: Actor,
  request: { client: ClientRef & { email?: string }; period: Period; onProgress?: (update: ProgressUpdate) => void },
): Promise<GeneratedReport> {
  const { client, period, onProgress } = request;
  const months = trailingMonths(period, HISTORY_MONTHS);
  const before = previousPeriod(period);
  const span = spanOf(months);
  const inSpan = (wanted: Period) => wanted.from >= span.from && wanted.to <= span.to;
  // One pull for the whole year: this period and the one before complete, older months' time entries and
  // satisfaction within the credit budget. The period's own dataset and the previous one are cut from it
  // (a period too long for the year is read from the mirror on its own).
  const year = await deps.puller.pull(client, span, {
    onProgress: (progress) => onProgress?.(pullProgressText(progress)),
    enrichBudget: { fullFrom: before.from < period.from ? before.from : period.from, credits: deps.historyCreditBudget },
    within: [period, before].filter(inSpan),
    writeDataset: false,
  });
  const datasetOf = async (wanted: Period) => year.within[wanted.key] ?? (await deps.puller.pull(client, wanted, { fromMirror: true, writeDataset: false })).dataset;
  const current = await datasetOf(period);
  onProgress?.({ phase: 'metrics', text: 'Computing figures…' });
  const asOf = deps.clock.now();
  // The other data sources, the brand and the people's names are fetched while the figures are computed here.
  const contributing: Promise<SourceOutcome[]> = deps.sources
    ? deps.sources.contributions(client, {
        period,
        months,
        asOf,
        onProgress: (progress) => onProgress?.({ phase: 'pull', text: `${progress.source}: ${progress.text}`, done: progress.done, total: progress.total }),
      })
    : Promise.resolve([]);
  const extras = Promise.all([deps.brand(), deps.people(), deps.contracts.get(client.id)]);
  for (const pending of [contributing, extras]) pending.catch(() => undefined);
  const earlier = await datasetOf(before).catch((error: unknown) => {
    deps.logger.warn({ err: error, client: client.id }, 'Previous period unavailable; the report shows no changes');
    return undefined;
  });
  const metrics = computeMetrics(current, { asOf });
  const previous = earlier && earlier.tickets.length > 0 ? computeMetrics(earlier, { asOf }) : null;
  const history = computeHistory(year.dataset, { months, asOf, accountSince: year.oldestTicketAt });
  const outcomes = await contributing;

  onProgress?.({ phase: 'render', text: 'Rendering…' });
  const { id, version } = await deps.reports.reserveId(client.id, period.key);
  const [brand, people, contract] = await extras;
  const model = buildReportModel({ dataset: current, metrics, previous, history, brand, people, monthlyAllowance: contract?.monthlyHours ?? null, accountSince: year.oldestTicketAt, fullReportUrl: deps.reportUrl(id), asOf, sources: outcomes.flatMap((outcome) => (outcome.section ? [outcome.section] : [])) });
  const directory = deps.reports.directoryFor(id);
  const files = {
    emailHtml: path.join(directory, 'report.email.html'),
    webHtml: path.join(directory, 'report.web.html'),
    metrics: path.join(directory, 'metrics.json'),
    dataset: deps.puller.datasetFile(client.id, period),
  };
  // The PDF prints (in Chromium, or in the running bot) while this process renders the email and the web page
  // and writes every file that does not depend on whether there is a PDF.
  const printing = printPdf(deps, renderReport(model, 'pdf'), model, path.join(directory, 'report.pdf'));
  await handedOver();
  await writeFileAtomic(files.emailHtml, renderReport(model, 'email'));
  const web = renderReport(model, 'web');
  await writeJsonAtomic(files.dataset, current);
  const sourceFigures = Object.fromEntries(outcomes.flatMap((outcome) => (outcome.figures !== undefined ? [[outcome.key, outcome.figures]] : [])));
  await writeJsonAtomic(files.metrics, { ...metrics, history, ...(outcomes.length > 0 ? { sources: sourceFigures } : {}) } satisfies ReportMetrics);
  const pdf = await printing;
  await writeFileAtomic(files.webHtml, pdf.file ? web : withoutPdfLink(web));

  const record: ReportRecord = {
    id,
    clientId: client.id,
    clientName: client.name,
    periodKey: period.key,
    periodLabel: periodLabelAsOf(period, asOf),
    periodFrom: metrics.period.from,
    periodTo: metrics.period.to,
    timezone: period.timezone,
    version,
    createdAt: asOf.toISOString(),
    createdBy: actor.name,
    ticketCount: metrics.tickets.created,
    figures: figuresFromTiles(model.kpis),
    files: pdf.file ? { ...files, pdf: pdf.file } : files,
    ...(pdf.problem ? { pdfProblem: pdf.problem } : {}),
    ...(outcomes.length > 0 ? { sources: outcomes.map(({ key, label, headline, problem }) => ({ key, label, ...(headline ? { headline } : {}), ...(problem ? { problem } : {}) })) } : {}),
  };
  await deps.reports.add(record);
  return { record, metrics };
}
