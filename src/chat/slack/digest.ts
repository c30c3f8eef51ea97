/**
 * The digest on Slack: `chat.postMessage` to DIGEST_CHANNEL for the monthly run, or to the channel where an
 * approver typed `digest` (rows as thread replies), and `chat.update`.
 */
import type { WebClient } from '@slack/web-api';
import { UserFacingError } from '../../errors.js';
import type { DigestPoster } from '../digest-publisher.js';
import { messageId, parseMessageId, slackErrorCode } from './message-ids.js';
import { renderMessage, SLACK_COMMAND_PREFIX } from './render.js';

/** Undefined when Slack has no client (no bot token); without DIGEST_CHANNEL it posts only where asked. */
export function createSlackDigestPoster(client: WebClient | undefined, channel: string | undefined): DigestPoster | undefined {
  if (!client) return undefined;
  return {
    platform: 'slack',
    commandPrefix: SLACK_COMMAND_PREFIX,
    targets: async () => (channel ? [channel] : []),
    async post(target, view, thread) {
      try {
        const posted = await client.chat.postMessage({ channel: target, ...renderMessage(view), ...(thread ? { thread_ts: parseMessageId(thread.id)?.ts } : {}) });
        const postedChannel = posted.channel ?? target;
        return { target: postedChannel, id: messageId(postedChannel, posted.ts ?? '') };
      } catch (error) {
        const code = slackErrorCode(error);
        if (code === 'not_in_channel' || code === 'channel_not_found') {
          throw new UserFacingError(`Slack refused to post the digest in ${target} (${code}): invite the bot to the channel (/invite @IntegoReport) or grant it chat:write.public.`, { retryable: false });
        }
        throw error;
      }
    },
    async update(ref, view) {
      await client.chat.update({ channel: ref.target, ts: parseMessageId(ref.id)?.ts ?? '', ...renderMessage(view) });
    },
  };
}
