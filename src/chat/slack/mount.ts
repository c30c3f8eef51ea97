/**
 * The Slack surface: a Bolt app on our express server at `/slack/events` (or Socket Mode when an app
 * token is set). Every request is acknowledged at once; the work then runs through the shared chat
 * core (`listeners.ts`), which posts and updates messages through the Slack ChatSurface (`surface.ts`).
 */
import path from 'node:path';
import { App, ExpressReceiver, type AllMiddlewareArgs } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Express } from 'express';
import type { BotServices } from '../../app/ports.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../clock.js';
import { createChatBot, type ChatBot } from '../bot.js';
import { createAfterAckQueue } from './after-ack.js';
import { boltLogger } from './bolt-logger.js';
import { slackClientOptions } from './client.js';
import { registerListeners } from './listeners.js';
import { createSlackPeople } from './people.js';
import { slackRequestGuard } from './request-guard.js';
import { createSlackSurface } from './surface.js';
import { createResponseUrlBudget } from './response-urls.js';
import { SeenRequests } from '../../store/seen-requests.js';

export interface SlackDeps {
  services: BotServices;
  config: Config;
  logger: Logger;
  clock: Clock;
  /** Use an existing core (shared with Teams); one is created from `services` otherwise. */
  bot?: ChatBot;
  /** The process's Slack client (shared with the digest); one is made from the config when not given. */
  client?: WebClient;
}

export interface SlackHandle {
  close(): Promise<void>;
}

/**
 * How long request signatures and trigger/event ids are remembered: a request may carry a timestamp up
 * to 5 minutes ahead, so its signature stays valid for 10 minutes from now; Slack's last retry comes after 5.
 */
const SEEN_TTL_MS = 10 * 60_000;
/**
 * Work after an ack starts once Slack requests pause this long, or after the longer wait at the latest:
 * invisible to the user next to Slack's own round trip, and it keeps acks of a burst ahead of the work.
 */
const AFTER_ACK_QUIET_MS = 10;
const AFTER_ACK_MAX_DEFER_MS = 100;

export async function mountSlack(routes: Express, deps: SlackDeps): Promise<SlackHandle> {
  const { config, logger } = deps;
  const { botToken, signingSecret, appToken } = config.slack;
  const socketMode = Boolean(appToken && botToken);
  if (!botToken || (!signingSecret && !socketMode)) {
    const missing = [botToken ? undefined : 'SLACK_BOT_TOKEN', signingSecret ? undefined : 'SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)'].filter(Boolean);
    logger.info(`Slack is not configured (${missing.join(' and ')} not set); /slack/events is not mounted`);
    return { close: async () => {} };
  }
  const now = () => deps.clock.now().getTime();

  const bot = deps.bot ?? createChatBot({ services: deps.services, logger: deps.logger, clock: deps.clock });
  const clientOptions = slackClientOptions(config.slack);
  // Bolt hands each listener a client of its own; every call here goes through the process's one client instead.
  const client = deps.client ?? new WebClient(botToken, clientOptions);
  const slackLogger = boltLogger(logger);
  const seen = new SeenRequests(path.join(config.dataDir, 'slack-requests'), SEEN_TTL_MS);
  if (!socketMode) routes.post('/slack/events', ...slackRequestGuard({ signingSecret: signingSecret!, clock: deps.clock, seen, logger }));
  // Signatures are checked by the guard above (both clock directions, replays across restarts), so not again by Bolt.
  const receiver = socketMode
    ? undefined
    : new ExpressReceiver({
        signingSecret: signingSecret!,
        signatureVerification: false,
        app: routes,
        endpoints: '/slack/events',
        processBeforeResponse: false,
        logger: slackLogger,
      });
  // A fixed authorize: with `token` alone Bolt would call auth.test before acking every request.
  const authorize = async () => ({ botToken });
  const boltApp: App = socketMode
    ? new App({ authorize, appToken, socketMode: true, logger: slackLogger, clientOptions, convoStore: false })
    : new App({ authorize, receiver, logger: slackLogger, clientOptions, convoStore: false });

  const pending = new Set<Promise<void>>();
  const afterAck = createAfterAckQueue({ quietMs: AFTER_ACK_QUIET_MS, maxDeferMs: AFTER_ACK_MAX_DEFER_MS });

  /**
   * Runs work after the ack, remembered so `close()` can wait for it. It waits for its turn in
   * `afterAck` so that under a burst every request is acknowledged before the work competes with them.
   */
  function detach(work: () => Promise<void>): void {
    const tracked = afterAck
      .turn()
      .then(work)
      .catch((error: unknown) => logger.error({ err: error }, 'slack work failed'))
      .finally(() => pending.delete(tracked));
    pending.add(tracked);
  }

  boltApp.use(async (args) => {
    afterAck.arrived();
    const body = args.body as Record<string, unknown>;
    const { ack } = args as AllMiddlewareArgs & { ack?: () => Promise<void> };
    const key = (body.trigger_id as string | undefined) ?? (body.event_id as string | undefined);
    // Over HTTP the request guard already let each request through once; Socket Mode has no guard.
    if (socketMode && key && !seen.firstTime(`delivery:${key}`)) {
      logger.info({ retry: args.context.retryNum }, 'dropping a repeated Slack request');
      await ack?.();
      return;
    }
    await args.next();
  });

  const people = createSlackPeople({ client, now, logger });
  const responseUrls = createResponseUrlBudget(deps.clock);
  registerListeners(boltApp, {
    bot,
    logger,
    actorFor: people.actorFor,
    surfaceFor: (context) => createSlackSurface(client, logger, context, responseUrls),
    detach,
  });

  if (socketMode) {
    await boltApp.start();
    logger.info('Slack connected in Socket Mode');
  } else {
    logger.info('Slack listening at /slack/events');
  }

  return {
    async close() {
      if (socketMode) await boltApp.stop();
      while (pending.size > 0) await Promise.allSettled([...pending]);
      seen.close();
    },
  };
}
