import path from 'node:path';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ClientRef, Puller, PullProgress } from '../freshservice/puller.js';
import { computeMetrics, type Metrics } from '../report/metrics.js';
import { previousPeriod, type Period } from '../period/period.js';
import { buildReportModel } from '../report/model.js';
import { figuresFromTiles } from '../report/figures.js';
import { renderReport } from '../report/render.js';
import { writeFileAtomic, writeJsonAtomic } from '../store/files.js';
import type { ReportRecord, ReportStore } from '../store/reports.js';
import type { Actor, ProgressUpdate } from './ports.js';
import type { ReportBrand } from '../report/brand.js';

export interface GenerateDeps {
  puller: Pick<Puller, 'pull'>;
  reports: ReportStore;
  clock: Clock;
  logger: Logger;
  /** The MSP's brand for this report (logo read and, for email, hosted). */
  brand(): Promise<ReportBrand>;
  /** The signed link to a report's web rendering. */
  reportUrl(reportId: string): string;
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

/**
 * Pull (from the mirror) → metrics → render. Writes report.email.html, report.web.html and
 * metrics.json under DATA_DIR/reports/<id>/ and records the report in the store.
 */
export async function generateReport(
  deps: GenerateDeps,
  actor: Actor,
  request: { client: ClientRef; period: Period; onProgress?: (update: ProgressUpdate) => void },
): Promise<GeneratedReport> {
  const { client, period, onProgress } = request;
  const current = await deps.puller.pull(client, period, { onProgress: (progress) => onProgress?.(pullProgressText(progress)) });
  onProgress?.({ phase: 'metrics', text: 'Computing figures…' });
  const asOf = deps.clock.now();
  const earlier = await deps.puller.pull(client, previousPeriod(period), { fromMirror: true }).catch((error: unknown) => {
    deps.logger.warn({ err: error, client: client.id }, 'Previous period unavailable; the report shows no changes');
    return undefined;
  });
  const metrics = computeMetrics(current.dataset, { asOf });
  const previous = earlier && earlier.ticketCount > 0 ? computeMetrics(earlier.dataset, { asOf }) : null;

  onProgress?.({ phase: 'render', text: 'Rendering…' });
  const { id, version } = await deps.reports.reserveId(client.id, period.key);
  const model = buildReportModel({ dataset: current.dataset, metrics, previous, brand: await deps.brand(), fullReportUrl: deps.reportUrl(id), asOf });
  const directory = deps.reports.directoryFor(id);
  const files = {
    emailHtml: path.join(directory, 'report.email.html'),
    webHtml: path.join(directory, 'report.web.html'),
    metrics: path.join(directory, 'metrics.json'),
    dataset: current.file,
  };
  await writeFileAtomic(files.emailHtml, renderReport(model, 'email'));
  await writeFileAtomic(files.webHtml, renderReport(model, 'web'));
  await writeJsonAtomic(files.metrics, metrics);

  const record: ReportRecord = {
    id,
    clientId: client.id,
    clientName: client.name,
    periodKey: period.key,
    periodLabel: period.label,
    periodFrom: metrics.period.from,
    periodTo: metrics.period.to,
    timezone: period.timezone,
    version,
    createdAt: asOf.toISOString(),
    createdBy: actor.name,
    ticketCount: metrics.tickets.created,
    figures: figuresFromTiles(model.kpis),
    files,
  };
  await deps.reports.add(record);
  return { record, metrics };
}
