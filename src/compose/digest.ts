/** Builds the digest publisher and the scheduled jobs from a runtime (used by the bot process and the CLI). */
import { digestDepsFor } from '../app/digest.js';
import { createDigestPublisher, type DigestPoster, type DigestPublisher } from '../chat/digest-publisher.js';
import { createSlackDigestPoster } from '../chat/slack/digest.js';
import { createTeamsDigestPoster } from '../chat/teams/digest.js';
import type { Runtime } from './runtime.js';
import { ConversationStore } from '../store/conversations.js';
import { DigestStore } from '../store/digests.js';
import { digestChannels, digestJob, nightlySyncJob, SCHEDULER_ACTOR } from '../jobs/jobs.js';
import { JobRunStore } from '../jobs/runs.js';
import { createScheduler, type ScheduledJob, type Scheduler } from '../jobs/scheduler.js';

export interface DigestWiring {
  publisher: DigestPublisher;
}

/** Slack when a bot token and DIGEST_CHANNEL are set; Teams for every team channel the app was installed in. */
export function createDigestWiring(runtime: Runtime, options: { conversations?: ConversationStore } = {}): DigestWiring {
  const { config, logger, clock } = runtime;
  const conversations = options.conversations ?? new ConversationStore(config.dataDir, clock);
  const posters = [createSlackDigestPoster(config), createTeamsDigestPoster({ config, conversations, logger })].filter((poster): poster is DigestPoster => poster !== undefined);
  const publisher = createDigestPublisher({ digest: digestDepsFor(runtime, new DigestStore(config.dataDir)), posters, logger });
  return { publisher };
}

export function createBotJobs(runtime: Runtime, publisher: DigestPublisher): ScheduledJob[] {
  const { config, logger } = runtime;
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
        const mirror = await runtime.freshservice.puller.syncMirror();
        const directory = await runtime.clients.syncClients();
        return { mirror, directory: { clients: directory.clients, linked: directory.linked } };
      },
    }),
  ];
}

export function createBotScheduler(runtime: Runtime, publisher: DigestPublisher): Scheduler {
  return createScheduler({ jobs: createBotJobs(runtime, publisher), runs: new JobRunStore(runtime.config.dataDir), clock: runtime.clock, logger: runtime.logger });
}
