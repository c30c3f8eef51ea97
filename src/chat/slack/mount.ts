/**
 * The Slack surface: a Bolt app on our express server at `/slack/events` (or Socket Mode when an app
 * token is set). Every request is acknowledged at once; the work then runs through the shared chat
 * core, which posts and updates messages through the ChatSurface built here.
 */
import path from 'node:path';
import { App, ExpressReceiver, LogLevel } from '@slack/bolt';
import type { Logger as BoltLogger, AllMiddlewareArgs } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Express } from 'express';
import type { Actor, BotServices } from '../../app/ports.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../clock.js';
import { createChatBot, type ChatBot } from '../bot.js';
import type { ChatSurface, MessageRef } from '../surface.js';
import type { View } from '../views/view.js';
import { actionIdOf, formValues, renderMessage, renderModal, SLACK_COMMAND_PREFIX } from './render.js';
import { createAfterAckQueue } from './after-ack.js';
import { messageId, parseMessageId, slackErrorCode } from './message-ids.js';
import { slackRequestGuard } from './request-guard.js';
import { SeenRequests } from '../../store/seen-requests.js';
import { slackClientOptions } from './client.js';

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
const PROFILE_TTL_MS = 10 * 60_000;
/**
 * Work after an ack starts once Slack requests pause this long, or after the longer wait at the latest:
 * invisible to the user next to Slack's own round trip, and it keeps acks of a burst ahead of the work.
 */
const AFTER_ACK_QUIET_MS = 10;
const AFTER_ACK_MAX_DEFER_MS = 100;

