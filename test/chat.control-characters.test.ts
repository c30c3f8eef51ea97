import { describe, expect, it } from 'vitest';
import { renderMessage } from '../src/chat/slack/render.js';
import { renderCard } from '../src/chat/teams/render.js';
import { clientCardView, clientListView } from '../src/chat/views/builders.js';
import type { ClientEntry } from '../src/clients/types.js';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Every string in a rendered message or card. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('names from Freshservice in chat', () => {
  const hostile: ClientEntry = {
    id: 7,
    name: 'Globex\u001b[2J\u001b[H\u001b]0;pwned\u0007 \u009b31mLtd\r\b',
    state: 'problem',
    email: 'ops\u0000@globex.example',
    reason: 'The contact\u001b[31m unsubscribed',
  };

  it('shows them without control characters on Slack and in Teams', () => {
    for (const view of [clientListView([hostile], { page: 1, unlinkedOnly: false }), clientCardView(hostile)]) {
      for (const rendered of [renderMessage(view), renderCard(view)]) {
        const texts = strings(rendered);
        expect(texts.filter((text) => CONTROL.test(text))).toEqual([]);
        expect(texts.some((text) => text.includes('Globex Ltd'))).toBe(true);
      }
    }
  });
});
