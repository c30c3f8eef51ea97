import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../logger.js';
import type { ChatSurface, MessageRef } from '../surface.js';
import type { View } from '../views/view.js';
import { messageId, parseMessageId, slackErrorCode } from './message-ids.js';
import { renderMessage, renderModal, SLACK_COMMAND_PREFIX } from './render.js';
import type { ResponseUrlBudget } from './response-urls.js';

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

/** Said on a card that reached the person as a direct message instead of where they asked. */
const MOVED_TO_DM = 'You asked for this in a conversation the bot is not a member of, and Slack lets the bot answer there only 5 times within 30 minutes, so it came here as a direct message.';

/**
 * The ChatSurface for one Slack request: replies post in the channel (or through the response_url where
 * the bot may not post), updates use chat.update, ephemerals go to the person, forms open as modals.
 * Every response_url use is counted in `responseUrls`: where the bot cannot chat.update, progress takes
 * at most two uses and leaves one for the final card, and a card with no use left goes as a direct message.
 */
export function createSlackSurface(client: WebClient, logger: Logger, context: SlackSurfaceContext, responseUrls: ResponseUrlBudget): ChatSurface {
  const { channel, user, responseUrl } = context;

  /** Posts to the response_url when its budget allows; false when it did not go (no use left, or Slack refused it). */
  async function throughResponseUrl(body: Record<string, unknown>, progress = false): Promise<boolean> {
    if (!responseUrl) return false;
    if (!(progress ? responseUrls.takeProgressStep(responseUrl) : responseUrls.take(responseUrl))) return false;
    const response = await fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (response.ok) return true;
    // What Slack answers past 5 uses or 30 minutes is not documented: any refusal ends this URL's use.
    responseUrls.spend(responseUrl);
    logger.warn({ status: response.status }, 'Slack refused a response_url answer');
    return false;
  }

  /** The card as a direct message from the bot, saying why it is there. */
  async function directMessage(view: View): Promise<MessageRef> {
    const posted = await client.chat.postMessage({ channel: user, ...renderMessage({ ...view, context: [...(view.context ?? []), MOVED_TO_DM] }) });
    logger.info({ channel }, 'no response_url use left; the card went to the person as a direct message');
    return posted.ts && posted.channel ? messageRef(posted.channel, posted.ts) : { id: `dm|${user}`, ephemeral: true };
  }

  const surface: ChatSurface = {
    commandPrefix: SLACK_COMMAND_PREFIX,
    origin: context.origin,
    conversation: channel ? { platform: 'slack', id: channel } : undefined,
    addressOf(ref) {
      const message = parseRef(ref);
      return message && { platform: 'slack', target: message.channel, id: ref.id };
    },
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
      if (await throughResponseUrl({ ...message, response_type: 'in_channel', replace_original: false })) return { id: `url|${responseUrl}`, ephemeral: true };
      return directMessage(view);
    },
    async update(ref: MessageRef, view: View, options = {}) {
      const message = renderMessage(view);
      const target = parseRef(ref);
      if (target) {
        await client.chat.update({ channel: target.channel, ts: target.ts, ...message });
        return;
      }
      if (options.progress) {
        await throughResponseUrl({ ...message, replace_original: true }, true);
        return;
      }
      if (await throughResponseUrl({ ...message, replace_original: true })) return;
      await directMessage(view);
    },
    async ephemeral(view: View) {
      const message = renderMessage(view);
      if (await throughResponseUrl({ ...message, response_type: 'ephemeral', replace_original: false })) return;
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
