import { describe, expect, it } from 'vitest';
import { parseCommand } from '../src/app/commands.js';
import { createChatBot } from '../src/chat/bot.js';
import { LIMITS, renderMessage, renderModal } from '../src/chat/slack/render.js';
import { fixedClock } from '../src/clock.js';
import { silentLogger } from '../src/logger.js';
import type { View } from '../src/chat/views/view.js';
import { createFakeServices } from './support/fake-services.js';
import { createRecordingSurface } from './support/recording-surface.js';
import { createRng } from '../src/sandbox/rng.js';

const HOSTILE = [
  '<!channel>', '<!here>', '<!everyone>', '<@U123>', '<#C123>', '<https://evil.example|click me>', '<script>alert(1)</script>',
  '*|FNAME|*', '*|UNSUB|*', '```code```', '`tick`', '*bold*', '_it_', '~strike~', '&amp;', '&lt;', '>quote', '"', '“', '”', "'",
  '\u0000', '\u202e', '\ud800', '🙂', '👩‍👩‍👧', '\n', '\t', '..', '2026-10', '2026-13', 'last month', 'Acme', 'Acme Corp', 'Globex',
];
const WORDS = ['generate', 'send', 'fix', 'history', 'clients', 'unlinked', 'status', 'help', 'GENERATE', 'gen', 'genrate', ''];

function fuzzText(next: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const parts: string[] = [];
  if (next() < 0.8) parts.push(pick(WORDS));
  const count = Math.floor(next() * 8);
  for (let index = 0; index < count; index += 1) {
    const roll = next();
    if (roll < 0.5) parts.push(pick(HOSTILE));
    else if (roll < 0.8) parts.push(String.fromCodePoint(...Array.from({ length: 1 + Math.floor(next() * 12) }, () => Math.floor(next() * 0x2ffff))));
    else if (roll < 0.97) parts.push(pick(WORDS));
    else parts.push(pick(HOSTILE).repeat(1 + Math.floor(next() * 4000)));
  }
  return parts.join(next() < 0.8 ? ' ' : '');
}

/** Every mrkdwn string in Block Kit JSON. */
function mrkdwnTexts(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => mrkdwnTexts(item, into));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.type === 'mrkdwn' && typeof record.text === 'string') into.push(record.text);
    Object.values(record).forEach((value) => mrkdwnTexts(value, into));
  }
  return into;
}

function checkRendered(view: View, text: string): void {
  const message = renderMessage(view);
  expect(message.blocks.length, text).toBeLessThanOrEqual(LIMITS.blocks);
  for (const mrkdwn of [message.text, ...mrkdwnTexts(message.blocks)]) {
    if (/[<>]/.test(mrkdwn)) throw new Error(`unescaped < or > for input ${JSON.stringify(text.slice(0, 200))}: ${mrkdwn.slice(0, 200)}`);
  }
  if (view.submit) mrkdwnTexts(renderModal(view, '{}').blocks).forEach((mrkdwn) => expect(mrkdwn).not.toMatch(/[<>]/));
}

describe('fuzzed commands', () => {
  it('10,000 hostile command strings: no crash, every answer escaped and within Block Kit limits', async () => {
    const next = createRng(20261125).next;
    const clock = fixedClock('2026-11-25T10:00:00Z');
    const services = createFakeServices({ clock, approvers: ['slack:U1'] });
    const bot = createChatBot({ services, logger: silentLogger, clock });
    const actor = { platform: 'slack' as const, id: 'U1', name: '<!channel> *|FNAME|*', email: 'x@example.com' };
    let answered = 0;
    for (let round = 0; round < 10_000; round += 1) {
      const text = fuzzText(next);
      const parsed = parseCommand(text);
      expect(typeof parsed.ok).toBe('boolean');
      const surface = createRecordingSurface({ forms: true });
      await bot.handleCommand(actor, text, surface);
      const views = [...surface.messages.flatMap((message) => message.versions), ...surface.ephemerals, ...surface.forms];
      expect(views.length, text).toBeGreaterThan(0);
      for (const view of views) checkRendered(view, text);
      answered += views.length;
    }
    expect(answered).toBeGreaterThanOrEqual(10_000);
  }, 60_000);
});
