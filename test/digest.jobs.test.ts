import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import type { DigestPublisher, PublishResult } from '../src/chat/digest-publisher.js';
import { botJobs } from '../src/jobs/jobs.js';
import type { SyncResult } from '../src/freshservice/puller.js';
import { JobRunStore } from '../src/jobs/runs.js';
import { createScheduler } from '../src/jobs/scheduler.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

interface Recorder {
  digests: Array<{ period: string; actor: string }>;
  syncs: number;
}

/** The bot's real jobs (real DIGEST_SCHEDULE default, TIMEZONE, key) over a recording publisher and sync. */
function jobsUnderTest(dataDir: string, env: Record<string, string>, recorder: Recorder, options: { targets?: boolean; failPosting?: boolean; slowMs?: number } = {}) {
  const config = loadConfig({ DATA_DIR: dataDir, SLACK_BOT_TOKEN: 'xoxb-jobs', SLACK_SIGNING_SECRET: 'jobs-secret', ...env });
  const publisher = {
    hasTargets: async () => options.targets ?? true,
    async run(actor, period): Promise<PublishResult> {
      if (options.slowMs) await new Promise((resolve) => setTimeout(resolve, options.slowMs));
      recorder.digests.push({ period: period.key, actor: actor.name });
      return { digestId: `digest-${period.key}`, period: period.key, rows: 25, ready: 18, posted: [], failed: options.failPosting ? [{ platform: 'slack', target: 'C1', reason: 'not_in_channel' }] : [] };
    },
  } as Pick<DigestPublisher, 'hasTargets' | 'run'>;
  return botJobs({
    config,
    logger: silentLogger,
    publisher,
    syncMirror: async () => {
      recorder.syncs += 1;
      return { calls: 1, credits: 3 } as SyncResult;
    },
    syncClients: async () => ({ clients: 25, linked: 18 }),
  });
}

describe('the bot\'s scheduled jobs', () => {
  let dataDir: string;
  let recorder: Recorder;
  beforeEach(async () => {
    dataDir = await makeTempDir('ir-digest-jobs-');
    recorder = { digests: [], syncs: 0 };
  });
  afterEach(async () => {
    await removeTempDir(dataDir);
  });

  const amsterdam = { TIMEZONE: 'Europe/Amsterdam', DIGEST_CHANNEL: 'C1' };
  const scheduler = (clock: ReturnType<typeof fixedClock>, options: Parameters<typeof jobsUnderTest>[3] = {}, env: Record<string, string> = amsterdam) =>
    createScheduler({ jobs: jobsUnderTest(dataDir, env, recorder, options), runs: new JobRunStore(dataDir), clock, logger: silentLogger });

  it('posts the digest for the previous month at 08:00 local on the first working day, once, keyed by period and channels', async () => {
    const clock = fixedClock('2026-11-02T06:59:00Z');
    const first = scheduler(clock);
    await first.tick();
    expect(recorder.digests).toEqual([]);
    clock.set('2026-11-02T07:00:20Z');
    await first.tick();
    await first.tick();
    await scheduler(clock).tick();
    expect(recorder.digests).toEqual([{ period: '2026-10', actor: 'the monthly schedule' }]);
    expect(await new JobRunStore(dataDir).list('digest')).toMatchObject([{ key: '2026-10:slack:C1+teams', status: 'done', dueAt: '2026-11-02T07:00:00.000Z' }]);
  });

  it('follows the local clock across daylight saving: 08:00 CEST on 1 April is 06:00 UTC', async () => {
    const clock = fixedClock('2026-04-01T05:59:30Z');
    const bot = scheduler(clock);
    await bot.tick();
    expect(recorder.digests).toEqual([]);
    clock.set('2026-04-01T06:00:10Z');
    await bot.tick();
    expect(recorder.digests.map((run) => run.period)).toEqual(['2026-03']);
  });

  it('catches up a digest missed while the bot was down, once, and skips one more than a week old', async () => {
    const clock = fixedClock('2026-11-05T13:00:00Z');
    await scheduler(clock).tick();
    await scheduler(clock).tick();
    expect(recorder.digests.map((run) => run.period)).toEqual(['2026-10']);

    clock.set('2026-12-15T09:00:00Z');
    await scheduler(clock).tick();
    expect(recorder.digests.map((run) => run.period)).toEqual(['2026-10']);
  });

  it('two bot processes started by mistake post the digest once', async () => {
    const clock = fixedClock('2026-11-02T07:05:00Z');
    const one = scheduler(clock, { slowMs: 30 });
    const two = scheduler(clock, { slowMs: 30 });
    await Promise.all([one.tick(), two.tick(), one.tick(), two.tick()]);
    expect(recorder.digests).toHaveLength(1);
  });

  it('a failed post is tried again after a pause; a new DIGEST_CHANNEL is a new run for the same month', async () => {
    const clock = fixedClock('2026-11-02T07:05:00Z');
    await scheduler(clock, { failPosting: true }).tick();
    expect(await new JobRunStore(dataDir).list('digest')).toMatchObject([{ status: 'failed', error: expect.stringContaining('not_in_channel') }]);
    clock.advance(16 * 60_000);
    await scheduler(clock).tick();
    expect(recorder.digests).toHaveLength(2);
    await scheduler(clock, {}, { ...amsterdam, DIGEST_CHANNEL: 'C2' }).tick();
    expect(recorder.digests).toHaveLength(3);
    expect((await new JobRunStore(dataDir).list('digest')).map((run) => run.key).sort()).toEqual(['2026-10:slack:C1+teams', '2026-10:slack:C2+teams']);
  });

  it('without a digest channel anywhere the run is recorded as skipped and nothing is prepared', async () => {
    const clock = fixedClock('2026-11-02T07:05:00Z');
    await scheduler(clock, { targets: false }, { TIMEZONE: 'Europe/Amsterdam' }).tick();
    expect(recorder.digests).toEqual([]);
    expect(await new JobRunStore(dataDir).list('digest')).toMatchObject([{ key: '2026-10:teams', status: 'done', summary: { skipped: 'no digest channel' } }]);
  });

  it('refuses an unreadable DIGEST_SCHEDULE at start-up, naming the variable', () => {
    expect(() => jobsUnderTest(dataDir, { ...amsterdam, DIGEST_SCHEDULE: 'every other tuesday' }, recorder)).toThrow(/^DIGEST_SCHEDULE: "every other tuesday" is not a schedule/);
  });

  it('runs the nightly sync at 02:00 local once per local date, even on the night the clocks go back', async () => {
    // 25 October 2026: 02:00 CEST (00:00 UTC) and, after the clocks go back, 02:00 CET (01:00 UTC).
    const clock = fixedClock('2026-10-24T23:59:00Z');
    const bot = scheduler(clock);
    await bot.tick();
    const before = recorder.syncs;
    clock.set('2026-10-25T00:00:30Z');
    await bot.tick();
    clock.set('2026-10-25T01:00:30Z');
    await bot.tick();
    expect(recorder.syncs - before).toBe(1);
    expect((await new JobRunStore(dataDir).list('nightly-sync')).map((run) => run.key)).toContain('2026-10-25');
  });
});
