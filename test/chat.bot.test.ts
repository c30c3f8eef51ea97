import { beforeEach, describe, expect, it } from 'vitest';
import { createChatBot, type ChatBot } from '../src/chat/bot.js';
import type { Actor } from '../src/app/ports.js';
import { fixedClock } from '../src/clock.js';
import { createLogger } from '../src/logger.js';
import { FreshserviceRateLimitError } from '../src/freshservice/errors.js';
import { createFakeServices, type FakeServices } from './support/fake-services.js';
import { createRecordingSurface, type RecordingSurface } from './support/recording-surface.js';
import type { View } from '../src/chat/views/view.js';

const approver: Actor = { platform: 'slack', id: 'U_APPROVER', name: 'Alice Approver', email: 'alice@msp.example' };
const staff: Actor = { platform: 'slack', id: 'U_STAFF', name: 'Sam Staff', email: 'sam@msp.example' };
const noEmail: Actor = { platform: 'slack', id: 'U_NOMAIL', name: 'Nora' };

function allText(view: View | undefined): string {
  return JSON.stringify(view ?? {});
}

describe('chat core', () => {
  let services: FakeServices;
  let bot: ChatBot;
  let surface: RecordingSurface;
  let logLines: string[];

  beforeEach(() => {
    const clock = fixedClock('2026-11-25T10:00:00Z');
    services = createFakeServices({ clock, approvers: ['slack:U_APPROVER', 'slack:U_NOMAIL'], extraClients: 40 });
    logLines = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void logLines.push(line) } });
    bot = createChatBot({ services, logger, clock });
    surface = createRecordingSurface({ forms: true });
  });

  it('generates a report: a progress message that ends as the approval card', async () => {
    await bot.handleCommand(staff, 'generate "Acme Corp" 2026-10', surface);

    expect(surface.messages).toHaveLength(1);
    const [message] = surface.messages;
    expect(message!.versions[0]!.text).toBe('Starting…');
    expect(message!.versions.some((version) => version.text === 'Pulling tickets… 0/480')).toBe(true);
    const card = surface.latest()!;
    expect(card.title).toBe('Acme Corp: October 2026');
    expect(card.tiles?.map((tile) => tile.label)).toEqual(['Tickets', 'Resolved', 'Avg first response']);
    const send = card.buttons!.find((button) => button.action === 'report.send')!;
    expect(send.label).toBe('Send to client');
    expect(send.confirm!.text).toBe('Send the October 2026 report for Acme Corp to jane@acme.example and a copy to reports@msp.example?');
    expect(card.buttons!.map((button) => button.label)).toEqual(['View report', 'Send to client', 'Send test to me', 'Discard']);
    expect(card.buttons![0]!.url).toMatch(/\/reports\/r1-1-2026-10$/);
  });

  it('uses last month when no period is given', async () => {
    await bot.handleCommand(staff, 'generate Acme', surface);
    expect(surface.latest()!.title).toBe('Acme Corp: October 2026');
  });

  it('explains a bad period with the accepted forms and does no work', async () => {
    await bot.handleCommand(staff, 'generate Acme 2026-13', surface);
    expect(services.generateCalls).toBe(0);
    expect(surface.messages).toHaveLength(0);
    expect(surface.ephemerals[0]!.text).toContain('"2026-13" is not a period I understand');
    expect(surface.ephemerals[0]!.context![0]).toContain('2026-Q3');
  });

  it('answers a typo with what was understood and the right form', async () => {
    await bot.handleCommand(staff, 'generate', surface);
    const view = surface.ephemerals[0]!;
    expect(view.facts).toEqual([
      { label: 'Understood', value: 'generate (no client given)' },
      { label: 'Right form', value: 'generate <client> [period]' },
    ]);
  });

  it('offers the closest clients for an unknown name, and a pick continues the command', async () => {
    await bot.handleCommand(staff, 'generate Acne 2026-09', surface);
    const choice = surface.ephemerals[0]!;
    expect(choice.text).toBe('I can\'t find a client called "Acne". Did you mean one of these?');
    const pick = choice.buttons!.find((button) => button.label === 'Acme Corp')!;
    await bot.handleAction(staff, { id: pick.action, value: pick.value }, surface.on({ id: 'e1', ephemeral: true }));
    expect(surface.latest()!.title).toBe('Acme Corp: September 2026');
  });

  it('lets only approvers send, privately telling others why', async () => {
    await bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    const card = surface.messages[0]!;
    const send = surface.latest()!.buttons!.find((button) => button.action === 'report.send')!;
    await bot.handleAction(staff, { id: send.action, value: send.value }, surface.on(card.ref));
    expect(services.deliveries).toHaveLength(0);
    expect(surface.ephemerals.at(-1)!.text).toBe('Only approvers can send reports to clients. Ask one of: Slack user U_APPROVER, Slack user U_NOMAIL.');
    expect(surface.latest(card.ref)!.buttons!.some((button) => button.action === 'report.send')).toBe(true);
  });

  it('sends once; the card then shows who sent it, when and to whom, and a second click shows the same', async () => {
    await bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    const card = surface.messages[0]!;
    const send = surface.latest()!.buttons!.find((button) => button.action === 'report.send')!;
    await Promise.all([
      bot.handleAction(approver, { id: send.action, value: send.value }, surface.on(card.ref)),
      bot.handleAction(approver, { id: send.action, value: send.value }, surface.on(card.ref)),
    ]);
    await bot.handleAction(staff, { id: send.action, value: send.value }, surface.on(card.ref));
    expect(services.deliveries).toEqual([{ reportId: JSON.parse(send.value).reportId, to: ['jane@acme.example', 'reports@msp.example'], by: 'Alice Approver' }]);
    const sent = surface.latest(card.ref)!;
    expect(sent.text).toBe('Sent to jane@acme.example, reports@msp.example by Alice Approver, 25 Nov 2026, 10:00 UTC.');
    expect(sent.buttons!.map((button) => button.action)).toEqual(['report.open']);
  });

  it('sends only to whom the card named: after the contact changed, the card is refreshed instead and nothing goes out', async () => {
    await bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    const card = surface.messages[0]!;
    const send = surface.latest()!.buttons!.find((button) => button.action === 'report.send')!;
    expect(JSON.parse(send.value)).toEqual({ reportId: 'r1-1-2026-10', version: 1, to: ['jane@acme.example', 'reports@msp.example'] });
    await services.fixClient(approver, 1, { kind: 'email', email: 'boss@acme.example' });

    await bot.handleAction(approver, { id: send.action, value: send.value }, surface.on(card.ref));
    expect(services.deliveries).toEqual([]);
    const fresh = surface.latest(card.ref)!;
    expect(fresh.text).toBe('The contact for Acme Corp changed since this card was shown: now boss@acme.example. Check it and press Send to client.');
    const again = fresh.buttons!.find((button) => button.action === 'report.send')!;
    expect(again.confirm!.text).toBe('Send the October 2026 report for Acme Corp to boss@acme.example and a copy to reports@msp.example?');

    await bot.handleAction(approver, { id: again.action, value: again.value }, surface.on(card.ref));
    expect(services.deliveries).toEqual([{ reportId: 'r1-1-2026-10', to: ['boss@acme.example', 'reports@msp.example'], by: 'Alice Approver' }]);
  });

  it('a Send button that does not say whom it was confirmed for shows the card again instead of sending', async () => {
    await bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    const card = surface.messages[0]!;
    await bot.handleAction(approver, { id: 'report.send', value: 'r1-1-2026-10' }, surface.on(card.ref));
    expect(services.deliveries).toEqual([]);
    expect(surface.latest(card.ref)!.text).toBe('This card does not say whom it was confirmed for. Check the recipients and press Send to client.');
  });

  it('never generates twice for the same client and period while one is running', async () => {
    const hold = services.holdGeneration();
    const first = bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    const second = bot.handleCommand(approver, 'generate Acme 2026-10', surface);
    await second;
    hold.release();
    await first;
    expect(services.generateCalls).toBe(1);
    expect(surface.ephemerals[0]!.text).toContain('already generating the October 2026 report for Acme Corp');
  });

  it('turns a typed service error into its own sentence on the progress message', async () => {
    services.failNextGeneration(new FreshserviceRateLimitError('Freshservice is limiting requests right now; try again in 2 minutes.'));
    await bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    const view = surface.latest()!;
    expect(view.tone).toBe('error');
    expect(view.text).toBe('Freshservice is limiting requests right now; try again in 2 minutes.');
  });

  it('hides unexpected errors behind one sentence and logs them', async () => {
    services.failNextGeneration(new TypeError('Cannot read properties of undefined (reading \'x\')'));
    await bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    expect(surface.latest()!.text).toBe('Something went wrong on our side; the details are in the bot\'s log.');
    expect(allText(surface.latest())).not.toContain('Cannot read');
    expect(logLines.join('\n')).toContain('Cannot read properties');
  });

  it('shows only our own typed errors: a library\'s error with a name of its own stays in the log too', async () => {
    const socketError = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:443 (https://internal.example/api)'), { name: 'AxiosError', code: 'ECONNREFUSED' });
    services.failNextGeneration(socketError);
    await bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    expect(surface.latest()!.text).toBe('Something went wrong on our side; the details are in the bot\'s log.');
    expect(allText(surface.latest())).not.toContain('internal.example');
  });

  it('sends a test to an approver\'s own email, explains when it is unknown, and refuses anyone else', async () => {
    await bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    const card = surface.messages[0]!;
    const test = surface.latest()!.buttons!.find((button) => button.action === 'report.test')!;
    await bot.handleAction(approver, { id: test.action, value: test.value }, surface.on(card.ref));
    await bot.handleAction(noEmail, { id: test.action, value: test.value }, surface.on(card.ref));
    await bot.handleAction(staff, { id: test.action, value: test.value }, surface.on(card.ref));
    expect(services.tests).toEqual([{ reportId: test.value, to: 'alice@msp.example' }]);
    expect(surface.ephemerals[0]!.text).toContain('sent to alice@msp.example');
    expect(surface.ephemerals[1]!.text).toContain('can\'t see your email address');
    expect(surface.ephemerals[2]!.text).toBe('Only approvers can send test emails of a report. Ask one of: Slack user U_APPROVER, Slack user U_NOMAIL.');
    expect(services.deliveries).toHaveLength(0);
  });

  it('discards a report without sending', async () => {
    await bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    const card = surface.messages[0]!;
    const discard = surface.latest()!.buttons!.find((button) => button.action === 'report.discard')!;
    expect(discard.confirm).toBeDefined();
    await bot.handleAction(staff, { id: discard.action, value: discard.value }, surface.on(card.ref));
    expect(surface.ephemerals.at(-1)!.text).toMatch(/^Only approvers can discard a report\./);
    expect(services.reports.get(discard.value)!.discarded).toBeFalsy();
    await bot.handleAction(approver, { id: discard.action, value: discard.value }, surface.on(card.ref));
    expect(surface.latest(card.ref)!.text).toBe('Discarded by Alice Approver. Nothing was sent.');
    const send = { id: 'report.send', value: discard.value };
    await bot.handleAction(approver, send, surface.on(card.ref));
    expect(services.deliveries).toHaveLength(0);
  });

  it('pages the client list 15 at a time with Next and Previous', async () => {
    await bot.handleCommand(staff, 'clients', surface);
    const list = surface.messages[0]!;
    const first = surface.latest()!;
    expect(first.sections).toHaveLength(15);
    expect(first.paging).toMatchObject({ page: 1, pageCount: 3, itemCount: 43 });
    expect(first.paging!.previous).toBeUndefined();
    await bot.handleAction(staff, { id: 'clients.page', value: first.paging!.next!.value }, surface.on(list.ref));
    const second = surface.latest(list.ref)!;
    expect(second.paging!.page).toBe(2);
    expect(second.sections![0]!.title).toBe('Client 013');
    expect(second.paging!.previous).toBeDefined();
  });

  it('lists only unlinked clients, each with a Fix button', async () => {
    await bot.handleCommand(staff, 'clients unlinked', surface);
    const view = surface.latest()!;
    expect(view.sections!.map((section) => section.title).slice(0, 2)).toEqual(['Globex', 'Initech']);
    expect(view.sections!.every((section) => section.accessory?.action === 'client.fix')).toBe(true);
  });

  it('fixes a client through the form and updates the card it came from; only approvers get the form', async () => {
    await bot.handleCommand(staff, 'clients unlinked', surface);
    const list = surface.messages[0]!;
    const fix = surface.latest()!.sections![0]!.accessory!;
    await bot.handleAction(staff, { id: fix.action, value: fix.value }, surface.on(list.ref));
    expect(surface.forms).toHaveLength(0);
    expect(surface.ephemerals.at(-1)!.text).toMatch(/^Only approvers can change who receives a client's reports\./);
    await bot.handleAction(approver, { id: fix.action, value: fix.value }, surface.on(list.ref));
    const form = surface.forms[0]!;
    expect(form.title).toBe('Fix Globex');
    expect(form.choices!.options[0]).toMatchObject({ value: 'add:hank@globex.example', label: 'Add Hank Scorpio (hank@globex.example) to the audience' });
    expect(form.choices!.options[1]!.description).toBe('same domain globex.example');
    expect(form.submit!.label).toBe('Save');

    const submit = { id: form.submit!.action, value: form.submit!.value, inputs: { contact: 'add:hank@globex.example', email: '' } };
    expect(bot.validateForm(submit)).toBeUndefined();
    await bot.handleAction(staff, submit, surface.on(list.ref));
    expect(services.fixes).toEqual([]);
    await bot.handleAction(approver, submit, surface.on(list.ref));
    expect(services.fixes).toEqual([{ clientId: 2, fix: { kind: 'add-to-audience', email: 'hank@globex.example', firstName: 'Hank', lastName: 'Scorpio' }, by: 'Alice Approver' }]);
    expect(surface.latest(list.ref)!.sections!.some((section) => section.title === 'Globex')).toBe(false);
    expect(surface.ephemerals.at(-1)!.text).toBe('Globex: Linked to hank@globex.example by Alice Approver.');
  });

  it('offers Fix instead of Send when the client has no contact, and the fix turns the card sendable', async () => {
    await bot.handleCommand(staff, 'generate Initech 2026-10', surface);
    const card = surface.messages[0]!;
    const view = surface.latest()!;
    expect(view.buttons!.some((button) => button.action === 'report.send')).toBe(false);
    expect(view.context![0]).toBe('Initech has no linked Mailchimp contact yet; fix it before sending.');
    const fix = view.buttons!.find((button) => button.action === 'client.fix')!;
    await bot.handleAction(approver, { id: fix.action, value: fix.value }, surface.on(card.ref));
    const form = surface.forms[0]!;
    await bot.handleAction(approver, { id: form.submit!.action, value: form.submit!.value, inputs: { contact: 'email', email: 'it@initech.example' } }, surface.on(card.ref));
    const updated = surface.latest(card.ref)!;
    expect(updated.title).toBe('Initech: October 2026');
    expect(updated.buttons!.find((button) => button.action === 'report.send')!.confirm!.text).toBe('Send the October 2026 report for Initech to it@initech.example and a copy to reports@msp.example?');
  });

  it('asks for an email when the chosen fix needs one', () => {
    expect(bot.validateForm({ id: 'client.fix.submit', value: '{}', inputs: { contact: 'add-email', email: 'not an email' } })).toEqual({ email: 'Enter an email address like jane@acme.com.' });
    expect(bot.validateForm({ id: 'client.fix.submit', value: '{}', inputs: {} })).toHaveProperty('contact');
  });

  it('shows the report to send for "send <client> <period>", or offers to generate it', async () => {
    await bot.handleCommand(staff, 'send Acme 2026-10', surface);
    expect(surface.ephemerals[0]!.text).toBe('There is no October 2026 report for Acme Corp yet: generate it first with /integoreport generate "Acme Corp" 2026-10, check it, then send it.');
    await bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    await bot.handleCommand(staff, 'send Acme 2026-10', surface);
    expect(surface.latest()!.buttons!.some((button) => button.action === 'report.send')).toBe(true);
  });

  it('shows history, status and help privately', async () => {
    await bot.handleCommand(staff, 'generate Acme 2026-10', surface);
    await bot.handleCommand(staff, 'history Acme', surface);
    await bot.handleCommand(staff, 'status', surface);
    await bot.handleCommand(staff, 'help', surface);
    const [history, status, help] = surface.ephemerals;
    expect(history!.sections![0]!.title).toBe('October 2026');
    expect(history!.sections![0]!.text).toContain('waiting for approval');
    expect(status!.text).toContain('Sandbox mode');
    expect(help!.sections!.map((section) => section.title)).toContain('/integoreport generate <client> [period]');
  });
});
