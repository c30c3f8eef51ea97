import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import { parseSchedule } from '../src/jobs/schedule.js';
import { JobRunStore } from '../src/jobs/runs.js';
import { createScheduler, type ScheduledJob } from '../src/jobs/scheduler.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const DAY = 86_400_000;

function digestJob(zone: string, ran: Date[]): ScheduledJob {
  return {
    name: 'digest',
    schedule: parseSchedule('first-working-day 08:00', zone),
    catchUpWithinMs: 5 * DAY,
    keyFor: (dueAt) => dueAt.toISOString().slice(0, 7),
    run: async (dueAt) => {
      ran.push(dueAt);
    },
  };
}

describe('digest schedule', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await makeTempDir('ir-jobs-');
  });
  afterEach(async () => {
    await removeTempDir(dataDir);
  });

  it('fires at 08:00 local time on the first working day, before and after a daylight-saving change', () => {
    const schedule = parseSchedule('first-working-day 08:00', 'Europe/Amsterdam');
    // March 2026 starts on a Sunday: Monday 2 March 08:00 CET = 07:00 UTC.
    expect(schedule.nextAfter(new Date('2026-02-15T00:00:00Z')).toISOString()).toBe('2026-03-02T07:00:00.000Z');
    // Clocks go forward on 29 March; 1 April 08:00 CEST = 06:00 UTC.
    expect(schedule.nextAfter(new Date('2026-03-02T07:00:00Z')).toISOString()).toBe('2026-04-01T06:00:00.000Z');
    // Clocks go back on 25 October; 2 November (Monday) 08:00 CET = 07:00 UTC.
    expect(schedule.nextAfter(new Date('2026-10-15T00:00:00Z')).toISOString()).toBe('2026-11-02T07:00:00.000Z');
  });

  it('reads a cron expression in the configured time zone across the spring-forward night', () => {
    const schedule = parseSchedule('30 8 * * *', 'America/New_York');
    expect(schedule.nextAfter(new Date('2026-03-07T20:00:00Z')).toISOString()).toBe('2026-03-08T12:30:00.000Z');
    expect(schedule.nextAfter(new Date('2026-03-08T20:00:00Z')).toISOString()).toBe('2026-03-09T12:30:00.000Z');
  });

  it('refuses a schedule it cannot read, naming the accepted forms', () => {
    expect(() => parseSchedule('every tuesday', 'UTC')).toThrow(/first-working-day 08:00/);
  });

  it('does not fire before the time and fires once when the time comes', async () => {
    const clock = fixedClock('2026-11-02T06:59:00Z');
    const ran: Date[] = [];
    const scheduler = createScheduler({ jobs: [digestJob('Europe/Amsterdam', ran)], runs: new JobRunStore(dataDir), clock, logger: silentLogger });
    await scheduler.tick();
    expect(ran).toHaveLength(0);
    clock.set('2026-11-02T07:00:30Z');
    await scheduler.tick();
    await scheduler.tick();
    expect(ran.map((date) => date.toISOString())).toEqual(['2026-11-02T07:00:00.000Z']);
  });

  it('catches up a run missed while the bot was down, once, and skips one that is too old', async () => {
    const ran: Date[] = [];
    const clock = fixedClock('2026-11-03T10:00:00Z');
    await createScheduler({ jobs: [digestJob('UTC', ran)], runs: new JobRunStore(dataDir), clock, logger: silentLogger }).tick();
    await createScheduler({ jobs: [digestJob('UTC', ran)], runs: new JobRunStore(dataDir), clock, logger: silentLogger }).tick();
    expect(ran.map((date) => date.toISOString())).toEqual(['2026-11-02T08:00:00.000Z']);

    const staleDir = await makeTempDir('ir-jobs-');
    const late: Date[] = [];
    await createScheduler({ jobs: [digestJob('UTC', late)], runs: new JobRunStore(staleDir), clock: fixedClock('2026-11-25T10:00:00Z'), logger: silentLogger }).tick();
    expect(late).toHaveLength(0);
    await removeTempDir(staleDir);
  });

  it('never runs the same occurrence twice when two processes tick at the same moment', async () => {
    const ran: Date[] = [];
    const clock = fixedClock('2026-11-02T08:01:00Z');
    const slowJob = (): ScheduledJob => ({
      ...digestJob('UTC', ran),
      run: async (dueAt) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        ran.push(dueAt);
      },
    });
    const first = createScheduler({ jobs: [slowJob()], runs: new JobRunStore(dataDir), clock, logger: silentLogger });
    const second = createScheduler({ jobs: [slowJob()], runs: new JobRunStore(dataDir), clock, logger: silentLogger });
    await Promise.all([first.tick(), second.tick(), first.tick(), second.tick()]);
    expect(ran).toHaveLength(1);
    expect(await new JobRunStore(dataDir).list('digest')).toMatchObject([{ key: '2026-11', status: 'done' }]);
  });

  it('tries a failed run again after a pause instead of giving up on the month', async () => {
    const clock = fixedClock('2026-11-02T08:01:00Z');
    let attempts = 0;
    const job: ScheduledJob = {
      ...digestJob('UTC', []),
      run: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('Freshservice rejected the API key');
      },
    };
    const scheduler = createScheduler({ jobs: [job], runs: new JobRunStore(dataDir), clock, logger: silentLogger });
    await scheduler.tick();
    await scheduler.tick();
    expect(attempts).toBe(1);
    clock.advance(16 * 60_000);
    await scheduler.tick();
    expect(attempts).toBe(2);
  });

  it('keeps ticking and runs the other jobs when one job cannot even be checked', async () => {
    const clock = fixedClock('2026-11-02T08:01:00Z');
    const ran: Date[] = [];
    const broken: ScheduledJob = {
      ...digestJob('UTC', []),
      name: 'broken',
      keyFor: () => {
        throw new Error('the run store could not be read');
      },
    };
    const scheduler = createScheduler({ jobs: [broken, digestJob('UTC', ran)], runs: new JobRunStore(dataDir), clock, logger: silentLogger });
    await expect(scheduler.tick()).resolves.toBeUndefined();
    expect(ran.map((dueAt) => dueAt.toISOString())).toEqual(['2026-11-02T08:00:00.000Z']);
  });
});
