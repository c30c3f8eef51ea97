import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { fixedClock } from '../src/clock.js';
import { createRuntime, type Runtime } from '../src/compose/runtime.js';
import { startEmbeddedSandbox } from '../src/compose/sandbox.js';
import { createRoutes, listen, type HttpServer } from '../src/server/http.js';
import { mountReportLinks } from '../src/server/report-links.js';
import { LocalConnector, type PostedActivity } from '../src/server/playground/connector.js';
import { PLAYGROUND_CONNECTOR_PATH } from '../src/server/playground/index.js';
import { ConversationStore } from '../src/store/conversations.js';
import { createChatBot } from '../src/chat/bot.js';
import { mountSlack, type SlackHandle } from '../src/chat/slack/mount.js';
import { mountTeams, type TeamsMount } from '../src/chat/teams/mount.js';
import { createBotScheduler, createDigestWiring } from '../src/compose/digest.js';
import { createPlatformClients } from '../src/compose/platforms.js';
import { JobRunStore } from '../src/jobs/runs.js';
import type { DigestPublisher } from '../src/chat/digest-publisher.js';
import { DigestStore, digestIdFor } from '../src/store/digests.js';
import { blockActionPayload, interactionBody, slackSignature, startSlackMock, type SlackMock } from './support/slack-mock.js';
import { BOT, TeamsClient, actionsOf, cardOf, textOf, type TeamsConversation, type TeamsUser } from './support/teams-client.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const SECRET = 'digest-e2e-signing-secret';
const CHANNEL = 'C_DIGEST';
const TEAMS_CHANNEL: TeamsConversation = { id: '19:digest@thread.tacv2', conversationType: 'channel', teamId: '19:team@thread.tacv2' };
const slackUsers = [
  { id: 'U_APPROVER', name: 'Alice Approver', email: 'alice@msp.example' },
  { id: 'U_STAFF', name: 'Sam Staff', email: 'sam@msp.example' },
];
const alice: TeamsUser = { id: '29:alice', aadObjectId: 'aad-alice', name: 'Alice Approver', email: 'alice@msp.example' };

type Block = Record<string, any>;

/** Every text of a Block Kit message, joined. */
function blockText(blocks: Block[]): string {
  return JSON.stringify(blocks).replace(/\\n/g, '\n');
}