/** Bolt's logger interface on top of ours (so Bolt's lines are redacted and structured too). */
function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack' });
  let level = LogLevel.WARN;
  const text = (parts: unknown[]) => parts.map((part) => (typeof part === 'string' ? part : part instanceof Error ? part.message : JSON.stringify(part))).join(' ');
  /** Formats only when the level is on: Bolt logs at debug on every request. */
  const at = (method: 'debug' | 'info' | 'warn' | 'error') => (...parts: unknown[]) => {
    if (child.isLevelEnabled(method)) child[method](text(parts));
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

interface Workspace {
  teamId?: string;
  enterpriseId?: string;
}

type SlackUser = NonNullable<Awaited<ReturnType<WebClient['users']['info']>>['user']>;

/**
 * Whether Slack vouches for the user's profile email: a confirmed address of an active person of the
 * bot's own workspace or Grid org. A Slack Connect guest's profile comes from another organisation.
 */
function vouchedEmail(user: SlackUser, workspace: Workspace | undefined): boolean {
  if (!user.profile?.email || user.deleted || user.is_bot || user.is_email_confirmed === false || !workspace) return false;
  return (!!workspace.teamId && user.team_id === workspace.teamId) || (!!workspace.enterpriseId && user.enterprise_user?.enterprise_id === workspace.enterpriseId);
}

/** Messages the bot can `chat.update`. */
function messageRef(channel: string, ts: string): MessageRef {
  return { id: messageId(channel, ts) };
}

function parseRef(ref: MessageRef): { channel: string; ts: string } | undefined {
  return ref.ephemeral ? undefined : parseMessageId(ref.id);
}

interface FormState {
  /** The submit value of the form. */
  v: string;
  /** Channel to answer in. */
  c?: string;
  /** The message the form was opened from. */
  o?: MessageRef;
}

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
  /** The workspace (and Enterprise Grid org) the bot is installed in: only its own members' emails count. */
  const home: Promise<Workspace | undefined> = client.auth.test().then(
    (identity) => {
      logger.info({ team: identity.team, bot: identity.user }, 'Slack bot token accepted');
      return { teamId: identity.team_id, enterpriseId: identity.enterprise_id };
    },
    (error: unknown) => {
      logger.error({ err: error }, 'Slack rejected SLACK_BOT_TOKEN (auth.test failed); commands will not get answers until it is fixed');
      return undefined;
    },
  );
  const profiles = new Map<string, { actor: Actor; at: number }>();
  const profileLookups = new Map<string, Promise<Actor>>();
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

  /** The user's profile, read once per TTL: concurrent requests of one user share a single users.info. */
  async function actorFor(userId: string, fallbackName: string): Promise<Actor> {
    const cached = profiles.get(userId);
    if (cached && now() - cached.at < PROFILE_TTL_MS) return cached.actor;
    let lookup = profileLookups.get(userId);
    if (!lookup) {
      lookup = lookUpActor(userId, fallbackName).finally(() => profileLookups.delete(userId));
      profileLookups.set(userId, lookup);
    }
    return lookup;
  }

  async function lookUpActor(userId: string, fallbackName: string): Promise<Actor> {
    let actor: Actor = { platform: 'slack', id: userId, name: fallbackName || userId };
    try {
      const info = await client.users.info({ user: userId });
      const user = info.user;
      actor = {
        platform: 'slack',
        id: userId,
        name: user?.profile?.real_name || user?.real_name || user?.profile?.display_name || user?.name || actor.name,
        email: user && vouchedEmail(user, await home) ? user.profile!.email : undefined,
      };
      profiles.set(userId, { actor, at: now() });
    } catch (error) {
      logger.warn({ err: error, user: userId }, 'could not read the Slack profile; continuing without an email');
    }
    return actor;
  }

  async function postToResponseUrl(url: string | undefined, body: Record<string, unknown>): Promise<void> {
    if (!url) throw new Error('no response_url to answer on');
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`response_url answered ${response.status}`);
  }

  interface SurfaceContext {
    channel?: string;
    user: string;
    responseUrl?: string;
    triggerId?: string;
    origin?: MessageRef;
  }

  function surfaceFor(context: SurfaceContext): ChatSurface {
    const { channel, user, responseUrl } = context;
    const surface: ChatSurface = {
      commandPrefix: SLACK_COMMAND_PREFIX,
      origin: context.origin,
      async reply(view: View) {
        const message = renderMessage(view);
        if (channel) {
          try {
            const posted = await client.chat.postMessage({ channel, ...message });
            if (posted.ts) return messageRef(posted.channel ?? channel, posted.ts);
          } catch (error) {
            const code = slackErrorCode(error);
            if (!responseUrl || !['not_in_channel', 'channel_not_found', 'is_archived'].includes(code ?? '')) throw error;
            logger.info({ channel, code }, 'cannot post in this conversation; answering through the response_url instead');
          }
        }
        await postToResponseUrl(responseUrl, { ...message, response_type: 'in_channel', replace_original: false });
        return { id: `url|${responseUrl}`, ephemeral: true };
      },
      async update(ref: MessageRef, view: View) {
        const message = renderMessage(view);
        const target = parseRef(ref);
        if (target) {
          await client.chat.update({ channel: target.channel, ts: target.ts, ...message });
          return;
        }
        await postToResponseUrl(responseUrl, { ...message, replace_original: true });
      },
      async ephemeral(view: View) {
        const message = renderMessage(view);
        if (responseUrl) {
          await postToResponseUrl(responseUrl, { ...message, response_type: 'ephemeral', replace_original: false });
          return;
        }
        if (channel) {
          try {
            await client.chat.postEphemeral({ channel, user, ...message });
            return;
          } catch (error) {
            logger.info({ err: error, channel }, 'postEphemeral failed; sending a direct message instead');
          }
        }
        await client.chat.postMessage({ channel: user, ...message });
      },
    };
    if (context.triggerId) {
      const triggerId = context.triggerId;
      surface.openForm = async (view: View) => {
        const state: FormState = { v: view.submit?.value ?? '', c: channel, o: context.origin };
        await client.views.open({ trigger_id: triggerId, view: renderModal(view, JSON.stringify(state)) as never });
      };
    }
    return surface;
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

  boltApp.command(/^\/integoreport/, async ({ ack, command }) => {
    await ack();
    detach(async () => {
      const actor = await actorFor(command.user_id, command.user_name);
      const surface = surfaceFor({ channel: command.channel_id, user: command.user_id, responseUrl: command.response_url, triggerId: command.trigger_id });
      await bot.handleCommand(actor, command.text ?? '', surface);
    });
  });

  boltApp.action(/.*/, async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || !('action_id' in action) || actionIdOf(action.action_id) === 'report.open') return;
    const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const container = body.container as { type?: string; is_ephemeral?: boolean; message_ts?: string; channel_id?: string } | undefined;
    const channel = body.channel?.id ?? container?.channel_id;
    const messageTs = body.message?.ts ?? container?.message_ts;
    const origin: MessageRef | undefined = channel && messageTs
      ? container?.is_ephemeral
        ? { id: `ephemeral|${channel}|${messageTs}`, ephemeral: true }
        : messageRef(channel, messageTs)
      : undefined;
    detach(async () => {
      const actor = await actorFor(body.user.id, body.user.name ?? '');
      const surface = surfaceFor({ channel, user: body.user.id, responseUrl: body.response_url, triggerId: body.trigger_id, origin });
      await bot.handleAction(actor, { id: actionIdOf(action.action_id), value }, surface);
    });
  });

  boltApp.view(/.*/, async ({ ack, body, view }) => {
    const inputs = formValues(view.state);
    let state: FormState = { v: '' };
    try {
      state = JSON.parse(view.private_metadata || '{}') as FormState;
    } catch {
      logger.warn('a Slack form came back with unreadable private_metadata');
    }
    const action = { id: view.callback_id, value: state.v ?? '', inputs };
    const errors = bot.validateForm(action);
    if (errors) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    detach(async () => {
      const actor = await actorFor(body.user.id, body.user.name ?? '');
      const surface = surfaceFor({ channel: state.c, user: body.user.id, origin: state.o });
      await bot.handleAction(actor, action, surface);
    });
  });

  boltApp.error(async (error) => {
    logger.error({ err: error }, 'slack request failed');
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
