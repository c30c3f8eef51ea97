/**
 * Who can do what, end to end: signed Slack requests and Teams activities from the local playground
 * channel into the real runtime on the sandbox, Mailchimp's side observed in the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import type { Runtime } from '../src/compose/runtime.js';
import { createRoutes, listen, type HttpServer } from '../src/server/http.js';
import { mountReportLinks } from '../src/server/report-links.js';
import { LocalConnector, type PostedActivity } from '../src/server/playground/connector.js';
import { PLAYGROUND_CONNECTOR_PATH } from '../src/server/playground/index.js';
import { ConversationStore } from '../src/store/conversations.js';
import { createChatBot } from '../src/chat/bot.js';
import { mountSlack, type SlackHandle } from '../src/chat/slack/mount.js';
import { mountTeams, type TeamsMount } from '../src/chat/teams/mount.js';
import type { Actor } from '../src/app/ports.js';
import { blockActionPayload, buttonsOf, interactionBody, slackSignature, slashCommandBody, startSlackMock, viewSubmissionPayload, type SlackMock } from './support/slack-mock.js';
import { TeamsClient, actionsOf, cardOf, textOf, type TeamsConversation, type TeamsUser } from './support/teams-client.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';
import { sandboxRuntime } from './support/sandbox-runtime.js';

const SECRET = 'authorisation-signing-secret';
/** A Slack approver listed by bare id (the old format), one by email, and one Teams approver. */
const APPROVERS = 'U0BOSS0001, alice@msp.example, teams:6b1f4e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b';
const slackUsers = [
  { id: 'U0BOSS0001', name: 'Bea Boss', email: 'bea@msp.example' },
  { id: 'U0ALICE001', name: 'Alice Approver', email: 'alice@msp.example' },
  { id: 'U0STAFF001', name: 'Sam Staff', email: 'sam@msp.example' },
  // A Slack Connect guest from another organisation whose profile claims an approver's address.
  { id: 'U0GUEST001', name: 'Alice (not really)', email: 'alice@msp.example', teamId: 'T0OTHERORG' },
];
const teamsApprover: TeamsUser = { id: '29:tina', aadObjectId: '6b1f4e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b', name: 'Tina Teams', email: 'tina@msp.example' };
/** Presents a Slack approver's id as an AAD object id. */
const impostor: TeamsUser = { id: '29:mallory', aadObjectId: 'U0BOSS0001', name: 'Mallory', email: 'mallory@attacker.example' };
const teamsStaff: TeamsUser = { id: '29:sam', aadObjectId: '0d3c2b1a-1111-4222-8333-944455556666', name: 'Sam Staff', email: 'sam@msp.example' };
const teamsPeople = [teamsApprover, impostor, teamsStaff];

type Block = Record<string, any>;

