import path from 'node:path';
import { JsonStore } from './json-store.js';
import type { KeyFigure } from '../report/figures.js';

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
  discarded?: { by: string; at: string };
}

interface ReportsFile {
  reports: ReportRecord[];
  /** Last version handed out per "clientId:periodKey", so two concurrent generations never share an id. */
  versions: Record<string, number>;
}

/** The reports index (`DATA_DIR/reports.json`); the rendered HTML lives beside it under `reports/<id>/`. */
export class ReportStore {
  private readonly store: JsonStore<ReportsFile>;

  constructor(readonly dataDir: string) {
    this.store = new JsonStore<ReportsFile>(path.join(dataDir, 'reports.json'), () => ({ reports: [], versions: {} }));
  }

  directoryFor(reportId: string): string {
    return path.join(this.dataDir, 'reports', reportId);
  }

  /** Reserves the next version for a client and period and returns its id. */
  async reserveId(clientId: number, periodKey: string): Promise<{ id: string; version: number }> {
    return this.store.update((data) => {
      const key = `${clientId}:${periodKey}`;
      const version = (data.versions[key] ?? 0) + 1;
      data.versions[key] = version;
      return { id: `${clientId}-${periodKey.replace(/\.\./g, '_')}-v${version}`, version };
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
