/** The digest publisher and the scheduled jobs, built from a runtime (for the bot process and the CLI). */
import { mirrorDrafts } from '../app/digest.js';
import { syncReportMirror } from '../app/mirror-sync.js';
import { createDigestPublisher, type DigestPoster, type DigestPublisher } from '../chat/digest-publisher.js';
import { createSlackDigestPoster } from '../chat/slack/digest.js';
import { createTeamsDigestPoster } from '../chat/teams/digest.js';
import type { Runtime } from './runtime.js';
import type { SandboxServices } from './sandbox.js';
import { createPlatformClients, type PlatformClients } from './platforms.js';
import { DigestStore } from '../store/digests.js';
import { botJobs } from '../jobs/jobs.js';
import { JobRunStore } from '../jobs/runs.js';
import { createScheduler, type ScheduledJob, type Scheduler } from '../jobs/scheduler.js';

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

/** The monthly digest and the nightly sync (the client directory, then the mirror enriched for the linked clients). */
export function createBotJobs(runtime: Runtime<SandboxServices>, publisher: DigestPublisher): ScheduledJob[] {
  return botJobs({
    config: runtime.config,
    logger: runtime.logger,
    publisher,
    syncMirror: () => syncReportMirror({ puller: runtime.freshservice.puller, listClients: () => runtime.services.listClients() }),
    syncClients: () => runtime.clients.syncClients(),
  });
}

export function createBotScheduler(runtime: Runtime<SandboxServices>, publisher: DigestPublisher): Scheduler {
  return createScheduler({ jobs: createBotJobs(runtime, publisher), runs: new JobRunStore(runtime.config.dataDir), clock: runtime.clock, logger: runtime.logger });
}