describe('only an authenticated, authorised person changes who gets what', () => {
  let dataDir: string;
  let mock: SlackMock;
  let server: HttpServer;
  let runtime: Runtime;
  let slack: SlackHandle;
  let teams: TeamsMount;
  let connector: LocalConnector;
  let teamsClient: TeamsClient;

  beforeAll(async () => {
    dataDir = await makeTempDir('integoreport-authorisation-');
    mock = await startSlackMock(slackUsers);
    const routes = createRoutes();
    connector = new LocalConnector((_conversation, memberId) => {
      const person = teamsPeople.find((entry) => entry.id === memberId);
      return person && { id: person.id, name: person.name, email: person.email, objectId: person.aadObjectId, userPrincipalName: person.email };
    });
    routes.use(PLAYGROUND_CONNECTOR_PATH, connector.router());
    server = await listen(routes, 0, '127.0.0.1');
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-authorisation',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: mock.apiUrl,
      PUBLIC_BASE_URL: server.url,
      APPROVERS,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    runtime = await sandboxRuntime(config);
    mountReportLinks(routes, { config: runtime.config, clock: systemClock, loadWebHtml: (reportId) => runtime.loadWebHtml(reportId) });
    const bot = createChatBot({ services: runtime.services, logger: silentLogger, clock: systemClock });
    slack = await mountSlack(routes, { services: runtime.services, config: runtime.config, logger: silentLogger, clock: systemClock, bot });
    teams = await mountTeams(routes, {
      services: runtime.services,
      config: runtime.config,
      logger: silentLogger,
      clock: systemClock,
      conversations: new ConversationStore(dataDir, systemClock),
      bot,
      localConnectorPath: PLAYGROUND_CONNECTOR_PATH,
    });
    teamsClient = new TeamsClient(server.url, `${server.url}${PLAYGROUND_CONNECTOR_PATH}`, connector, () => teams.idle());
  }, 60_000);

  afterAll(async () => {
    await slack?.close();
    await teams?.close();
    await server?.close();
    await runtime?.close();
    await mock?.close();
    await removeTempDir(dataDir);
  });

  async function slackPost(body: string) {
    const response = await fetch(`${server.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(SECRET, body) }, body });
    expect(response.status).toBe(200);
    return response.text();
  }

  /** Presses a button as `userId`; returns the response_url of the press. */
  async function slackPress(userId: string, button: Block, messageTs: string): Promise<string> {
    const responseUrl = mock.responseUrl();
    await slackPost(interactionBody(blockActionPayload({ userId, actionId: button.action_id, value: button.value, messageTs, responseUrl })));
    return responseUrl;
  }

  /** The private answer a command or button press got on its response_url. */
  function privateAnswer(responseUrl: string): Promise<Record<string, any>> {
    return vi.waitFor(() => {
      const answer = mock.responses.find((response) => responseUrl.endsWith(response.url));
      expect(answer).toBeDefined();
      return answer!.body;
    }, { timeout: 10_000 });
  }

  /** Generates the client's report from Slack; the approval card's ts and buttons. */
  async function slackCard(client: string, period: string): Promise<{ ts: string; buttons: Block[] }> {
    const postsBefore = mock.callsTo('chat.postMessage').length;
    await slackPost(slashCommandBody({ text: `generate "${client}" ${period}`, userId: 'U0STAFF001', responseUrl: mock.responseUrl() }));
    const ts = await vi.waitFor(() => {
      expect(mock.callsTo('chat.postMessage').length).toBe(postsBefore + 1);
      return `${1_700_000_000 + postsBefore + 1}.000100`;
    });
    const card = await vi.waitFor(() => {
      const update = mock.callsTo('chat.update').filter((call) => call.args.ts === ts).at(-1);
      expect(buttonsOf(update?.args.blocks ?? []).map((button) => button.action_id)).toContain('report.send');
      return update!;
    }, { timeout: 20_000, interval: 100 });
    return { ts, buttons: buttonsOf(card.args.blocks) };
  }

  const chat = (user: TeamsUser): TeamsConversation => ({ id: `a:personal-${user.aadObjectId}`, conversationType: 'personal' });

  async function teamsCard(user: TeamsUser, text: string): Promise<PostedActivity> {
    const [posted] = await teamsClient.say(user, chat(user), text);
    return connector.get(posted!.id)!;
  }

  const clientNamed = async (name: string) => (await runtime.services.listClients()).find((client) => client.name === name)!;
  const campaignsSent = () => runtime.sandbox!.mailchimp.outbox().filter((email) => email.kind === 'campaign');
  const members = () => runtime.sandbox!.mailchimp.members().map((member) => member.email_address);

  it('a Teams user presenting a Slack approver\'s id as its AAD object id is refused; nothing is sent', async () => {
    const card = await teamsCard(impostor, 'generate "Acme Corporation" 2026-10');
    const ask = await teamsClient.click(impostor, chat(impostor), card, 'Send to client');
    const confirm = await teamsClient.click(impostor, chat(impostor), card, 'Send', {}, ask.response.value);
    const said = confirm.posted.map((message) => textOf(cardOf(message))).join('\n');
    expect(said).toContain('Only approvers can send reports to clients. Ask one of: alice@msp.example, Teams user 6b1f4e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b.');
    expect(campaignsSent()).toHaveLength(0);
  }, 30_000);

  it('a Teams approver listed by AAD object id may send', async () => {
    const card = await teamsCard(teamsApprover, 'generate "Acme Corporation" 2026-06');
    expect(actionsOf(cardOf(card)).map((action) => action.title)).toContain('Send to client');
    const ask = await teamsClient.click(teamsApprover, chat(teamsApprover), card, 'Send to client');
    await teamsClient.click(teamsApprover, chat(teamsApprover), card, 'Send', {}, ask.response.value);
    expect(textOf(cardOf(connector.get(card.id)!))).toContain('by Tina Teams');
  }, 30_000);

  it('a Slack non-approver cannot change a contact, not even with a hand-made form submission', async () => {
    const wayne = await clientNamed('Wayne Dental');
    const membersBefore = members();
    const responseUrl = mock.responseUrl();
    await slackPost(slashCommandBody({ text: 'fix "Wayne Dental"', userId: 'U0STAFF001', responseUrl }));
    const refusal = await privateAnswer(responseUrl);
    expect(refusal.text).toContain('Only approvers can change who receives a client\'s reports.');
    expect(mock.callsTo('views.open').filter((call) => call.args.view?.callback_id === 'client.fix.submit')).toHaveLength(0);

    const forged = interactionBody(viewSubmissionPayload({
      userId: 'U0STAFF001',
      view: { callback_id: 'client.fix.submit', private_metadata: JSON.stringify({ v: JSON.stringify({ clientId: wayne.id }), c: 'C1' }), blocks: [], title: { type: 'plain_text', text: 'Fix' } },
      values: { contact: { contact: { type: 'radio_buttons', selected_option: { value: 'add-email' } } }, email: { email: { type: 'email_text_input', value: 'mallory@attacker.example' } } },
    }));
    await slackPost(forged);
    await vi.waitFor(() => {
      const ephemeral = mock.callsTo('chat.postEphemeral').find((call) => call.args.user === 'U0STAFF001' && JSON.stringify(call.args.blocks).includes('Only approvers can change'));
      expect(ephemeral).toBeDefined();
    });
    expect((await clientNamed('Wayne Dental')).email).toBe(wayne.email);
    expect(members()).toEqual(membersBefore);
  }, 30_000);

  it('a Teams non-approver cannot change a contact, whatever the card action says', async () => {
    const wayne = await clientNamed('Wayne Dental');
    const membersBefore = members();
    const messagesBefore = connector.conversation(chat(teamsStaff).id).length;
    const result = await teamsClient.post({
      ...teamsClient.base(teamsStaff, chat(teamsStaff)),
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'client.fix.submit', data: { action: 'client.fix.submit', value: JSON.stringify({ clientId: wayne.id }), contact: 'add-email', email: 'mallory@attacker.example' } } },
    });
    expect(result.status).toBe(200);
    await teams.idle();
    const said = connector.conversation(chat(teamsStaff).id).slice(messagesBefore).map((message) => textOf(cardOf(message))).join('\n');
    expect(said).toContain('Only approvers can change who receives a client\'s reports.');
    expect((await clientNamed('Wayne Dental')).email).toBe(wayne.email);
    expect(members()).toEqual(membersBefore);
  });

  it('Discard, Send test to me and Send by a Slack non-approver are refused, naming who can; the report stays', async () => {
    const { ts, buttons: card } = await slackCard('Acme Corporation', '2026-09');
    const reportId = card.find((button) => button.action_id === 'report.discard')!.value as string;
    for (const action of ['report.discard', 'report.test', 'report.send']) {
      const answer = await privateAnswer(await slackPress('U0STAFF001', card.find((button) => button.action_id === action)!, ts));
      expect(answer.response_type).toBe('ephemeral');
      expect(answer.text, action).toMatch(/^Only approvers can .+\. Ask one of: Slack user U0BOSS0001, alice@msp\.example\.$/);
    }
    expect((await runtime.services.getReport(reportId))!.discarded).toBe(false);
    expect(runtime.sandbox!.mailchimp.outbox().filter((email) => email.subject.includes('September 2026'))).toHaveLength(0);
  }, 40_000);

  it('an email approver is recognised only when Slack vouches for the address in our own workspace', async () => {
    const { ts, buttons: card } = await slackCard('Acme Corporation', '2026-08');
    const answer = await privateAnswer(await slackPress('U0GUEST001', card.find((button) => button.action_id === 'report.send')!, ts));
    expect(answer.text).toContain('Only approvers can send reports to clients.');
    expect(runtime.sandbox!.mailchimp.outbox().filter((email) => email.subject.includes('August 2026'))).toHaveLength(0);
  }, 40_000);

  it('a contact changed between the confirmation and the send: refused, the fresh card is shown, no email; the fresh card then sends', async () => {
    const { ts, buttons: card } = await slackCard('Acme Corporation', '2026-07');
    const send = card.find((button) => button.action_id === 'report.send')!;
    expect(send.confirm.text.text).toMatch(/to wile\.coyote@acmecorp\.com and a copy/);

    const operator: Actor = { platform: 'cli', id: 'ops', name: 'ops' };
    const acme = await clientNamed('Acme Corporation');
    await runtime.services.fixClient(operator, acme.id, { kind: 'add-to-audience', email: 'road.runner@acmecorp.com', firstName: 'Road', lastName: 'Runner' });

    const updatesBefore = mock.callsTo('chat.update').filter((call) => call.args.ts === ts).length;
    await slackPress('U0ALICE001', send, ts);
    const fresh = await vi.waitFor(() => {
      const updates = mock.callsTo('chat.update').filter((call) => call.args.ts === ts).slice(updatesBefore);
      const last = updates.at(-1);
      expect(JSON.stringify(last?.args.blocks ?? [])).toContain('The contact for Acme Corporation changed since this card was shown: now road.runner@acmecorp.com');
      return last!;
    }, { timeout: 10_000 });
    expect(campaignsSent().filter((email) => email.subject.includes('July 2026'))).toHaveLength(0);

    const freshSend = buttonsOf(fresh.args.blocks).find((button) => button.action_id === 'report.send')!;
    expect(freshSend.confirm.text.text).toMatch(/to road\.runner@acmecorp\.com and a copy/);
    await slackPress('U0ALICE001', freshSend, ts);
    await vi.waitFor(() => {
      const july = campaignsSent().filter((email) => email.subject.includes('July 2026'));
      expect(july).toHaveLength(1);
      expect(july[0]!.to).toContain('road.runner@acmecorp.com');
      expect(july[0]!.to).not.toContain('wile.coyote@acmecorp.com');
    }, { timeout: 10_000 });
  }, 60_000);
});
