import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import type { ChatSurface, MessageRef } from '../surface.js';
import type { View } from '../views/view.js';
import { messageId, parseMessageId, slackErrorCode } from './message-ids.js';
import { renderMessage, renderModal, SLACK_COMMAND_PREFIX } from './render.js';

/** What a Slack form carries in `private_metadata`, to be answered where it was opened. */
export interface FormState {
  /** The submit value of the form. */
  v: string;
  /** Channel to answer in. */
  c?: string;
  /** The message the form was opened from. */
  o?: MessageRef;
}

/** Where a command, button or form came from. */
export interface SlackSurfaceContext {
  channel?: string;
  user: string;
  responseUrl?: string;
  triggerId?: string;
  origin?: MessageRef;
}

/** Messages the bot can `chat.update`. */
export function messageRef(channel: string, ts: string): MessageRef {
  return { id: messageId(channel, ts) };
}

function parseRef(ref: MessageRef): { channel: string; ts: string } | undefined {
  return ref.ephemeral ? undefined : parseMessageId(ref.id);
}

async function postToResponseUrl(url: string | undefined, body: Record<string, unknown>): Promise<void> {
  if (!url) throw new Error('no response_url to answer on');
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`response_url answered ${response.status}`);
}

/**
 * The ChatSurface for one Slack request: replies post in the channel (or through the response_url where
 * the bot may not post), updates use chat.update, ephemerals go to the person, forms open as modals.
 */
export function createSlackSurface(client: WebClient, logger: Logger, context: SlackSurfaceContext): ChatSurface {
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
