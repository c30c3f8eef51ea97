/**
 * The digest in chat: `digest` typed by an approver posts it into that conversation (Slack over signed HTTP, and the
 * local playground as `npm start` wires it); `digest preview` shows it privately; others are refused; a discarded
 * draft stays discarded and is listed under "needs attention" with Generate again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import { createRuntime, type Runtime } from '../src/compose/runtime.js';
import { startEmbeddedSandbox } from '../src/compose/sandbox.js';
import { createChatBot } from '../src/chat/bot.js';
import { createDigestWiring } from '../src/compose/digest.js';
import { createPlatformClients } from '../src/compose/platforms.js';
import { startBot, type BotProcess } from '../src/compose/bot-process.js';
import { DigestStore, digestIdFor } from '../src/store/digests.js';
import { buttonsOf } from './support/slack-mock.js';
import { startSlackStack, type SlackStack } from './support/slack-stack.js';
import { TeamsClient, actionsOf, cardOf, textOf, type TeamsConversation, type TeamsUser } from './support/teams-client.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

type Block = Record<string, any>;

const users = [
  { id: 'U_APPROVER', name: 'Alice Approver', email: 'alice@msp.example' },
  { id: 'U_STAFF', name: 'Sam Staff', email: 'sam@msp.example' },
];
const SANDBOX = { profile: { seatScale: 0.1, departments: 8 }, controls: { timeScale: 1000 } };
/** Drafts without PDFs: printing one per client is the slow part and is not what these tests are about. */
const NO_PDF = { CHROMIUM_PATH: '/nonexistent/chromium' };

