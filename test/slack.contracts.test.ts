/**
 * Slack's documented limits, held by the local Slack mock as Slack holds them: a response_url takes 5 answers
 * within 30 minutes, radio buttons take at most 10 options (src/chat/slack/README.md).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ContactSuggestion } from '../src/clients/types.js';
import { systemClock } from '../src/clock.js';
import { createFakeServices, type FakeServices } from './support/fake-services.js';
import { startSlackStack, type SlackStack } from './support/slack-stack.js';

type Block = Record<string, any>;

const users = [
  { id: 'U_APPROVER', name: 'Alice Approver', email: 'alice@msp.example' },
  { id: 'U_STAFF', name: 'Sam Staff', email: 'sam@msp.example' },
];

/** Fake services whose report generation reports many phases, and whose clients have many possible contacts. */
function chattyServices(): FakeServices {
  const services = createFakeServices({ clock: systemClock, approvers: ['alice@msp.example'] });
  const generate = services.generateReport.bind(services);
  services.generateReport = async (actor, request) => {
    for (const phase of ['pull', 'metrics', 'render', 'send'] as const) request.onProgress?.({ phase, text: `Working: ${phase}…` });
    return generate(actor, request);
  };
  services.suggestContacts = async () => Array.from({ length: 9 }, (_, index): ContactSuggestion => ({
    email: `person${index}@acme.example`, name: `Person ${index}`, status: 'subscribed', reason: 'same domain acme.example', score: 0.6,
  }));
  return services;
}

describe('Slack contracts: response_url budget and radio options', () => {
  let stack: SlackStack;
  let services: FakeServices;

  beforeAll(async () => {
    services = chattyServices();
    stack = await startSlackStack({ users, services });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('the mock refuses a 6th answer to one response_url, as Slack does', async () => {
    const url = stack.mock.responseUrl();
    const statuses: number[] = [];
    for (let use = 0; use < 6; use += 1) statuses.push((await fetch(url, { method: 'POST', body: '{"text":"x"}' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
  });

  it('where the bot cannot chat.update, a long generate shows two progress steps and always lands its final card', async () => {
    const responseUrl = await stack.command('generate "Acme Corp" 2026-10', { channelId: 'G_PRIVATE' });
    const answers = await vi.waitFor(() => {
      const found = stack.responsesTo(responseUrl);
      expect(found.at(-1)?.body.text).toBe('Acme Corp: October 2026');
      return found;
    });
    expect(stack.mock.refusedResponses.filter((refused) => responseUrl.endsWith(refused.url))).toEqual([]);
    expect(answers[0]!.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
    const progress = answers.slice(1, -1);
    expect(progress.length).toBeLessThanOrEqual(2);
    expect(answers.length).toBeLessThanOrEqual(4);
    const final = answers.at(-1)!.body.blocks as Block[];
    expect(JSON.stringify(final)).toContain('Send to client');
  });

  it('when the response_url is spent, the final card goes as a direct message that says why it is there', async () => {
    const hold = services.holdGeneration();
    const dmsBefore = stack.mock.callsTo('chat.postMessage').filter((call) => call.args.channel === 'U_STAFF').length;
    const responseUrl = await stack.command('generate Initech 2026-09', { channelId: 'G_PRIVATE' });
    await vi.waitFor(() => expect(stack.responsesTo(responseUrl).length).toBeGreaterThan(0));
    stack.mock.expireResponseUrl(responseUrl);
    hold.release();
    const dm = await vi.waitFor(() => {
      const found = stack.mock.callsTo('chat.postMessage').filter((call) => call.args.channel === 'U_STAFF')[dmsBefore];
      expect(found).toBeDefined();
      return found!;
    });
    const shown = JSON.stringify(dm.args.blocks);
    expect(shown).toContain('Initech: September 2026');
    expect(shown).toContain('came here as a direct message');
  });

  it('the fix form offers at most 10 choices and keeps "type an email" and "unlink"', async () => {
    await stack.command('fix "Acme Corp"', { userId: 'U_APPROVER' });
    const modal = await stack.latestModal();
    const radio = (modal.blocks as Block[]).find((block) => block.block_id === 'contact')!;
    const values = (radio.element.options as Block[]).map((option) => option.value);
    expect(values.length).toBeLessThanOrEqual(10);
    expect(values).toEqual(expect.arrayContaining(['email', 'add-email', 'unlink']));
    expect(values.filter((value) => value.startsWith('pick:')).length).toBe(7);
    const opened = stack.mock.callsTo('views.open').at(-1)!;
    expect(opened.args.view.blocks).toEqual(modal.blocks);
  });
});