describe('monthly digest, end to end (sandbox, Slack mock, local Teams connector)', () => {
  let dataDir: string;
  let clock: ReturnType<typeof fixedClock>;
  let mock: SlackMock;
  let connector: LocalConnector;
  let server: HttpServer;
  let runtime: Runtime;
  let slack: SlackHandle;
  let teams: TeamsMount;
  let teamsClient: TeamsClient;
  let publisher: DigestPublisher;

  beforeAll(async () => {
    dataDir = await makeTempDir('integoreport-digest-e2e-');
    // Tuesday 1 December 2026, 08:00:30 UTC: the first working day of the month, just after 08:00.
    clock = fixedClock('2026-12-01T08:00:30Z');
    mock = await startSlackMock(slackUsers);
    connector = new LocalConnector((_conversation, memberId) => (memberId === alice.id ? { id: alice.id, name: alice.name, email: alice.email, objectId: alice.aadObjectId } : undefined));
    const routes = createRoutes();
    routes.use(PLAYGROUND_CONNECTOR_PATH, connector.router());
    server = await listen(routes, 0, '127.0.0.1');
    const config = loadConfig({
      DATA_DIR: dataDir,
      PUBLIC_BASE_URL: server.url,
      REPORT_LINK_SECRET: 'digest-e2e-link-secret-0123456789',
      SLACK_BOT_TOKEN: 'xoxb-digest-e2e',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: mock.apiUrl,
      DIGEST_CHANNEL: CHANNEL,
      APPROVERS: 'alice@msp.example',
      TIMEZONE: 'UTC',
    });
    runtime = await createRuntime({
      config,
      logger: silentLogger,
      clock,
      sandbox: await startEmbeddedSandbox(config, clock, { profile: { seatScale: 0.1 }, controls: { timeScale: 1000 } }),
    });
    await runtime.clients.syncClients();
    mountReportLinks(routes, { config: runtime.config, clock, logger: silentLogger, loadWebHtml: runtime.loadWebHtml });
    const conversations = new ConversationStore(dataDir, clock);
    await conversations.remember({
      address: {
        channelId: 'msteams',
        serviceUrl: `${server.url}${PLAYGROUND_CONNECTOR_PATH}`,
        conversation: { id: TEAMS_CHANNEL.id, conversationType: 'channel', tenantId: 'tenant-1', isGroup: true },
        bot: BOT,
      },
      scope: 'channel',
      heardThrough: 'local',
      tenantId: 'tenant-1',
      team: { id: TEAMS_CHANNEL.teamId! },
    });
    const platforms = createPlatformClients(runtime, conversations);
    publisher = createDigestWiring(runtime, platforms).publisher;
    const bot = createChatBot({ services: runtime.services, logger: silentLogger, clock, digest: publisher });
    slack = await mountSlack(routes, { services: runtime.services, config: runtime.config, logger: silentLogger, clock, bot, client: platforms.slack });
    teams = await mountTeams(routes, {
      services: runtime.services,
      config: runtime.config,
      logger: silentLogger,
      clock,
      conversations,
      bot,
      connection: platforms.teams,
      invokeWaitMs: 5000,
      localConnectorPath: PLAYGROUND_CONNECTOR_PATH,
    });
    teamsClient = new TeamsClient(server.url, `${server.url}${PLAYGROUND_CONNECTOR_PATH}`, connector, () => teams.idle());
  }, 60_000);

  afterAll(async () => {
    await slack?.close();
    await teams?.close();
    await server?.close();
    await mock?.close();
    await runtime?.close();
    await removeTempDir(dataDir);
  });

  async function slackClick(userId: string, actionId: string, value: string, messageTs: string): Promise<void> {
    const body = interactionBody(blockActionPayload({ userId, actionId, value, channelId: CHANNEL, messageTs, responseUrl: mock.responseUrl() }));
    const response = await fetch(`${server.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(SECRET, body, Math.floor(clock.now().getTime() / 1000)) },
      body,
    });
    expect(response.status).toBe(200);
  }

  const outboxReports = () => runtime.sandbox!.mailchimp.outbox().filter((email) => email.kind !== 'test');
  const digestOf = async () => (await new DigestStore(dataDir).get(digestIdFor('2026-11')))!;
  /** The blocks a Slack message shows now: its last update, else as posted. */
  const slackBlocks = (ts: string): Block[] =>
    (mock.callsTo('chat.update').filter((call) => call.args.ts === ts).at(-1) ?? mock.callsTo('chat.postMessage').find((_call, index) => `${1_700_000_000 + index + 1}.000100` === ts)!).args.blocks;
  const buttonValue = (blocks: Block[], actionId: string) => blocks.flatMap((block) => block.elements ?? (block.accessory ? [block.accessory] : [])).find((element: Block) => element.action_id === actionId)?.value as string;

  it('the scheduled run posts the header and one thread reply per ready client on Slack and Teams, once', async () => {
    const freshservice = runtime.sandbox!.freshservice;
    freshservice.resetRequests();
    const scheduler = createBotScheduler(runtime, publisher);
    await scheduler.tick();

    // The digest's one account-wide listing back to the start of the drafts' year of trends; every draft came
    // from the mirror. The only other listing is the nightly sync's single incremental page in the same tick.
    const listings = freshservice.requests.filter((request) => request.path === '/api/v2/tickets');
    expect(listings.filter((request) => request.query.updated_since === '2025-12-01T00:00:00Z').length).toBeGreaterThan(0);
    expect(listings.filter((request) => request.query.updated_since !== '2025-12-01T00:00:00Z')).toHaveLength(1);
    expect(await new JobRunStore(dataDir).list('nightly-sync')).toMatchObject([{ key: '2026-12-01', status: 'done' }]);
    const perTicket = freshservice.requests.filter((request) => /^\/api\/v2\/tickets\/\d+/.test(request.path)).map((request) => request.path);
    expect(perTicket.length).toBeGreaterThan(0);
    expect(new Set(perTicket).size).toBe(perTicket.length);

    const digest = await digestOf();
    const ready = digest.rows.filter((row) => row.status === 'ready');
    const linked = (await runtime.services.listClients()).filter((client) => client.state === 'linked');
    expect(ready.length).toBeGreaterThan(4);
    expect(digest.rows.filter((row) => row.status === 'ready' || row.status === 'empty').length).toBe(linked.length);
    expect(digest.rows.some((row) => row.status === 'unlinked')).toBe(true);

    const posts = mock.callsTo('chat.postMessage');
    expect(posts).toHaveLength(1 + ready.length);
    const [header, ...rows] = posts;
    expect(header!.args.channel).toBe(CHANNEL);
    expect(header!.args.thread_ts).toBeUndefined();
    expect(blockText(header!.args.blocks)).toContain('Monthly digest: November 2026');
    expect(blockText(header!.args.blocks)).toContain('Needs attention');
    expect(header!.args.blocks.length).toBeLessThanOrEqual(50);
    const headerTs = digest.posts.find((post) => post.platform === 'slack')!.header.id.split('|')[1];
    expect(rows.every((row) => row.args.thread_ts === headerTs)).toBe(true);
    expect(rows.map((row) => row.args.text)).toEqual(ready.map((row) => expect.stringContaining(row.clientName)));
    const firstRow = rows[0]!.args.blocks as Block[];
    expect(firstRow.flatMap((block) => block.elements ?? []).map((element: Block) => element.text.text)).toEqual(['View', 'Approve & send', 'Send test to me']);

    const teamsHeader = connector.conversation(TEAMS_CHANNEL.id);
    expect(teamsHeader).toHaveLength(1);
    expect(textOf(cardOf(teamsHeader[0]!))).toContain('Monthly digest: November 2026');
    const teamsRows = connector.conversation(`${TEAMS_CHANNEL.id};messageid=${teamsHeader[0]!.id}`);
    expect(teamsRows).toHaveLength(ready.length);
    expect(textOf(cardOf(teamsRows[0]!))).toMatch(new RegExp(`${ready[0]!.clientName}[\\s\\S]*Tickets: \\d+[\\s\\S]*SLA kept: [\\d.]+%`));
    expect(actionsOf(cardOf(teamsRows[0]!)).map((action) => action.title)).toEqual(['View', 'Approve & send', 'Send test to me']);

    await scheduler.tick();
    await createBotScheduler(runtime, publisher).tick();
    clock.advance(60 * 60_000);
    await createBotScheduler(runtime, publisher).tick();
    expect(mock.callsTo('chat.postMessage')).toHaveLength(1 + ready.length);
    expect(connector.conversation(TEAMS_CHANNEL.id)).toHaveLength(1);
    expect(await new JobRunStore(dataDir).list('digest')).toMatchObject([{ key: `2026-11:slack:${CHANNEL}+teams`, status: 'done' }]);
  }, 60_000);

  it('a non-approver gets the private "only approvers" answer and nothing is sent', async () => {
    const digest = await digestOf();
    const slackPost = digest.posts.find((post) => post.platform === 'slack')!;
    const row = digest.rows.find((entry) => entry.status === 'ready')!;
    const before = mock.responses.length;
    const rowTs = slackPost.rows[row.clientId]!.id.split('|')[1]!;
    await slackClick('U_STAFF', 'digest.approve', buttonValue(slackBlocks(rowTs), 'digest.approve'), rowTs);
    await vi.waitFor(() => expect(mock.responses.length).toBeGreaterThan(before));
    const answer = mock.responses.at(-1)!.body;
    expect(answer.response_type).toBe('ephemeral');
    expect(blockText(answer.blocks)).toContain('Only approvers can send reports');
    expect(outboxReports()).toHaveLength(0);
  });

  it('approve one client on Slack and one on Teams, then approve all the rest: one email per client, digest updated everywhere', async () => {
    const digest = await digestOf();
    const ready = digest.rows.filter((row) => row.status === 'ready');
    const slackPost = digest.posts.find((post) => post.platform === 'slack')!;
    const teamsPost = digest.posts.find((post) => post.platform === 'teams')!;

    // Slack: Approve & send on the first client's row.
    const first = ready[0]!;
    const firstTs = slackPost.rows[first.clientId]!.id.split('|')[1]!;
    await slackClick('U_APPROVER', 'digest.approve', buttonValue(slackBlocks(firstTs), 'digest.approve'), firstTs);
    await vi.waitFor(() => expect(outboxReports()).toHaveLength(1), { timeout: 10_000 });
    await vi.waitFor(() => {
      const rowUpdate = mock.callsTo('chat.update').find((call) => call.args.ts === firstTs && blockText(call.args.blocks).includes('Sent by Alice Approver'));
      expect(rowUpdate).toBeDefined();
    });

    // Teams: Approve & send on the second client's reply card asks first, then sends.
    const second = ready[1]!;
    const thread: TeamsConversation = { ...TEAMS_CHANNEL, id: teamsPost.rows[second.clientId]!.target };
    const card = connector.get(teamsPost.rows[second.clientId]!.id) as PostedActivity;
    const ask = await teamsClient.click(alice, thread, card, 'Approve & send');
    expect(textOf(ask.response.value)).toMatch(/Send the November 2026 report for .+ to .+@/);
    const confirmed = await teamsClient.click(alice, thread, card, 'Send', {}, ask.response.value);
    expect(confirmed.status).toBe(200);
    expect(textOf(confirmed.response.value)).toContain('Sent by Alice Approver');
    expect(actionsOf(confirmed.response.value).map((action) => action.title)).toEqual(['View']);
    expect(outboxReports()).toHaveLength(2);

    // Slack: Approve all linked on the header; the confirmation names the recipients.
    const headerCalls = [...mock.callsTo('chat.update').filter((call) => call.args.ts === slackPost.header.id.split('|')[1])];
    const latestHeader = (headerCalls.at(-1) ?? mock.callsTo('chat.postMessage')[0]!).args.blocks as Block[];
    const approveAll = latestHeader.flatMap((block) => block.elements ?? []).find((element: Block) => element.action_id === 'digest.approveAll');
    expect(approveAll.confirm.text.text).toMatch(/^Send the November 2026 report to .+@/);
    expect(approveAll.text.text).toBe(`Approve all linked (${ready.length - 2})`);
    await slackClick('U_APPROVER', 'digest.approveAll', buttonValue(latestHeader, 'digest.approveAll'), slackPost.header.id.split('|')[1]!);
    await vi.waitFor(() => expect(outboxReports()).toHaveLength(ready.length), { timeout: 15_000 });
    await slack.close();
    await teams.idle();

    const recipients = outboxReports().map((email) => email.to[0]);
    expect(new Set(recipients).size).toBe(ready.length);
    const reports = await Promise.all(ready.map((row) => runtime.services.getReport(row.reportId!)));
    expect(reports.every((report) => report?.send?.status === 'sent')).toBe(true);
    expect(reports.map((report) => report!.recipient).sort()).toEqual([...recipients].sort());

    const slackHeader = mock.callsTo('chat.update').filter((call) => call.args.ts === slackPost.header.id.split('|')[1]).at(-1)!;
    expect(blockText(slackHeader.args.blocks)).toContain(`All ${ready.length} reports are sent.`);
    expect(blockText(slackHeader.args.blocks)).not.toContain('digest.approveAll');
    const teamsHeader = connector.get(teamsPost.header.id)!;
    expect(textOf(cardOf(teamsHeader))).toContain(`All ${ready.length} reports are sent.`);
    const lastRow = ready.at(-1)!;
    expect(textOf(cardOf(connector.get(teamsPost.rows[lastRow.clientId]!.id)!))).toContain('Sent by Alice Approver');

    // Pressing Approve all again sends nothing more.
    expect(outboxReports()).toHaveLength(ready.length);
  }, 60_000);
});
