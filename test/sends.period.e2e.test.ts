/**
 * A client-period goes to the client once unless someone sends it again on purpose, end to end: signed
 * Slack requests in, the simulated Mailchimp's campaigns out, over the real runtime on the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Runtime } from '../src/compose/runtime.js';
import { buttonsOf } from './support/slack-mock.js';
import { startSlackStack, type SlackStack } from './support/slack-stack.js';
import { sandboxRuntime } from './support/sandbox-runtime.js';

type Block = Record<string, any>;

const users = [
  { id: 'U_APPROVER', name: 'Alice Approver', email: 'alice@msp.example' },
  { id: 'U_STAFF', name: 'Sam Staff', email: 'sam@msp.example' },
];

describe('one email per client-period unless sent again on purpose (Slack, real runtime on the sandbox)', () => {
  let stack: SlackStack;
  let runtime: Runtime;

  beforeAll(async () => {
    stack = await startSlackStack({
      users,
      env: { APPROVERS: 'alice@msp.example', LOG_LEVEL: 'silent' },
      services: async (config) => {
        runtime = await sandboxRuntime(config);
        return { services: runtime.services, close: () => runtime.close() };
      },
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  const campaignsSent = () => runtime.sandbox!.mailchimp.outbox().filter((email) => email.kind === 'campaign' && email.subject.includes('Acme Corporation'));
  const updatesOf = (ts: string) => stack.mock.callsTo('chat.update').filter((call) => call.args.ts === ts);
  const tsOfPost = (index: number) => `${1_700_000_000 + index + 1}.000100`;
  const button = (blocks: Block[], action: string) => buttonsOf(blocks).find((candidate) => candidate.action_id === action);

  /** Types the command, waits for its card to end on a report with buttons; the card's ts and blocks. */
  async function generate(text: string): Promise<{ ts: string; blocks: Block[]; text: string }> {
    const posts = stack.mock.callsTo('chat.postMessage').length;
    await stack.command(text);
    const ts = await vi.waitFor(() => {
      expect(stack.mock.callsTo('chat.postMessage').length).toBeGreaterThan(posts);
      return tsOfPost(posts);
    }, { timeout: 20_000 });
    return vi.waitFor(() => {
      const last = updatesOf(ts).at(-1);
      expect(buttonsOf(last?.args.blocks ?? []).some((candidate) => candidate.action_id === 'report.test')).toBe(true);
      return { ts, blocks: last!.args.blocks as Block[], text: JSON.stringify(last!.args.blocks) };
    }, { timeout: 40_000, interval: 100 });
  }

  async function answerTo(url: string): Promise<string> {
    return vi.waitFor(() => {
      const answer = stack.responsesTo(url).at(-1);
      expect(answer).toBeDefined();
      return JSON.stringify(answer!.body);
    }, { timeout: 20_000 });
  }

  it('refuses a period that has not begun and a send with no report, emailing nobody', async () => {
    expect(await answerTo(await stack.command('generate Acme 2099-01'))).toContain('January 2099 has not begun yet (it starts on 1 January 2099)');
    const noReport = await answerTo(await stack.command('send "Acme Corporation" 2026-03'));
    expect(noReport).toContain('There is no March 2026 report for Acme Corporation yet: generate it first with /integoreport generate \\"Acme Corporation\\" 2026-03');
    expect(runtime.sandbox!.mailchimp.outbox()).toEqual([]);
  }, 30_000);

  it('two racing Send presses: one email, and both answers show "Sent"', async () => {
    const card = await generate('generate "Acme Corporation" last-month');
    const send = button(card.blocks, 'report.send')!;
    const updatesBefore = updatesOf(card.ts).length;
    await Promise.all([stack.click('U_APPROVER', send, card.ts), stack.click('U_APPROVER', send, card.ts)]);
    await vi.waitFor(() => {
      const texts = updatesOf(card.ts).slice(updatesBefore).map((call) => call.args.text as string);
      expect(texts.filter((text) => text.includes('Sent to wile.coyote@acmecorp.com')).length, JSON.stringify(texts)).toBeGreaterThanOrEqual(2);
    }, { timeout: 30_000, interval: 100 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = updatesOf(card.ts).slice(updatesBefore);
    const firstSent = after.findIndex((call) => String(call.args.text).includes('Sent to'));
    for (const later of after.slice(firstSent)) {
      expect(later.args.text, 'a card that showed Sent never goes back').toContain('Sent to');
      expect(button(later.args.blocks, 'report.send')).toBeUndefined();
    }
    expect(campaignsSent()).toHaveLength(1);
    const acme = await runtime.services.findClient('Acme Corporation');
    const [row] = await runtime.delivery.sendsFor(acme.kind === 'found' ? acme.client.id : -1);
    expect(row!.card, 'where it was pressed, for a send finished after a restart').toEqual({ platform: 'slack', target: 'C1', id: `C1|${card.ts}` });
  }, 60_000);

  it('after a send, a regenerated report says the period went out; Send to client refuses, Send again sends exactly one more', async () => {
    const firstEmail = campaignsSent()[0]!;
    const card = await generate('generate "Acme Corporation" last-month');
    expect(card.text).toMatch(/went to wile\.coyote@acmecorp\.com on \d{1,2} \w{3} \d{4} by Alice Approver\./);
    expect(button(card.blocks, 'report.send')).toBeUndefined();
    const again = button(card.blocks, 'report.resend')!;
    expect(again.text.text).toBe('Send again');
    expect(again.confirm.title.text).toBe('Send a second email?');
    expect(again.confirm.text.text).toMatch(/^This emails the .+ report for Acme Corporation a second time, to wile\.coyote@acmecorp\.com \(copy to reports@sandbox-msp\.example\)\. .+ went to wile\.coyote@acmecorp\.com on .+ by Alice Approver\. (Changed since: .+|No figure changed since\.)$/);

    // A Send to client button for this version (as an older card would carry) sends nothing.
    const value = JSON.parse(again.value) as { reportId: string; version: number; to: string[] };
    const plain = { ...again, action_id: 'report.send', value: JSON.stringify({ reportId: value.reportId, version: value.version, to: value.to }) };
    await stack.click('U_APPROVER', plain, card.ts);
    await vi.waitFor(() => expect(JSON.stringify(updatesOf(card.ts).at(-1)!.args.blocks)).toContain('Nothing was sent: this period already went to the client. Send again sends a second email.'), { timeout: 20_000 });
    expect(campaignsSent()).toHaveLength(1);

    const denied = await stack.click('U_STAFF', again, card.ts);
    expect(await answerTo(denied)).toContain('Only approvers');

    await Promise.all([stack.click('U_APPROVER', again, card.ts), stack.click('U_APPROVER', again, card.ts)]);
    await vi.waitFor(() => expect(updatesOf(card.ts).at(-1)!.args.text).toContain('Sent to wile.coyote@acmecorp.com'), { timeout: 30_000, interval: 100 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const emails = campaignsSent();
    expect(emails).toHaveLength(2);
    expect(emails[1]!.subject).toBe(firstEmail.subject);

    // The card that was sent stays "Sent"; the send command shows the period's card saying it went, with only Send again.
    expect(button(updatesOf(card.ts).at(-1)!.args.blocks, 'report.resend')).toBeUndefined();
    const url = await stack.command('send "Acme Corporation" last-month');
    const posts = stack.mock.callsTo('chat.postMessage');
    const shown = await vi.waitFor(() => {
      const post = stack.mock.callsTo('chat.postMessage').slice(posts.length - 1).find((call) => /went to wile\.coyote@acmecorp\.com on .+ by Alice Approver\./.test(JSON.stringify(call.args.blocks)));
      expect(post).toBeDefined();
      return post!;
    }, { timeout: 20_000 });
    expect(button(shown.args.blocks, 'report.send')).toBeUndefined();
    expect(button(shown.args.blocks, 'report.resend')).toBeDefined();
    expect(stack.responsesTo(url).map((response) => JSON.stringify(response.body)).join('')).not.toContain('generate it first');
  }, 90_000);
});
