/** The bot's scheduled jobs: the monthly digest and the nightly client + mirror sync. */
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc.js';
import timezone from 'dayjs/plugin/timezone.js';
import type { Actor } from '../app/ports.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { DigestPublisher } from '../chat/digest-publisher.js';
import { parsePeriod, type Period } from '../period/period.js';
import { parseSchedule, ScheduleError, type Schedule } from './schedule.js';
import type { ScheduledJob } from './scheduler.js';
import type { SyncResult } from '../freshservice/puller.js';
import type { SyncSummary } from '../clients/directory-store.js';

dayjs.extend(utc);
dayjs.extend(timezone);

const HOUR = 60 * 60 * 1000;
/** A digest missed while the bot was down is still posted within a week (later it would be stale news). */
const DIGEST_CATCH_UP_MS = 7 * 24 * HOUR;
/** A missed nightly sync is caught up until the next night's run is close. */
const NIGHTLY_CATCH_UP_MS = 20 * HOUR;
const NIGHTLY_SCHEDULE = '0 2 * * *';

export const SCHEDULER_ACTOR: Actor = { platform: 'scheduler', id: 'scheduler', name: 'the monthly schedule' };

/** The digest is about the month before the one it runs in (local time). */
function digestPeriodFor(dueAt: Date, zone: string): Period {
  return parsePeriod('last-month', { timezone: zone, now: dueAt });
}

/**
 * The monthly digest, keyed `<periodKey>:<channels>` so a period is posted once per set of
 * destinations, however many processes tick and however often the bot restarts.
 */
export function digestJob(deps: { schedule: string; timezone: string; channels: string; run(period: Period, dueAt: Date): Promise<unknown> }): ScheduledJob {
  let schedule: Schedule;
  try {
    schedule = parseSchedule(deps.schedule, deps.timezone);
  } catch (error) {
    if (error instanceof ScheduleError) throw new ScheduleError(`DIGEST_SCHEDULE: ${error.message}`);
    throw error;
  }
  return {
    name: 'digest',
    schedule,
    catchUpWithinMs: DIGEST_CATCH_UP_MS,
    keyFor: (dueAt) => `${digestPeriodFor(dueAt, deps.timezone).key}:${deps.channels}`,
    run: (dueAt) => deps.run(digestPeriodFor(dueAt, deps.timezone), dueAt),
  };
}

/** The nightly refresh at 02:00 local time, keyed by the local date. */
export function nightlySyncJob(deps: { timezone: string; run(): Promise<unknown> }): ScheduledJob {
  return {
    name: 'nightly-sync',
    schedule: parseSchedule(NIGHTLY_SCHEDULE, deps.timezone),
    catchUpWithinMs: NIGHTLY_CATCH_UP_MS,
    keyFor: (dueAt) => dayjs(dueAt).tz(deps.timezone).format('YYYY-MM-DD'),
    run: () => deps.run(),
  };
}

/** "slack:C0123+teams" — the destinations part of a digest run's key. */
export function digestChannels(options: { slackChannel?: string; teams: boolean }): string {
  const parts = [options.slackChannel ? `slack:${options.slackChannel}` : undefined, options.teams ? 'teams' : undefined].filter(Boolean);
  return parts.length > 0 ? parts.join('+') : 'nowhere';
}

export interface BotJobDeps {
  config: Pick<Config, 'digest' | 'timezone' | 'slack'>;
  logger: Logger;
  publisher: Pick<DigestPublisher, 'hasTargets' | 'run'>;
  /**
   * The nightly refresh: the client directory, then the account's ticket mirror, enriched for the clients
   * that get reports.
   */
  syncMirror(): Promise<SyncResult>;
  syncClients(): Promise<Pick<SyncSummary, 'clients' | 'linked'>>;
}

/** The bot process's jobs: the monthly digest (skipped while it has nowhere to go) and the nightly sync. */
export function botJobs(deps: BotJobDeps): ScheduledJob[] {
  const { config, logger, publisher } = deps;
  return [
    digestJob({
      schedule: config.digest.schedule,
      timezone: config.timezone,
      channels: digestChannels({ slackChannel: config.slack.botToken ? config.digest.channel : undefined, teams: true }),
      async run(period) {
        if (!(await publisher.hasTargets())) {
          logger.warn({ period: period.key }, 'Monthly digest skipped: DIGEST_CHANNEL is not set (or no Slack token) and the app is in no Teams channel');
          return { skipped: 'no digest channel' };
        }
        const result = await publisher.run(SCHEDULER_ACTOR, period);
        logger.info({ ...result }, 'Monthly digest posted');
        if (result.failed.length > 0) {
          throw new Error(`The digest could not be posted to ${result.failed.map((entry) => `${entry.platform} ${entry.target}: ${entry.reason}`).join('; ')}`);
        }
        return result;
      },
    }),
    nightlySyncJob({
      timezone: config.timezone,
      async run() {
        // The directory first, so a client linked today gets its tickets enriched tonight; if it fails,
        // the mirror is still synced (for the clients linked before) and the run reports the failure.
        const directory = await deps.syncClients().then(
          (summary) => ({ summary }),
          (error: unknown) => ({ error }),
        );
        const mirror = await deps.syncMirror();
        if ('error' in directory) throw directory.error;
        return { mirror, directory: { clients: directory.summary.clients, linked: directory.summary.linked } };
      },
    }),
  ];
}