function blockText(blocks: Block[]): string {
  return JSON.stringify(blocks).replace(/\\n/g, '\n').replace(/\\"/g, '"');
}

describe('digest typed in Slack (sandbox runtime, Slack mock)', () => {
  let stack: SlackStack;
  let runtime: Runtime;

  beforeAll(async () => {
    stack = await startSlackStack({
      users,
      env: { APPROVERS: 'alice@msp.example', TIMEZONE: 'UTC', ...NO_PDF },
      services: async (config) => {
        runtime = await createRuntime({ config, logger: silentLogger, clock: systemClock, sandbox: await startEmbeddedSandbox(config, systemClock, SANDBOX) });
        await runtime.clients.syncClients();
        return { services: runtime.services, close: () => runtime.close() };
      },
      bot: (services) => createChatBot({ services, logger: silentLogger, clock: systemClock, digest: createDigestWiring(runtime, createPlatformClients(runtime)).publisher }),
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  const postsTo = (channel: string) => stack.mock.callsTo('chat.postMessage').filter((call) => call.args.channel === channel);

  it('help lists digest', async () => {
    const url = await stack.command('help');
    const answer = await vi.waitFor(() => stack.responsesTo(url)[0]!.body);
    expect(blockText(answer.blocks)).toContain('/integoreport digest [period] [preview]');
  });

  it('a non-approver is refused and nothing is posted', async () => {
    const url = await stack.command('digest 2026-10', { userId: 'U_STAFF', channelId: 'C_TEAM' });
    const answer = await vi.waitFor(() => stack.responsesTo(url)[0]!.body);
    expect(answer.response_type).toBe('ephemeral');
    expect(blockText(answer.blocks)).toContain('Only approvers can post or preview the monthly digest');
    expect(postsTo('C_TEAM')).toHaveLength(0);
    expect(await new DigestStore(stack.dataDir).get(digestIdFor('2026-10'))).toBeUndefined();
  });

  it('in a channel the bot is not in, digest says to invite the bot', async () => {
    const url = await stack.command('digest 2026-07', { userId: 'U_APPROVER', channelId: 'G_PRIVATE' });
    const refusal = await vi.waitFor(() => {
      const found = stack.responsesTo(url).find((response) => blockText(response.body.blocks).includes('Slack refused to post the digest'));
      expect(found).toBeDefined();
      return found!.body;
    }, { timeout: 30_000 });
    expect(blockText(refusal.blocks)).toContain('invite the bot to the channel (/invite @IntegoReport)');
    expect(blockText(refusal.blocks)).toContain('Trying the same again will not help');
  }, 40_000);

  it('digest preview shows the digest only to the approver, with no buttons to approve', async () => {
    const url = await stack.command('digest preview 2026-10', { userId: 'U_APPROVER', channelId: 'C_TEAM' });
    const preview = await vi.waitFor(() => {
      const found = stack.responsesTo(url).find((response) => blockText(response.body.blocks).includes('Digest preview: October 2026'));
      expect(found).toBeDefined();
      return found!.body;
    }, { timeout: 30_000 });
    expect(preview.response_type).toBe('ephemeral');
    expect(blockText(preview.blocks)).toContain('Ready for approval');
    expect(buttonsOf(preview.blocks).map((button) => button.action_id)).not.toContain('digest.approveAll');
    expect(postsTo('C_TEAM')).toHaveLength(0);
  }, 40_000);

  it('an approver types digest: it appears in that channel, with Approve all and one row per ready client in the thread', async () => {
    // A draft discarded before the digest stays discarded: listed as needing attention, never as waiting for approval.
    const acme = (await runtime.services.listClients()).find((client) => client.name === 'Acme Corporation')!;
    const generated = (await runtime.services.history(acme.id)).find((report) => report.period.key === '2026-10')
      ?? (await runtime.services.generateReport({ platform: 'cli', id: 'tester', name: 'Tess Tester' }, { clientId: acme.id, period: runtime.services.parsePeriod('2026-10') }));
    await runtime.services.discardReport({ platform: 'slack', id: 'U_APPROVER', name: 'Alice Approver', email: 'alice@msp.example' }, generated.id);

    await stack.command('digest 2026-10', { userId: 'U_APPROVER', channelId: 'C_TEAM' });
    const digest = await vi.waitFor(async () => {
      const found = await new DigestStore(stack.dataDir).get(digestIdFor('2026-10'));
      expect(found?.posts.length).toBe(1);
      return found!;
    }, { timeout: 30_000 });
    const ready = digest.rows.filter((row) => row.status === 'ready');
    const [header, ...rows] = postsTo('C_TEAM');
    expect(blockText(header!.args.blocks)).toContain('Monthly digest: October 2026');
    expect(buttonsOf(header!.args.blocks).map((button) => button.action_id)).toContain('digest.approveAll');
    expect(rows).toHaveLength(ready.length);
    expect(rows.every((row) => row.args.thread_ts === digest.posts[0]!.header.id.split('|')[1])).toBe(true);

    expect(digest.rows.find((row) => row.clientId === acme.id)).toMatchObject({ status: 'discarded', reportId: generated.id });
    expect(rows.some((row) => row.args.text.includes('Acme Corporation'))).toBe(false);
    const acmeLine = (header!.args.blocks as Block[]).find((block) => block.text?.text?.includes('Acme Corporation'))!;
    expect(acmeLine.text.text).toContain('Discarded by Alice Approver');
    expect(acmeLine.accessory).toMatchObject({ action_id: expect.stringContaining('digest.regenerate'), text: { text: 'Generate again' } });
    const history = await runtime.services.history(acme.id);
    expect(history.filter((report) => report.period.key === '2026-10')).toHaveLength(1);
  }, 60_000);

  it('Generate again on the discarded draft makes a new draft and adds it to the digest thread', async () => {
    const acme = (await runtime.services.listClients()).find((client) => client.name === 'Acme Corporation')!;
    const digest = (await new DigestStore(stack.dataDir).get(digestIdFor('2026-10')))!;
    const headerTs = digest.posts[0]!.header.id.split('|')[1]!;
    const header = postsTo('C_TEAM')[0]!;
    const regenerate = buttonsOf(header.args.blocks).find((button) => button.text.text === 'Generate again')!;
    const rowsBefore = postsTo('C_TEAM').length;
    await stack.click('U_APPROVER', regenerate, headerTs, { channelId: 'C_TEAM' });
    const row = await vi.waitFor(() => {
      const found = postsTo('C_TEAM').slice(rowsBefore).find((call) => call.args.text.includes('Acme Corporation'));
      expect(found).toBeDefined();
      return found!;
    }, { timeout: 30_000 });
    expect(row.args.thread_ts).toBe(headerTs);
    expect(buttonsOf(row.args.blocks).map((button) => button.text.text)).toContain('Approve & send');
    const after = (await new DigestStore(stack.dataDir).get(digestIdFor('2026-10')))!;
    expect(after.rows.find((entry) => entry.clientId === acme.id)!.status).toBe('ready');
  }, 40_000);
});

describe('digest in the local playground (npm start wiring, sandbox mode)', () => {
  let dataDir: string;
  let bot: BotProcess;
  let client: TeamsClient;
  const you: TeamsUser = { id: '29:playground-user', aadObjectId: 'playground-user', name: 'You (playground)', email: 'you@sandbox-msp.example' };
  const conversation: TeamsConversation = { id: 'playground-digest-0001', conversationType: 'personal' };

  beforeAll(async () => {
    dataDir = await makeTempDir('integoreport-digest-playground-');
    const config = loadConfig({ DATA_DIR: dataDir, APPROVERS: 'you@sandbox-msp.example', TIMEZONE: 'UTC', ...NO_PDF });
    bot = await startBot({ config, logger: silentLogger, sandbox: await startEmbeddedSandbox(config, systemClock, SANDBOX), port: 0, host: '127.0.0.1', jobs: false });
    await bot.runtime.clients.syncClients();
    client = new TeamsClient(bot.http.url, `${bot.http.url}${bot.playground!.connectorPath}`, bot.playground!.connector, async () => {});
  }, 60_000);

  afterAll(async () => {
    await bot?.close();
    await removeTempDir(dataDir);
  });

  const messages = () => bot.playground!.connector.conversation(conversation.id);

  it('typing digest shows the digest in the playground conversation; Approve & send and Approve all work there', async () => {
    await client.say(you, conversation, 'digest 2026-09');
    const header = await vi.waitFor(() => {
      const found = messages().find((message) => message.activity.attachments && textOf(cardOf(message)).includes('Monthly digest: September 2026'));
      expect(found).toBeDefined();
      return found!;
    }, { timeout: 30_000 });
    const digest = await vi.waitFor(async () => {
      const found = (await new DigestStore(dataDir).get(digestIdFor('2026-09')))!;
      const ready = found.rows.filter((row) => row.status === 'ready');
      expect(Object.keys(found.posts[0]?.rows ?? {})).toHaveLength(ready.length);
      return found;
    }, { timeout: 30_000 });
    const ready = digest.rows.filter((row) => row.status === 'ready');
    expect(ready.length).toBeGreaterThan(1);
    expect(digest.posts[0]).toMatchObject({ platform: 'teams', target: conversation.id });

    // One client approved from its row, then the rest with Approve all.
    const firstRow = bot.playground!.connector.get(digest.posts[0]!.rows[ready[0]!.clientId]!.id)!;
    expect(firstRow.conversationId).toBe(conversation.id);
    const ask = await client.click(you, conversation, firstRow, 'Approve & send');
    const sent = await client.click(you, conversation, firstRow, 'Send', {}, ask.response.value);
    expect(textOf(sent.response.value)).toContain('Sent by You (playground)');
    const outbox = () => bot.runtime.sandbox!.mailchimp.outbox().filter((email) => email.kind !== 'test');
    await vi.waitFor(() => expect(outbox()).toHaveLength(1));

    const approveAll = await vi.waitFor(() => {
      const found = actionsOf(cardOf(bot.playground!.connector.get(header.id)!)).find((action) => action.title.startsWith('Approve all'));
      expect(found?.title).toBe(`Approve all linked (${ready.length - 1})`);
      return found!;
    });
    const askAll = await client.click(you, conversation, bot.playground!.connector.get(header.id)!, approveAll.title);
    await client.click(you, conversation, header, 'Send all', {}, askAll.response.value);
    await vi.waitFor(() => expect(outbox()).toHaveLength(ready.length), { timeout: 30_000 });
    await vi.waitFor(() => expect(textOf(cardOf(bot.playground!.connector.get(header.id)!))).toContain(`All ${ready.length} reports are sent.`), { timeout: 10_000 });
  }, 90_000);

  it('the monthly digest goes to the playground conversation by default in sandbox mode', async () => {
    const period = bot.runtime.services.parsePeriod('2026-08');
    const result = await bot.digest.run({ platform: 'cli', id: 'schedule', name: 'the monthly schedule' }, period);
    expect(result.failed).toEqual([]);
    expect(result.posted).toEqual([{ platform: 'teams', target: conversation.id, messages: result.ready + 1 }]);
    expect(messages().some((message) => message.activity.attachments && textOf(cardOf(message)).includes('Monthly digest: August 2026'))).toBe(true);
  }, 60_000);
});
