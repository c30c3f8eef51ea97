import { vi } from 'vitest';
import type { BotServices } from '../../src/app/ports.js';
import type { ChatBot } from '../../src/chat/bot.js';
import { mountSlack, type SlackHandle } from '../../src/chat/slack/mount.js';
import { systemClock, type Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { createRoutes, listen, type HttpServer } from '../../src/server/http.js';
import {
  blockActionPayload, interactionBody, slackSignature, slashCommandBody, startSlackMock, viewSubmissionPayload, type SlackMock, type SlackUser,
} from './slack-mock.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

export const SLACK_SECRET = 'stack-signing-secret';

type Block = Record<string, any>;

export interface SlackStack {
  mock: SlackMock;
  server: HttpServer;
  config: Config;
  dataDir: string;
  /** POSTs a signed body to /slack/events, signed at the stack's clock unless headers are given. */
  post(body: string, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  /** Types `/integoreport <text>`; returns the command's response_url. */
  command(text: string, options?: { userId?: string; channelId?: string }): Promise<string>;
  /** Presses a button of a message; returns the interaction's response_url. */
  click(userId: string, button: Block, messageTs: string, options?: { channelId?: string; ephemeral?: boolean }): Promise<string>;
  /** Submits a modal as Slack would; returns the HTTP answer (the ack's body). */
  submit(userId: string, view: Block, values: Record<string, Record<string, unknown>>): Promise<{ status: number; text: string }>;
  /** What the bot POSTed to one response_url, in order. */
  responsesTo(url: string): Array<{ url: string; body: Record<string, any> }>;
  /** The blocks of the newest views.open or views.update. */
  latestModal(): Promise<Block>;
  close(): Promise<void>;
}

export interface SlackStackOptions {
  users: SlackUser[];
  clock?: Clock;
  logger?: Logger;
  /** The use-cases, or a function that builds them from the config once the server listens. */
  services: BotServices | ((config: Config, dataDir: string) => Promise<{ services: BotServices; close?(): Promise<void> }>);
  /** The chat core to use (one is created from the services otherwise). */
  bot?: (services: BotServices) => ChatBot;
  env?: Record<string, string>;
}

/** The Slack surface over real HTTP on 127.0.0.1 with the Slack Web API mock, as slack.e2e drives it. */
export async function startSlackStack(options: SlackStackOptions): Promise<SlackStack> {
  const clock = options.clock ?? systemClock;
  const dataDir = await makeTempDir('integoreport-slack-stack-');
  const mock = await startSlackMock(options.users);
  const routes = createRoutes();
  const server = await listen(routes, 0, '127.0.0.1');
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-stack-token',
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: mock.apiUrl,
    PUBLIC_BASE_URL: server.url,
    REPORT_LINK_SECRET: 'stack-report-link-secret-0123456789',
    DATA_DIR: dataDir,
    ...options.env,
  });
  const built = typeof options.services === 'function' ? await options.services(config, dataDir) : { services: options.services };
  const slack: SlackHandle = await mountSlack(routes, {
    services: built.services,
    config,
    logger: options.logger ?? silentLogger,
    clock,
    bot: options.bot?.(built.services),
  });

  const post = async (body: string, headers = slackSignature(SLACK_SECRET, body, Math.floor(clock.now().getTime() / 1000))) => {
    const response = await fetch(`${server.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    return { status: response.status, text: await response.text() };
  };
  let modalsSeen = 0;

  return {
    mock,
    server,
    config,
    dataDir,
    post,
    async command(text, commandOptions = {}) {
      const responseUrl = mock.responseUrl();
      const result = await post(slashCommandBody({ text, userId: commandOptions.userId ?? 'U_STAFF', channelId: commandOptions.channelId, responseUrl }));
      if (result.status !== 200) throw new Error(`the command answered ${result.status}`);
      return responseUrl;
    },
    async click(userId, button, messageTs, clickOptions = {}) {
      const responseUrl = mock.responseUrl();
      const body = interactionBody(blockActionPayload({ userId, actionId: button.action_id, value: button.value, messageTs, responseUrl, channelId: clickOptions.channelId, ephemeral: clickOptions.ephemeral }));
      const result = await post(body);
      if (result.status !== 200) throw new Error(`the click answered ${result.status}`);
      return responseUrl;
    },
    submit(userId, view, values) {
      return post(interactionBody(viewSubmissionPayload({ userId, view, values })));
    },
    responsesTo: (url) => mock.responses.filter((response) => url.endsWith(response.url)),
    async latestModal() {
      return vi.waitFor(() => {
        const calls = mock.calls.filter((call) => call.method === 'views.open' || call.method === 'views.update');
        if (calls.length <= modalsSeen) throw new Error('no new modal yet');
        modalsSeen = calls.length;
        return calls.at(-1)!.args.view as Block;
      }, { timeout: 10_000 });
    },
    async close() {
      await slack.close();
      await server.close();
      await built.close?.();
      await mock.close();
      await removeTempDir(dataDir);
    },
  };
}
