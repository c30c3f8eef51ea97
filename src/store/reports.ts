import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { JsonStore } from './json-store.js';
import type { KeyFigure } from '../report/figures.js';

/** A data source's line on the card and the digest row: its headline, or the problem that kept its section out. */
export interface SourceHeadline {
  key: string;
  label: string;
  headline?: string;
  problem?: string;
}

/** What a report says of a data source in one line: its headline, or why its section is missing. */
export function sourceHeadlineText(source: SourceHeadline): string {
  return source.headline ?? `no section: ${source.problem ?? 'not read'}`;
}

export interface ReportRecord {
  id: string;
  clientId: number;
  clientName: string;
  periodKey: string;
  periodLabel: string;
  periodFrom: string;
  periodTo: string;
  timezone: string;
  /** 1 for the first report of this client and period; each regeneration adds one. */
  version: number;
  createdAt: string;
  createdBy: string;
  ticketCount: number;
  figures: KeyFigure[];
  /** Absolute paths of the rendered files. */
  files: { emailHtml: string; webHtml: string; metrics: string; dataset: string; pdf?: string };
  /** Why the report has no PDF (no Chromium, or printing failed). */
  pdfProblem?: string;
  /** What each mapped data source added (its headline), or why it added nothing. */
  sources?: SourceHeadline[];
  discarded?: { by: string; at: string };
}

interface ReportsFile {
  reports: ReportRecord[];
  /** Last version handed out per "clientId:periodKey", so two concurrent generations never share an id. */
  versions: Record<string, number>;
}

/** What `reports.json` must hold: the records the commands read, with the fields they rely on. */
export const REPORTS_SCHEMA = z.looseObject({
  reports: z.array(
    z.looseObject({
      id: z.string().min(1),
      clientId: z.number().int(),
      clientName: z.string(),
      periodKey: z.string().min(1),
      version: z.number().int().min(1),
      createdAt: z.string(),
      figures: z.array(z.looseObject({})),
      files: z.looseObject({ emailHtml: z.string(), webHtml: z.string(), metrics: z.string(), dataset: z.string() }),
    }),
  ),
  versions: z.record(z.string(), z.number().int().min(0)).optional(),
});

function reportIdFor(clientId: number, periodKey: string, version: number): string {
  return `${clientId}-${periodKey.replace(/\.\./g, '_')}-v${version}`;
}

/** The reports index (`DATA_DIR/reports.json`); the rendered HTML lives beside it under `reports/<id>/`. */
export class ReportStore {
  private readonly store: JsonStore<ReportsFile>;

  constructor(readonly dataDir: string) {
    this.store = new JsonStore<ReportsFile>(path.join(dataDir, 'reports.json'), () => ({ reports: [], versions: {} }), REPORTS_SCHEMA);
  }

  directoryFor(reportId: string): string {
    return path.join(this.dataDir, 'reports', reportId);
  }

  /**
   * Reserves the next version for a client and period and returns its id, creating its folder. A version
   * is never handed out twice: it is past every version counted, recorded, or found as a folder on disk,
   * so an earlier report's files are never overwritten.
   */
  async reserveId(clientId: number, periodKey: string): Promise<{ id: string; version: number }> {
    return this.store.update(async (data) => {
      const key = `${clientId}:${periodKey}`;
      const recorded = data.reports.filter((report) => report.clientId === clientId && report.periodKey === periodKey).map((report) => report.version);
      let version = Math.max(data.versions[key] ?? 0, ...recorded) + 1;
      await fs.mkdir(path.join(this.dataDir, 'reports'), { recursive: true });
      for (;;) {
        try {
          await fs.mkdir(this.directoryFor(reportIdFor(clientId, periodKey, version)));
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          version += 1;
        }
      }
      data.versions[key] = version;
      return { id: reportIdFor(clientId, periodKey, version), version };
    });
  }

  async add(record: ReportRecord): Promise<void> {
    await this.store.update((data) => {
      data.reports = data.reports.filter((report) => report.id !== record.id);
      data.reports.push(record);
    });
  }

  async get(reportId: string): Promise<ReportRecord | undefined> {
    return (await this.store.read()).reports.find((report) => report.id === reportId);
  }

  async forClient(clientId: number): Promise<ReportRecord[]> {
    return (await this.store.read()).reports
      .filter((report) => report.clientId === clientId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async all(): Promise<ReportRecord[]> {
    return (await this.store.read()).reports;
  }

  async markDiscarded(reportId: string, by: string, at: string): Promise<ReportRecord | undefined> {
    return this.store.update((data) => {
      const report = data.reports.find((candidate) => candidate.id === reportId);
      if (report && !report.discarded) report.discarded = { by, at };
      return report;
    });
  }
}
