import type { Config } from '../config.js';
import { systemClock, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../runtime.js';
import { createHttpApp, listen, type HttpServer } from './http.js';
import { mountReportLinks } from './report-links.js';
import { createChatBot } from '../chat/bot.js';
import { mountSlack } from '../chat/slack/app.js';

export interface BotProcess {
  runtime: Runtime;
  http: HttpServer;
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Overrides config.port (0 picks a free port, for tests). */
  port?: number;
  host?: string;
  sandbox?: RuntimeOptions['sandbox'];
}

/** The one bot process: the runtime, and every surface on one HTTP server. */
export async function startBot(options: StartOptions): Promise<BotProcess> {
  const clock = options.clock ?? systemClock;
  const { logger } = options;
  const runtime = await createRuntime({ config: options.config, logger, clock, sandbox: options.sandbox });
  const { config, services } = runtime;
  const app = createHttpApp();
  mountReportLinks(app, { config, clock, logger, loadWebHtml: runtime.loadWebHtml });
  const bot = createChatBot({ services, logger, clock });
  const slack = await mountSlack(app, { services, config, logger, clock, bot });
  const http = await listen(app, options.port ?? config.port, options.host);
  return {
    runtime,
    http,
    async close() {
      await slack.close();
      await http.close();
      await runtime.close();
    },
  };
}
