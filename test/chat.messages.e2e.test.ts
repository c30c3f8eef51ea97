import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../src/clock.js';
import { createFakeServices } from './support/fake-services.js';
import { buttonsOf } from './support/slack-mock.js';
import { startSlackStack, type SlackStack } from './support/slack-stack.js';

type Block = Record<string, any>;

const users = [
  { id: 'U_APPROVER', name: 'Alice Approver', email: 'alice@msp.example' },
  { id: 'U_STAFF', name: 'Sam Staff', email: 'sam@msp.example' },
];

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('each thing said once, with names (Slack over HTTP, fake services)', () => {
  let stack: SlackStack;

  beforeAll(async () => {
    stack = await startSlackStack({ users, services: createFakeServices({ clock: systemClock, approvers: ['alice@msp.example'] }) });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('a bad period lists the accepted forms once', async () => {
    const responseUrl = await stack.command('generate Acme 2026-13');
    const answer = await vi.waitFor(() => {
      const [response] = stack.responsesTo(responseUrl);
      expect(response).toBeDefined();
      return response!;
    });
    const shown = JSON.stringify(answer.body.blocks).replace(/\\"/g, '"');
    expect(shown).toContain('"2026-13" is not a period I understand');
    expect(count(shown, '2026-Q3')).toBe(1);
    expect(count(shown, 'last-month')).toBe(1);
  });

  it('the send confirmation names the client as well as the addresses', async () => {
    const before = stack.mock.callsTo('chat.postMessage').length;
    await stack.command('generate "Acme Corp" 2026-10');
    const send = await vi.waitFor(() => {
      const posted = stack.mock.callsTo('chat.postMessage')[before];
      expect(posted).toBeDefined();
      const ts = `${1_700_000_000 + before + 1}.000100`;
      const card = stack.mock.callsTo('chat.update').filter((call) => call.args.ts === ts).at(-1);
      const button = buttonsOf(card?.args.blocks ?? []).find((candidate: Block) => candidate.action_id === 'report.send');
      expect(button).toBeDefined();
      return button!;
    });
    expect(send.confirm.text.text).toBe('Send the October 2026 report for Acme Corp to jane@acme.example and a copy to reports@msp.example?');
  });

  it('a list that fits one page says nothing about pages', async () => {
    const before = stack.mock.callsTo('chat.postMessage').length;
    await stack.command('clients');
    const list = await vi.waitFor(() => {
      const posted = stack.mock.callsTo('chat.postMessage')[before];
      expect(posted).toBeDefined();
      return posted!;
    });
    const shown = JSON.stringify(list.args.blocks);
    expect(shown).toContain('Clients (3, 1 linked)');
    expect(shown).not.toMatch(/Page \d+ of/);
  });
});
