import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Config } from '../config.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { createRuntime, type Runtime } from './runtime.js';
import type { Sandbox } from '../sandbox/index.js';
import { createRoutes, listen, type HttpServer } from '../server/http.js';
import { mountReportLinks } from '../server/report-links.js';
import { mountPrintEndpoint } from '../server/print-endpoint.js';
import { createChatBot } from '../chat/bot.js';
import { mountSlack } from '../chat/slack/mount.js';
import { mountTeams } from '../chat/teams/mount.js';
import { showResumedSends } from '../chat/resumed-sends.js';
import { createSlackCardUpdater } from '../chat/slack/cards.js';
import { createTeamsCardUpdater } from '../chat/teams/digest.js';
import { teamsMode } from '../chat/teams/adapter.js';
import { mountPlayground, type PlaygroundMount } from '../server/playground/index.js';
import { createPlatformClients } from './platforms.js';
import type { DigestPublisher } from '../chat/digest-publisher.js';
import type { Scheduler } from '../jobs/scheduler.js';
import { createBotScheduler, createDigestWiring } from './digest.js';
import { brokenStores } from './data-folder.js';
import { announceBot } from './running-bot.js';
import { announcedSandbox } from './sandbox.js';
import type { PdfPrinter } from '../pdf/printer.js';

export interface BotProcess {
  runtime: Runtime;
  http: HttpServer;
  /** The monthly digest: run it, preview it, and the handler of its buttons. */
  digest: DigestPublisher;
  /** The local chat playground, in sandbox mode without Teams credentials. */
  playground?: PlaygroundMount;
  /** The digest and nightly-sync schedule; undefined when started with `jobs: false`. */
  scheduler?: Scheduler;
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Overrides config.port (0 picks a free port, for tests). */
  port?: number;
  /** Overrides config.host. */
  host?: string;
  /** In sandbox mode, the embedded sandbox (see `startEmbeddedSandbox`); the process closes it. */
  sandbox?: Sandbox;
  /** Run the scheduled jobs (monthly digest, nightly sync) in this process; default true. */
  jobs?: boolean;
  /** The printer (by default one over the configured Chromium, started on first use); the process closes it. */
  pdf?: PdfPrinter;
}

/** The one bot process: the runtime, and every surface on one HTTP server. */
export async function startBot(options: StartOptions): Promise<BotProcess> {
  const clock = options.clock ?? systemClock;
  const { logger } = options;
  const runtime = await createRuntime({ config: options.config, logger, clock, sandbox: options.sandbox, pdf: options.pdf });
  const { config, services } = runtime;
  const routes = createRoutes({
    health: async () => (await brokenStores(config.dataDir)).map((broken) => ({ store: path.relative(config.dataDir, broken.file), problem: broken.problem })),
  });
  mountReportLinks(routes, { config, clock, logger, loadWebHtml: runtime.loadWebHtml, loadPdf: runtime.loadPdf });
  const printToken = randomBytes(32).toString('base64url');
  mountPrintEndpoint(routes, { dataDir: config.dataDir, token: printToken, printer: runtime.pdf, logger });
  const platforms = createPlatformClients(runtime);
  const digest = createDigestWiring(runtime, platforms);
  const bot = createChatBot({ services, logger, clock, digest: digest.publisher });
  const slack = await mountSlack(routes, { services, config, logger, clock, bot, client: platforms.slack });
  const playground = teamsMode(config) === 'local'
    ? mountPlayground(routes, { config, logger, outbox: () => options.sandbox!.mailchimp.outbox() })
    : undefined;
  const teams = await mountTeams(routes, {
    services,
    config,
    logger,
    clock,
    conversations: platforms.conversations,
    bot,
    connection: platforms.teams,
    localConnectorPath: playground?.connectorPath,
  });
  const http = await listen(routes, options.port ?? config.port, options.host ?? config.host, logger);
  const withdraw = await announceBot(config.dataDir, { pid: process.pid, url: http.url, printToken, sandbox: options.sandbox && announcedSandbox(options.sandbox) });
  await showResumedSends({
    services,
    updaters: {
      slack: platforms.slack && createSlackCardUpdater(platforms.slack),
      teams: createTeamsCardUpdater({ config, conversations: platforms.conversations, connection: platforms.teams }),
    },
    refreshDigestRow: (periodKey, clientId) => digest.publisher.refreshClient(periodKey, clientId),
    logger,
  }, runtime.resumedSends);
  const scheduler = options.jobs === false ? undefined : createBotScheduler(runtime, digest.publisher);
  scheduler?.start();
  return {
    runtime,
    http,
    digest: digest.publisher,
    playground,
    scheduler,
    async close() {
      scheduler?.stop();
      await withdraw();
      await slack.close();
      await teams.close();
      await http.close();
      await runtime.close();
    },
  };
}
