import { AsyncLocalStorage } from 'node:async_hooks';
import express, { type Express } from 'express';
import type { Activity, ConversationReference } from 'botbuilder';
import type { AuthenticateRequestResult } from 'botframework-connector';
import type { BotServices } from '../../app/ports.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ConversationStore } from '../../store/conversations.js';
import { createChatBot, type ChatBot } from '../bot.js';
import type { View } from '../views/view.js';
import { refuseRequest } from '../../server/refusal.js';
import { IntegoReportTeamsBot, type RequestScope } from './activity-handler.js';
import { authenticateActivity, connectTeams, TEAMS_OFF_REASON, teamsMode, type TeamsConnection, type TeamsMode } from './adapter.js';
import { localActivityProblem } from './local-channel.js';
import { BoundedMap } from './memory.js';
import { renderCard } from './render.js';

export interface TeamsDeps {
  services: BotServices;
  config: Config;
  logger: Logger;
  clock: Clock;
  conversations: ConversationStore;
  /** The shared chat core; one is created when not given. */
  bot?: ChatBot;
  /** The process's Bot Framework adapter and messenger (shared with the digest); one is made from the config when not given. */
  connection?: TeamsConnection;
  /** How long a card button waits for its new card before answering "Working…" (default 2 s). */
  invokeWaitMs?: number;
  /**
   * Without Microsoft credentials in sandbox mode: the path of the local playground connector on this
   * server, the only serviceUrl the anonymous endpoint answers through. Without it Teams is off.
   */
  localConnectorPath?: string;
}

export type ProactiveResult = { delivered: true; id: string } | { delivered: false; reason: string };

export interface TeamsMount {
  /** Bot Framework tokens required, the local playground only, or no endpoint at all. */
  mode: TeamsMode;
  /** Posts a card to a stored conversation. Inactive or unknown conversations are skipped. */
  postProactive(conversationId: string, view: View): Promise<ProactiveResult>;
  /** Resolves when every command and button press in flight has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const OFF: TeamsMount = {
  mode: 'off',
  postProactive: async () => ({ delivered: false, reason: 'Teams is not configured' }),
  idle: async () => {},
  close: async () => {},
};

/**
 * Mounts the Teams bot at POST /api/messages: with Microsoft credentials for activities carrying a
 * valid Bot Framework token, in sandbox mode for the local playground only, and otherwise not at all.
 */
export async function mountTeams(routes: Express, deps: TeamsDeps): Promise<TeamsMount> {
  const logger = deps.logger.child({ surface: 'teams' });
  const configured = teamsMode(deps.config);
  const mode: TeamsMode = configured === 'local' && !deps.localConnectorPath ? 'off' : configured;
  if (mode === 'off') {
    logger.info(TEAMS_OFF_REASON);
    return OFF;
  }
  const { adapter, auth, messenger } = deps.connection ?? connectTeams(deps.config.teams, deps.conversations, logger);
  const chat = deps.bot ?? createChatBot({ services: deps.services, logger, clock: deps.clock });
  const requestScope = new AsyncLocalStorage<RequestScope>();
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const settled = work.catch((error: unknown) => logger.error({ err: error }, 'Teams background work failed'));
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
  };
  const bot = new IntegoReportTeamsBot({
    chat,
    messenger,
    conversations: deps.conversations,
    heardThrough: mode,
    logger,
    views: new BoundedMap(2000),
    emails: new BoundedMap(2000),
    clock: deps.clock,
    requestScope,
    track,
    invokeWaitMs: deps.invokeWaitMs ?? 2000,
  });

  routes.post('/api/messages', express.json({ limit: '1mb' }), async (request, response) => {
    const activity = request.body as Activity;
    const peer = request.socket.remoteAddress;
    if (!activity || typeof activity !== 'object' || typeof activity.type !== 'string') {
      response.status(400).type('text/plain').send('not an activity');
      return;
    }
    if (mode === 'local') {
      const problem = localActivityProblem(request, activity.serviceUrl, deps.localConnectorPath!);
      if (problem) return refuseRequest(response, logger, 403, { surface: 'teams', reason: problem, peer });
    }
    let authentication: AuthenticateRequestResult;
    try {
      authentication = await authenticateActivity(auth, activity, mode === 'bot-framework' ? String(request.headers.authorization ?? '') : '');
    } catch (error) {
      const detail = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : String(error);
      return refuseRequest(response, logger, 401, { surface: 'teams', reason: `Bot Framework token not accepted (${detail})`, peer });
    }
    let markResponded!: () => void;
    const responded = new Promise<void>((resolve) => {
      markResponded = resolve;
    });
    response.once('finish', markResponded);
    response.once('close', markResponded);
    try {
      const invoke = await requestScope.run({ responded }, () => adapter.runAuthenticated(authentication, activity, (context) => bot.run(context)));
      response.status(invoke?.status ?? 200);
      if (invoke?.body !== undefined) response.json(invoke.body);
      else response.end();
    } catch (error) {
      logger.error({ err: error, activityType: activity.type }, 'Teams activity failed');
      if (!response.headersSent) response.status(500).end();
    }
  });
  logger.info(
    { mode },
    mode === 'bot-framework'
      ? 'Teams bot at /api/messages (Bot Framework tokens required)'
      : `Teams bot at /api/messages for the local playground only (this computer, serviceUrl ${deps.localConnectorPath})`,
  );

  const idle = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };

  return {
    mode,
    async postProactive(conversationId, view) {
      const stored = await deps.conversations.get(conversationId);
      if (!stored || stored.heardThrough !== mode) return { delivered: false, reason: 'unknown conversation' };
      if (!stored.active) return { delivered: false, reason: stored.inactiveReason ?? 'conversation inactive' };
      try {
        const id = await messenger.send(stored.address as Partial<ConversationReference>, renderCard(view));
        return { delivered: true, id };
      } catch (error) {
        logger.warn({ err: error, conversation: conversationId }, 'proactive Teams message failed');
        return { delivered: false, reason: (error as Error).message };
      }
    },
    idle,
    close: idle,
  };
}
