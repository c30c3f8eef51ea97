import { existsSync, promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import { createRoutes, listen, type HttpServer } from '../src/server/http.js';
import { LocalConnector } from '../src/server/playground/connector.js';
import { PLAYGROUND_CONNECTOR_PATH } from '../src/server/playground/index.js';
import { ConversationStore } from '../src/store/conversations.js';
import { mountTeams, type TeamsMount } from '../src/chat/teams/mount.js';
import { createFakeServices, type FakeServices } from './support/fake-services.js';
import { startTeamsStack, type TeamsStack } from './support/teams-stack.js';
import { BOT, TeamsClient, actionsOf, cardOf, textOf, type TeamsConversation, type TeamsUser } from './support/teams-client.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const alice: TeamsUser = { id: '29:alice', aadObjectId: 'aad-alice', name: 'Alice Approver', email: 'alice@msp.example' };
const sam: TeamsUser = { id: '29:sam', aadObjectId: 'aad-sam', name: 'Sam Staff', email: 'sam@msp.example' };
const people = [alice, sam];
/** A chat whose user blocked the bot: the mock Teams service answers 403 to every post there. */
const blocked: TeamsConversation = { id: 'a:blocked-by-user', conversationType: 'personal' };

describe('Teams bot over /api/messages (fake services, local connector)', () => {
  let dataDir: string;
  let bot: HttpServer;
  let teams: TeamsMount;
  let services: FakeServices;
  let conversations: ConversationStore;
  let client: TeamsClient;
  let connector: LocalConnector;

  beforeAll(async () => {
    dataDir = await makeTempDir('integoreport-teams-e2e-');
    connector = new LocalConnector((_conversation, memberId) => {
      const person = people.find((entry) => entry.id === memberId);
      return person && { id: person.id, name: person.name, email: person.email, objectId: person.aadObjectId, userPrincipalName: person.email };
    });
    const routes = createRoutes();
    // The mock Teams service is the local connector on the bot's own server, where the sandbox's anonymous endpoint answers.
    routes.use(`${PLAYGROUND_CONNECTOR_PATH}v3/conversations/:conversationId`, (request, response, next) => {
      if (request.params.conversationId !== blocked.id || request.method !== 'POST') return next();
      response.status(403).json({ error: { code: 'MessageWritesBlocked', message: 'Thread is blocked for bot messages.' } });
    });
    routes.use(PLAYGROUND_CONNECTOR_PATH, connector.router());
    bot = await listen(routes, 0, '127.0.0.1');
    const config = loadConfig({ DATA_DIR: dataDir, PUBLIC_BASE_URL: bot.url, REPORT_LINK_SECRET: 'teams-e2e-link-secret-0123456789' });
    services = createFakeServices({ clock: systemClock, approvers: ['alice@msp.example'], extraClients: 20 });
    conversations = new ConversationStore(dataDir, systemClock);
    teams = await mountTeams(routes, { services, config, logger: silentLogger, clock: systemClock, conversations, invokeWaitMs: 1500, localConnectorPath: PLAYGROUND_CONNECTOR_PATH });
    client = new TeamsClient(bot.url, `${bot.url}${PLAYGROUND_CONNECTOR_PATH}`, connector, () => teams.idle());
  });

  afterAll(async () => {
    await teams?.close();
    await bot?.close();
    await removeTempDir(dataDir);
  });

  const personal = (user: TeamsUser): TeamsConversation => ({ id: `a:personal-${user.aadObjectId}`, conversationType: 'personal' });
  const channel: TeamsConversation = { id: '19:service-desk@thread.tacv2', conversationType: 'channel', teamId: '19:team@thread.tacv2' };

  async function generate(user: TeamsUser, conversation: TeamsConversation, text = 'generate Acme 2026-10') {
    const posted = await client.say(user, conversation, text);
    expect(posted).toHaveLength(1);
    return connector.get(posted[0]!.id)!;
  }

  it('installing in a team stores the channel, greets it, and uninstalling marks it inactive', async () => {
    const install = await client.post({ ...client.base(alice, channel), type: 'installationUpdate', action: 'add' });
    expect(install.status).toBe(200);
    await teams.idle();
    const stored = await conversations.get(channel.id);
    expect(stored).toMatchObject({ active: true, scope: 'channel', tenantId: 'tenant-1', team: { id: '19:team@thread.tacv2' } });
    expect(stored!.address.serviceUrl).toBe(`${bot.url}${PLAYGROUND_CONNECTOR_PATH}`);
    expect(stored!.heardThrough).toBe('local');
    const [welcome] = connector.conversation(channel.id);
    expect(textOf(cardOf(welcome!))).toContain('generate <client> [period]');
    expect(textOf(cardOf(welcome!))).not.toContain('/integoreport');

    const proactive = await teams.postProactive(channel.id, { kind: 'notice', title: 'Monthly digest', text: '3 reports are ready.' });
    expect(proactive.delivered).toBe(true);
    expect(textOf(cardOf(connector.conversation(channel.id).at(-1)!))).toContain('3 reports are ready.');

    await client.post({ ...client.base(alice, channel), type: 'installationUpdate', action: 'remove' });
    expect(await conversations.get(channel.id)).toMatchObject({ active: false, inactiveReason: 'app uninstalled' });
    expect(await teams.postProactive(channel.id, { kind: 'notice', text: 'never shown' })).toEqual({ delivered: false, reason: 'app uninstalled' });
    expect(await teams.postProactive('19:unknown', { kind: 'notice', text: 'x' })).toEqual({ delivered: false, reason: 'unknown conversation' });
  });

  it('a chat that blocked the bot (403 MessageWritesBlocked) is marked inactive instead of failing every month', async () => {
    await client.post({ ...client.base(sam, blocked), type: 'installationUpdate', action: 'add' });
    await teams.idle();
    expect(await conversations.get(blocked.id)).toMatchObject({ active: false, inactiveReason: expect.stringContaining('403') });

    await conversations.remember({ ...(await conversations.get(blocked.id))!, heardThrough: 'local' });
    const first = await teams.postProactive(blocked.id, { kind: 'notice', text: 'digest' });
    expect(first.delivered).toBe(false);
    expect(await conversations.get(blocked.id)).toMatchObject({ active: false, inactiveReason: expect.stringContaining('MessageWritesBlocked') });
    expect(await conversations.list({ activeOnly: true })).not.toContainEqual(expect.objectContaining({ id: blocked.id }));
  });

  it('generate in a personal chat: one card that moves from progress to the summary with the figures and buttons', async () => {
    const card = await generate(sam, personal(sam));
    expect(card.version).toBeGreaterThan(1);
    const summary = cardOf(card);
    const text = textOf(summary);
    expect(text).toContain('Acme Corp: October 2026');
    expect(text).toContain('48');
    expect(text).toContain('1 h 12 min');
    expect(text).toContain('Recipient: jane@acme.example (copy to reports@msp.example)');
    expect(actionsOf(summary).map((action) => action.title)).toEqual(['View report', 'Send to client', 'Send test to me', 'Discard']);
    expect(await conversations.get(personal(sam).id)).toMatchObject({ active: true, scope: 'personal' });
  });

  it('Send test to me goes to the approver\'s Teams email and leaves the card as it was; anyone else is told who may', async () => {
    const card = await generate(alice, personal(alice));
    const before = JSON.stringify(cardOf(card));
    const click = await client.click(alice, personal(alice), card, 'Send test to me');
    expect(click.status).toBe(200);
    expect(click.response).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(JSON.stringify(click.response.value)).toBe(before);
    expect(services.tests.at(-1)).toMatchObject({ to: 'alice@msp.example' });
    expect(click.posted).toHaveLength(1);
    expect(textOf(cardOf(click.posted[0]!))).toContain('sent to alice@msp.example. Only you received it.');

    const tests = services.tests.length;
    const refused = await client.click(sam, personal(sam), await generate(sam, personal(sam)), 'Send test to me');
    expect(textOf(cardOf(refused.posted[0]!))).toContain('Only approvers can send test emails of a report. Ask one of: alice@msp.example.');
    expect(services.tests).toHaveLength(tests);
  });

  it('Send to client asks first, naming the recipients; Cancel restores the card and sends nothing', async () => {
    const card = await generate(alice, personal(alice));
    const ask = await client.click(alice, personal(alice), card, 'Send to client');
    expect(textOf(ask.response.value)).toContain('Send the October 2026 report for Acme Corp to jane@acme.example and a copy to reports@msp.example?');
    expect(actionsOf(ask.response.value).map((action) => action.title)).toEqual(['Send', 'Cancel']);
    expect(services.deliveries).toHaveLength(0);

    const cancel = await client.click(alice, personal(alice), card, 'Cancel', {}, ask.response.value);
    expect(actionsOf(cancel.response.value).map((action) => action.title)).toContain('Send to client');
    expect(services.deliveries).toHaveLength(0);
  });

  it('an approver confirms: the card says "Sending…", then "Sent" with who and to whom; exactly one delivery', async () => {
    const card = await generate(alice, personal(alice));
    const ask = await client.click(alice, personal(alice), card, 'Send to client');
    const confirm = await client.click(alice, personal(alice), card, 'Send', {}, ask.response.value);
    expect(textOf(confirm.response.value)).toMatch(/Sending to jane@acme.example…|Sent to/);
    const now = textOf(cardOf(connector.get(card.id)!));
    expect(now).toContain('Sent to jane@acme.example, reports@msp.example by Alice Approver');
    expect(actionsOf(cardOf(connector.get(card.id)!)).map((action) => action.title)).toEqual(['View report']);
    expect(services.deliveries).toHaveLength(1);
    expect(services.deliveries[0]).toMatchObject({ to: ['jane@acme.example', 'reports@msp.example'], by: 'Alice Approver' });
  });

  it('the contact changed between the confirmation and the send: the card shows the new one instead, nothing is delivered', async () => {
    const deliveries = services.deliveries.length;
    const card = await generate(alice, personal(alice), 'generate Acme 2026-07');
    const ask = await client.click(alice, personal(alice), card, 'Send to client');
    expect(textOf(ask.response.value)).toContain('to jane@acme.example');
    const operator = { platform: 'cli', id: 'ops', name: 'ops' } as const;
    await services.fixClient(operator, 1, { kind: 'email', email: 'boss@acme.example' });
    try {
      const confirm = await client.click(alice, personal(alice), card, 'Send', {}, ask.response.value);
      const now = textOf(cardOf(connector.get(card.id)!));
      expect(now).toContain('The contact for Acme Corp changed since this card was shown: now boss@acme.example. Check it and press Send to client.');
      expect(now).toContain('Recipient: boss@acme.example');
      expect(textOf(confirm.response.value)).not.toContain('Sent to');
      expect(services.deliveries).toHaveLength(deliveries);
    } finally {
      await services.fixClient(operator, 1, { kind: 'email', email: 'jane@acme.example' });
    }
  });

  it('a non-approver who confirms is told only approvers can send; nothing is delivered', async () => {
    const deliveries = services.deliveries.length;
    const card = await generate(sam, personal(sam), 'generate Acme 2026-09');
    const ask = await client.click(sam, personal(sam), card, 'Send to client');
    const confirm = await client.click(sam, personal(sam), card, 'Send', {}, ask.response.value);
    expect(actionsOf(confirm.response.value).map((action) => action.title)).toContain('Send to client');
    expect(confirm.posted.map((message) => textOf(cardOf(message))).join('\n')).toContain('Only approvers can send reports to clients.');
    expect(services.deliveries).toHaveLength(deliveries);
  });

  it('in a channel the @mention is stripped: "clients unlinked" lists only unlinked clients, paged', async () => {
    const posted = await client.say(sam, channel, '<at>IntegoReport</at> clients unlinked', {
      entities: [{ type: 'mention', text: '<at>IntegoReport</at>', mentioned: BOT }],
    });
    expect(posted).toHaveLength(1);
    const list = textOf(cardOf(posted[0]!));
    expect(list).toContain('Unlinked clients');
    expect(list).toContain('Initech');
    expect(list).toContain('Globex');
    expect(list).not.toContain('Acme Corp');
    expect(actionsOf(cardOf(posted[0]!)).some((action) => action.title === 'Fix')).toBe(true);
  });

  it('paging through the Action.Submit fallback updates the same card', async () => {
    const [list] = await client.say(sam, personal(sam), 'clients');
    expect(textOf(cardOf(list!))).toContain('Page 1 of 2');
    const next = await client.submit(sam, personal(sam), list!, 'Next');
    expect(next.status).toBe(200);
    expect(textOf(cardOf(next.now))).toContain('Page 2 of 2');
    expect(next.now.version).toBe(2);
  });

  it('fix: the form offers the suggestions and an email input; saving links the client', async () => {
    const [form] = await client.say(alice, personal(alice), 'fix Initech');
    const card = cardOf(form!);
    const json = JSON.stringify(card);
    expect(json).toContain('"type":"Input.ChoiceSet"');
    expect(json).toContain('pick:it@initech.example');
    expect(json).toContain('"id":"email"');
    const save = await client.click(alice, personal(alice), form!, 'Save', { contact: 'email', email: 'boss@initech.example' });
    expect(services.fixes.at(-1)).toMatchObject({ clientId: 3, fix: { kind: 'email', email: 'boss@initech.example' }, by: 'Alice Approver' });
    expect(textOf(save.response.value)).toContain('Linked to boss@initech.example by Alice Approver.');
  });

  it('fix with a choice that needs an email but none given keeps the form and says what is missing', async () => {
    const fixes = services.fixes.length;
    const [form] = await client.say(alice, personal(alice), 'fix Globex');
    const save = await client.click(alice, personal(alice), form!, 'Save', { contact: 'email', email: '' });
    expect(textOf(save.response.value)).toContain('Enter an email address like jane@acme.com.');
    expect(JSON.stringify(save.response.value)).toContain('"type":"Input.ChoiceSet"');
    expect(services.fixes).toHaveLength(fixes);
  });

  it('Discard asks first and is an approver\'s; Generate again answers with the progress card at once and ends on the new summary', async () => {
    const card = await generate(sam, personal(sam), 'generate Globex 2026-08');
    const ask = await client.click(sam, personal(sam), card, 'Discard');
    expect(textOf(ask.response.value)).toContain('Discard the August 2026 report for Globex? Nothing is sent.');
    const refused = await client.click(sam, personal(sam), card, 'Discard', {}, ask.response.value);
    expect(refused.posted.map((message) => textOf(cardOf(message))).join('\n')).toContain('Only approvers can discard a report.');
    expect([...services.reports.values()].some((report) => report.discarded)).toBe(false);

    const discarded = await client.click(alice, personal(sam), card, 'Discard', {}, ask.response.value);
    expect(textOf(discarded.response.value)).toContain('Discarded by Alice Approver. Nothing was sent.');

    const hold = services.holdGeneration();
    setTimeout(() => hold.release(), 300);
    const again = await client.click(sam, personal(sam), card, 'Generate again', {}, discarded.response.value);
    expect(textOf(again.response.value)).toContain('Globex: August 2026');
    expect(actionsOf(again.response.value)).toEqual([]);
    expect(actionsOf(cardOf(again.now)).map((action) => action.title)).toContain('Send test to me');
  });

  it('a typo gets the right form of the command, in Teams words', async () => {
    const [answer] = await client.say(sam, personal(sam), 'genrate Acme');
    const text = textOf(cardOf(answer!));
    expect(text).toContain('Did you mean "generate"?');
    expect(text).not.toContain('/integoreport');
  });
});

describe('Teams bot on the real sandbox runtime (Freshservice and Mailchimp simulated on 127.0.0.1)', () => {
  let stack: TeamsStack;
  let client: TeamsClient;
  const you: TeamsUser = { id: '29:playground-user', aadObjectId: 'playground-user', name: 'You (playground)', email: 'you@sandbox-msp.example' };
  const stranger: TeamsUser = { id: '29:stranger', aadObjectId: 'aad-stranger', name: 'Stan Stranger', email: '' };
  const chat: TeamsConversation = { id: 'a:personal-runtime', conversationType: 'personal' };

  beforeAll(async () => {
    stack = await startTeamsStack();
    client = new TeamsClient(stack.http.url, `${stack.http.url}/playground/connector/`, stack.playground.connector, () => stack.teams.idle());
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('generate → send with confirmation: exactly one campaign to the linked contact (created, filled, sent) and a card that can no longer send', async () => {
    const [posted] = await client.say(you, chat, 'generate "Acme Corporation" 2026-10');
    const card = stack.playground.connector.get(posted!.id)!;
    const [record] = await stack.runtime.reports.all();
    const metrics = JSON.parse(await fs.readFile(record!.files.metrics, 'utf8'));
    const summary = textOf(cardOf(card));
    expect(summary).toContain('Acme Corporation: October 2026');
    expect(summary).toMatch(new RegExp(`\\b${metrics.tickets.created}\\b`));

    const strangerAsk = await client.click(stranger, chat, card, 'Send to client');
    const refused = await client.click(stranger, chat, card, 'Send', {}, strangerAsk.response.value);
    expect(refused.posted.map((message) => textOf(cardOf(message))).join('\n')).toContain('Only approvers can send reports to clients');
    expect(stack.runtime.sandbox!.mailchimp.outbox()).toHaveLength(0);

    stack.runtime.sandbox!.mailchimp.resetRequests();
    const ask = await client.click(you, chat, card, 'Send to client');
    expect(textOf(ask.response.value)).toContain('to wile.coyote@acmecorp.com and a copy to reports@sandbox-msp.example?');
    // Two presses of the confirmed Send at once: neither answer offers Send again, and the card ends on "Sent".
    const answers = await Promise.all([client.click(you, chat, card, 'Send', {}, ask.response.value), client.click(you, chat, card, 'Send', {}, ask.response.value)]);
    for (const answer of answers) {
      expect(actionsOf(answer.response.value).map((action) => action.title)).not.toContain('Send to client');
      expect(textOf(answer.response.value)).toMatch(/Sending to wile\.coyote@acmecorp\.com…|Sent to wile\.coyote@acmecorp\.com/);
    }
    expect(textOf(cardOf(stack.playground.connector.get(card.id)!))).toContain('Sent to wile.coyote@acmecorp.com, reports@sandbox-msp.example by You (playground)');

    const calls = stack.runtime.sandbox!.mailchimp.requests.filter((request) => request.service === 'mailchimp').map((request) => `${request.method} ${request.path.replace(/\/campaigns\/[^/]+/, '/campaigns/:id')}`);
    expect(calls.filter((call) => call.startsWith('POST') || call.startsWith('PUT'))).toEqual(['POST /3.0/campaigns', 'PUT /3.0/campaigns/:id/content', 'POST /3.0/campaigns/:id/actions/send']);
    const emails = stack.runtime.sandbox!.mailchimp.outbox();
    expect(emails).toHaveLength(1);
    expect(emails[0]!.to).toContain('wile.coyote@acmecorp.com');
    expect(emails[0]!.subject).toContain('Your Monthly Service Report: Acme Corporation');

    // Only links are left: the report, and its PDF where Chromium printed one.
    const links = actionsOf(cardOf(stack.playground.connector.get(card.id)!));
    expect(links.map((action) => action.type)).toEqual(links.map(() => 'Action.OpenUrl'));
    expect(links.map((action) => action.title)).toEqual(existsSync('/usr/bin/chromium') ? ['View report', 'Download PDF'] : ['View report']);
  }, 60_000);
});
