import path from 'node:path';
import { hostname } from 'node:os';
import { z } from 'zod';
import { JsonStore } from '../store/json-store.js';

export interface JobRun {
  job: string;
  /** What the run is for, e.g. the digest's period key and channel: one run per key, ever. */
  key: string;
  dueAt: string;
  status: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt?: string;
  owner: string;
  error?: string;
  summary?: unknown;
}

/** What `jobs.json` must hold. */
export const JOBS_SCHEMA = z.looseObject({
  runs: z.array(z.looseObject({ job: z.string(), key: z.string(), status: z.enum(['running', 'done', 'failed']), startedAt: z.string(), owner: z.string() })),
});

interface JobsFile {
  runs: JobRun[];
}

/** A run still "running" after this long is taken to have died with its process and may be claimed again. */
const STALE_RUN_MS = 2 * 60 * 60 * 1000;
/** A failed run is tried again at the next tick after this pause. */
const RETRY_FAILED_AFTER_MS = 15 * 60 * 1000;

/** Records of scheduled runs (`DATA_DIR/jobs.json`); claiming a run is the lock that keeps two processes from doing it twice. */
export class JobRunStore {
  private readonly store: JsonStore<JobsFile>;
  readonly owner = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  constructor(dataDir: string) {
    this.store = new JsonStore<JobsFile>(path.join(dataDir, 'jobs.json'), () => ({ runs: [] }), JOBS_SCHEMA);
  }

  /** Claims the run for `job`+`key`; false when it is done, or running elsewhere and not stale. */
  async claim(job: string, key: string, dueAt: Date, now: Date): Promise<boolean> {
    return this.store.update((data) => {
      const existing = data.runs.find((run) => run.job === job && run.key === key);
      if (existing?.status === 'done') return false;
      if (existing?.status === 'running' && now.getTime() - Date.parse(existing.startedAt) < STALE_RUN_MS) return false;
      if (existing?.status === 'failed' && now.getTime() - Date.parse(existing.finishedAt ?? existing.startedAt) < RETRY_FAILED_AFTER_MS) return false;
      const run: JobRun = { job, key, dueAt: dueAt.toISOString(), status: 'running', startedAt: now.toISOString(), owner: this.owner };
      data.runs = data.runs.filter((candidate) => candidate !== existing);
      data.runs.push(run);
      return true;
    });
  }

  async finish(job: string, key: string, now: Date, outcome: { error?: string; summary?: unknown }): Promise<void> {
    await this.store.update((data) => {
      const run = data.runs.find((candidate) => candidate.job === job && candidate.key === key && candidate.owner === this.owner);
      if (!run) return;
      run.status = outcome.error ? 'failed' : 'done';
      run.finishedAt = now.toISOString();
      run.error = outcome.error;
      run.summary = outcome.summary;
    });
  }

  async list(job?: string): Promise<JobRun[]> {
    return (await this.store.read()).runs.filter((run) => !job || run.job === job);
  }
}
