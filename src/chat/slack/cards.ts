/** Slack messages updated outside a request (a card whose send start-up finished): `chat.update`. */
import type { WebClient } from '@slack/web-api';
import type { CardUpdater } from '../resumed-sends.js';
import { parseMessageId } from './message-ids.js';
import { renderMessage } from './render.js';

export function createSlackCardUpdater(client: WebClient): CardUpdater {
  return async (address, view) => {
    const message = parseMessageId(address.id);
    if (message) await client.chat.update({ channel: message.channel, ts: message.ts, ...renderMessage(view) });
  };
}
