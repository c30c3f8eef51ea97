/** The digest publisher and the scheduled jobs, built from a runtime (for the bot process and the CLI). */
import { mirrorDrafts } from '../app/digest.js';
import { createDigestPublisher, type DigestPoster, type DigestPublisher } from '../chat/digest-publisher.js';
import { createSlackDigestPoster } from '../chat/slack/digest.js';
import { createTeamsDigestPoster } from '../chat/teams/digest.js';
import type { Runtime } from './runtime.js';
import type { SandboxServices } from './sandbox.js';
import { createPlatformClients, type PlatformClients } from './platforms.js';
import { DigestStore } from '../store/digests.js';
import { botJobs } from '../jobs/jobs.js';
import { JobRunStore } from '../jobs/runs.js';
import { createScheduler, type Scheduler } from '../jobs/scheduler.js';

export interface DigestWiring {
  publisher: DigestPublisher;
}

/** Slack when a bot token and DIGEST_CHANNEL are set; Teams for every team channel the app was installed in. */
export function createDigestWiring(runtime: Runtime<SandboxServices>, platforms: PlatformClients = createPlatformClients(runtime)): DigestWiring {
  const { config, logger, clock } = runtime;
  const posters = [
    createSlackDigestPoster(platforms.slack, config.digest.channel),
    createTeamsDigestPoster({ config, conversations: platforms.conversations, connection: platforms.teams }),
  ].filter((poster): poster is DigestPoster => poster !== undefined);
  const digest = {
    services: runtime.services,
    ...mirrorDrafts(runtime.generation, runtime.freshservice.puller),
    store: new DigestStore(config.dataDir),
    clock,
    logger,
  };
  return { publisher: createDigestPublisher({ digest, posters, logger }) };
}

export function createBotScheduler(runtime: Runtime<SandboxServices>, publisher: DigestPublisher): Scheduler {
  const jobs = botJobs({
    config: runtime.config,
    logger: runtime.logger,
    publisher,
    syncMirror: () => runtime.freshservice.puller.syncMirror(),
    syncClients: () => runtime.clients.syncClients(),
  });
  return createScheduler({ jobs, runs: new JobRunStore(runtime.config.dataDir), clock: runtime.clock, logger: runtime.logger });
}
