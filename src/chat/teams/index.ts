import { AsyncLocalStorage } from 'node:async_hooks';
import express, { type Express } from 'express';
import type { ConversationReference } from 'botbuilder';
import type { BotServices } from '../../app/ports.js';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { ConversationStore } from '../../store/conversations.js';
import { createChatBot, type ChatBot } from '../bot.js';
import type { View } from '../views.js';
import { IntegoReportTeamsBot, type RequestScope } from './activity-handler.js';
import { createTeamsAdapter } from './adapter.js';
import { BoundedMap } from './memory.js';
import { TeamsMessenger } from './messenger.js';
import { teamsCard } from './surface.js';

export interface TeamsDeps {
  services: BotServices;
  config: Config;
  logger: Logger;
  clock: Clock;
  conversations: ConversationStore;
  /** The shared chat core; one is created when not given. */
  bot?: ChatBot;
  /** How long a card button waits for its new card before answering "Working…" (default 2 s). */
  invokeWaitMs?: number;
}

export type ProactiveResult = { delivered: true; id: string } | { delivered: false; reason: string };

export interface TeamsMount {
  /** Whether incoming activities must carry a valid Bot Framework token. */
  authenticated: boolean;
  /** Posts a card to a stored conversation. Inactive or unknown conversations are skipped. */
  postProactive(conversationId: string, view: View): Promise<ProactiveResult>;
  /** Resolves when every command and button press in flight has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Mounts the Teams bot at POST /api/messages. */
export async function mountTeams(app: Express, deps: TeamsDeps): Promise<TeamsMount> {
  const logger = deps.logger.child({ surface: 'teams' });
  const { adapter, appId, authenticated } = createTeamsAdapter(deps.config.teams, logger);
  const messenger = new TeamsMessenger(adapter, appId, deps.conversations, logger);
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
    logger,
    views: new BoundedMap(2000),
    emails: new BoundedMap(2000),
    requestScope,
    track,
    invokeWaitMs: deps.invokeWaitMs ?? 2000,
  });

  app.post('/api/messages', express.json({ limit: '1mb' }), async (request, response) => {
    let markResponded!: () => void;
    const responded = new Promise<void>((resolve) => {
      markResponded = resolve;
    });
    response.once('finish', markResponded);
    response.once('close', markResponded);
    await requestScope.run({ responded }, () => adapter.process(request, response, (context) => bot.run(context)));
  });
  logger.info({ authenticated }, authenticated ? 'Teams bot at /api/messages (Bot Framework tokens required)' : 'Teams bot at /api/messages (anonymous: no MICROSOFT_APP_ID configured)');

  const idle = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };

  return {
    authenticated,
    async postProactive(conversationId, view) {
      const stored = await deps.conversations.get(conversationId);
      if (!stored) return { delivered: false, reason: 'unknown conversation' };
      if (!stored.active) return { delivered: false, reason: stored.inactiveReason ?? 'conversation inactive' };
      try {
        const id = await messenger.send(stored.address as Partial<ConversationReference>, teamsCard(view));
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
