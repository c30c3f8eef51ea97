/**
 * Slack's listeners: the slash command, block actions and modal submissions. Each acknowledges at once
 * and hands the work, run after the ack, to the shared chat core.
 */
import type { App } from '@slack/bolt';
import type { Actor } from '../../app/ports.js';
import type { Logger } from '../../logger.js';
import type { ChatBot } from '../bot.js';
import type { ChatSurface, MessageRef } from '../surface.js';
import { actionIdOf, formValues } from './render.js';
import { messageRef, type FormState, type SlackSurfaceContext } from './surface.js';

export interface SlackListenerDeps {
  bot: ChatBot;
  logger: Logger;
  actorFor(userId: string, fallbackName: string): Promise<Actor>;
  surfaceFor(context: SlackSurfaceContext): ChatSurface;
  /** Runs work after the ack (see `mountSlack`). */
  detach(work: () => Promise<void>): void;
}

export function registerListeners(boltApp: App, deps: SlackListenerDeps): void {
  const { bot, logger, actorFor, surfaceFor, detach } = deps;

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
}
