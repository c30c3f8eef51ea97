import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { latestOccurrence, type Schedule } from './schedule.js';
import type { JobRunStore } from './runs.js';

export interface ScheduledJob {
  name: string;
  schedule: Schedule;
  /** How late a missed occurrence may still be caught up at start-up; older ones are skipped. */
  catchUpWithinMs: number;
  /** The run's identity for an occurrence, e.g. "2026-10:C0123" — a key is only ever run once. */
  keyFor(dueAt: Date): string;
  run(dueAt: Date): Promise<unknown>;
}

export interface Scheduler {
  /** Runs every job whose latest occurrence is due and not yet claimed; safe to call at any time. */
  tick(): Promise<void>;
  start(): void;
  stop(): void;
}

const TICK_MS = 30_000;

/**
 * Checks the jobs on a steady tick instead of one long timer, so a suspended laptop, a changed
 * clock or a daylight-saving jump never loses a run; the run store decides who runs what.
 */
export function createScheduler(deps: { jobs: ScheduledJob[]; runs: JobRunStore; clock: Clock; logger: Logger; tickMs?: number }): Scheduler {
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;

  async function runDue(job: ScheduledJob): Promise<void> {
    const now = deps.clock.now();
    const dueAt = latestOccurrence(job.schedule, now, job.catchUpWithinMs);
    if (!dueAt) return;
    const key = job.keyFor(dueAt);
    if (!(await deps.runs.claim(job.name, key, dueAt, now))) return;
    deps.logger.info({ job: job.name, run: key, dueAt: dueAt.toISOString() }, `Running ${job.name}`);
    try {
      const summary = await job.run(dueAt);
      await deps.runs.finish(job.name, key, deps.clock.now(), { summary });
    } catch (error) {
      deps.logger.error({ job: job.name, run: key, err: error }, `${job.name} failed`);
      await deps.runs.finish(job.name, key, deps.clock.now(), { error: (error as Error).message });
    }
  }

  const tick = async (): Promise<void> => {
    if (!ticking) {
      ticking = (async () => {
        for (const job of deps.jobs) {
          // A tick runs from a timer with no one to catch it: a failure is logged, never left to crash the process.
          await runDue(job).catch((error: unknown) => {
            deps.logger.error({ job: job.name, err: error }, `${job.name} could not be checked; trying again at the next tick`);
          });
        }
      })().finally(() => {
        ticking = undefined;
      });
    }
    return ticking;
  };

  return {
    tick,
    start() {
      void tick();
      timer = setInterval(() => void tick(), deps.tickMs ?? TICK_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
