import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRoutes, listen, type HttpServer } from '../src/server/http.js';
import { mountSlack, type SlackHandle } from '../src/chat/slack/mount.js';
import { mountReportLinks } from '../src/server/report-links.js';
import { signReportLink } from '../src/report/links.js';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger, silentLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import type { Runtime } from '../src/compose/runtime.js';
import { createFakeServices, type FakeServices } from './support/fake-services.js';
import {
  blockActionPayload, buttonsOf, interactionBody, slackSignature, slashCommandBody, startSlackMock, viewSubmissionPayload, type SlackMock,
} from './support/slack-mock.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';
import { sandboxRuntime } from './support/sandbox-runtime.js';

const SECRET = 'e2e-signing-secret';
const LINK_SECRET = 'e2e-report-link-secret-0123456789';
const users = [
  { id: 'U_APPROVER', name: 'Alice Approver', email: 'alice@msp.example' },
  { id: 'U_STAFF', name: 'Sam Staff', email: 'sam@msp.example' },
];

type Block = Record<string, any>;

describe('Slack app over HTTP (fake services)', () => {
  let mock: SlackMock;
  let server: HttpServer;
  let slack: SlackHandle;
  let services: FakeServices;
  let config: Config;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await makeTempDir('integoreport-slack-e2e-');
    mock = await startSlackMock(users);
    const routes = createRoutes();
    server = await listen(routes, 0, '127.0.0.1');
    config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-e2e-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: mock.apiUrl,
      REPORT_LINK_SECRET: LINK_SECRET,
      PUBLIC_BASE_URL: server.url,
      DATA_DIR: dataDir,
    });
    services = createFakeServices({
      clock: systemClock,
      approvers: ['alice@msp.example'],
      viewUrl: (reportId) => signReportLink({ reportId, baseUrl: server.url, secret: LINK_SECRET, ttlDays: 30, now: new Date() }),
    });
    mountReportLinks(routes, {
      config,
      clock: systemClock,
      loadWebHtml: async (reportId) => (services.reports.has(reportId) ? `<html><body>Report ${reportId}</body></html>` : undefined),
    });
    slack = await mountSlack(routes, { services, config, logger: silentLogger, clock: systemClock });
  });

  afterAll(async () => {
    await slack?.close();
    await server?.close();
    await mock?.close();
    await removeTempDir(dataDir);
  });

  async function post(body: string, headers: Record<string, string> = slackSignature(SECRET, body)) {
    const response = await fetch(`${server.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  async function command(text: string, userId = 'U_STAFF') {
    const responseUrl = mock.responseUrl();
    const result = await post(slashCommandBody({ text, userId, responseUrl }));
    expect(result.status).toBe(200);
    return responseUrl;
  }

  async function click(userId: string, button: Block, messageTs: string, extra: { retry?: string; triggerId?: string } = {}) {
    const responseUrl = mock.responseUrl();
    const body = interactionBody(blockActionPayload({ userId, actionId: button.action_id, value: button.value, messageTs, responseUrl, triggerId: extra.triggerId }));
    const headers = { ...slackSignature(SECRET, body), ...(extra.retry ? { 'x-slack-retry-num': extra.retry, 'x-slack-retry-reason': 'http_timeout' } : {}) };
    const result = await post(body, headers);
    expect(result.status).toBe(200);
    return responseUrl;
  }

  function responsesTo(url: string) {
    return mock.responses.filter((response) => url.endsWith(response.url));
  }

  /** Generates Acme October 2026 and returns the approval card's ts and buttons. */
  async function generateAcme(): Promise<{ ts: string; buttons: Block[] }> {
    const before = mock.callsTo('chat.postMessage').length;
    await command('generate "Acme Corp" 2026-10');
    const posted = await vi.waitFor(() => {
      const call = mock.callsTo('chat.postMessage')[before];
      expect(call).toBeDefined();
      return call!;
    });
    expect(posted.args.channel).toBe('C1');
    const ts = `${1_700_000_000 + mock.callsTo('chat.postMessage').length}.000100`;
    const card = await vi.waitFor(() => {
      const update = mock.callsTo('chat.update').filter((call) => call.args.ts === ts).at(-1);
      expect(update?.args.blocks?.[0]?.text?.text).toBe('Acme Corp: October 2026');
      expect(buttonsOf(update!.args.blocks).map((button) => button.text.text)).toContain('Send to client');
      return update!;
    });
    return { ts, buttons: buttonsOf(card.args.blocks) };
  }

  it('refuses unsigned, wrongly signed and replayed requests with 401, and runs no handler', async () => {
    const handlerCalls = () => mock.calls.filter((call) => call.method !== 'auth.test').length;
    const callsBefore = handlerCalls();
    const body = slashCommandBody({ text: 'generate Acme 2026-10', userId: 'U_STAFF', responseUrl: mock.responseUrl() });
    expect((await post(body, {})).status).toBe(401);
    expect((await post(body, slackSignature('not-the-secret', body))).status).toBe(401);
    expect((await post(body, slackSignature(SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60))).status).toBe(401);
    const tampered = body.replace('2026-10', '2026-09');
    expect((await post(tampered, slackSignature(SECRET, body))).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(handlerCalls()).toBe(callsBefore);
    expect(services.generateCalls).toBe(0);
  });

  it('generate → view the signed link → send: progress, approval card, confirm, sent state', async () => {
    const { ts, buttons: cardButtons } = await generateAcme();
    const progress = mock.callsTo('chat.postMessage').at(-1)!;
    expect(JSON.stringify(progress.args.blocks)).toContain('Starting…');

    const view = cardButtons.find((button) => button.text.text === 'View report')!;
    const page = await fetch(view.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Report ${view.value}`);
    const forged = await fetch(view.url.replace(/sig=[^&]+/, 'sig=forged'));
    expect(forged.status).toBe(403);

    const send = cardButtons.find((button) => button.action_id === 'report.send')!;
    expect(send.confirm.text.text).toBe('Send the October 2026 report for Acme Corp to jane@acme.example and a copy to reports@msp.example?');
    await click('U_APPROVER', send, ts);
    const sent = await vi.waitFor(() => {
      const update = mock.callsTo('chat.update').filter((call) => call.args.ts === ts).at(-1)!;
      expect(update.args.text).toContain('Sent to jane@acme.example, reports@msp.example by Alice Approver');
      return update;
    });
    expect(buttonsOf(sent.args.blocks).map((button) => button.action_id)).toEqual(['report.open']);
    expect(services.deliveries).toEqual([{ reportId: JSON.parse(send.value).reportId, to: ['jane@acme.example', 'reports@msp.example'], by: 'Alice Approver' }]);
  });

  it('double clicks, Slack retries and a second click by someone else never send twice', async () => {
    const { ts, buttons: cardButtons } = await generateAcme();
    const send = cardButtons.find((button) => button.action_id === 'report.send')!;
    const deliveriesBefore = services.deliveries.length;
    await Promise.all([click('U_APPROVER', send, ts, { triggerId: 'same.trigger' }), click('U_APPROVER', send, ts), click('U_APPROVER', send, ts)]);
    await click('U_APPROVER', send, ts, { triggerId: 'same.trigger', retry: '1' });
    await vi.waitFor(() => {
      const update = mock.callsTo('chat.update').filter((call) => call.args.ts === ts).at(-1)!;
      expect(update.args.text).toContain('Sent to');
    });
    await click('U_STAFF', send, ts);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(services.deliveries.length - deliveriesBefore).toBe(1);
    const last = mock.callsTo('chat.update').filter((call) => call.args.ts === ts).at(-1)!;
    expect(last.args.text).toContain('by Alice Approver');
  });

  it('a retried slash command does not generate twice', async () => {
    const before = services.generateCalls;
    const body = slashCommandBody({ text: 'generate Initech 2026-09', userId: 'U_STAFF', responseUrl: mock.responseUrl(), triggerId: 'retry.trigger' });
    expect((await post(body)).status).toBe(200);
    expect((await post(body, { ...slackSignature(SECRET, body), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    await vi.waitFor(() => expect(services.generateCalls).toBe(before + 1));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(services.generateCalls).toBe(before + 1);
  });

  it('checks the bot token once at start-up, not before every ack', () => {
    expect(mock.callsTo('auth.test')).toHaveLength(1);
  });

  it('non-approvers get a private "only approvers" answer and nothing is sent', async () => {
    const { ts, buttons: cardButtons } = await generateAcme();
    const send = cardButtons.find((button) => button.action_id === 'report.send')!;
    const deliveriesBefore = services.deliveries.length;
    const responseUrl = await click('U_STAFF', send, ts);
    const answer = await vi.waitFor(() => {
      const [response] = responsesTo(responseUrl);
      expect(response).toBeDefined();
      return response!;
    });
    expect(answer.body.response_type).toBe('ephemeral');
    expect(answer.body.text).toContain('Only approvers can send reports to clients.');
    expect(services.deliveries.length).toBe(deliveriesBefore);
  });

  it('"Send test to me" goes to the approver\'s Slack email, privately', async () => {
    const { ts, buttons: cardButtons } = await generateAcme();
    const test = cardButtons.find((button) => button.action_id === 'report.test')!;
    const responseUrl = await click('U_APPROVER', test, ts);
    const answer = await vi.waitFor(() => {
      const [response] = responsesTo(responseUrl);
      expect(response).toBeDefined();
      return response!;
    });
    expect(answer.body.text).toContain('sent to alice@msp.example');
    expect(services.tests.at(-1)).toEqual({ reportId: test.value, to: 'alice@msp.example' });
    expect(mock.callsTo('users.info').some((call) => call.args.user === 'U_APPROVER')).toBe(true);
  });

  it('lists unlinked clients, fixes one through the modal, and updates the list message', async () => {
    await command('clients unlinked');
    const list = await vi.waitFor(() => {
      const call = mock.callsTo('chat.postMessage').find((candidate) => candidate.args.blocks?.[0]?.text?.text?.startsWith('Unlinked clients'));
      expect(call).toBeDefined();
      return call!;
    });
    const listTs = `${1_700_000_000 + mock.callsTo('chat.postMessage').indexOf(list) + 1}.000100`;
    const texts = JSON.stringify(list.args.blocks);
    expect(texts).toContain('Globex');
    expect(texts).toContain('Initech');
    expect(texts).not.toContain('Acme Corp');
    const fix = buttonsOf(list.args.blocks).find((button) => button.action_id === 'client.fix')!;

    const opensBefore = mock.callsTo('views.open').length;
    await click('U_APPROVER', fix, listTs);
    const opened = await vi.waitFor(() => {
      const call = mock.callsTo('views.open')[opensBefore];
      expect(call).toBeDefined();
      return call!;
    });
    const modal = opened.args.view as Block;
    expect(modal.callback_id).toBe('client.fix.submit');
    expect(modal.submit.text).toBe('Save');

    const invalid = interactionBody(viewSubmissionPayload({
      userId: 'U_APPROVER',
      view: modal,
      values: { contact: { contact: { type: 'radio_buttons', selected_option: { value: 'add-email' } } }, email: { email: { type: 'email_text_input', value: 'nope' } } },
    }));
    const rejected = await post(invalid);
    expect(JSON.parse(rejected.text)).toEqual({ response_action: 'errors', errors: { email: 'Enter an email address like jane@acme.com.' } });
    expect(services.fixes).toHaveLength(0);

    const valid = interactionBody(viewSubmissionPayload({
      userId: 'U_APPROVER',
      view: modal,
      values: { contact: { contact: { type: 'radio_buttons', selected_option: { value: 'add:hank@globex.example' } } }, email: { email: { type: 'email_text_input', value: null } } },
    }));
    expect((await post(valid)).status).toBe(200);
    await vi.waitFor(() => {
      const update = mock.callsTo('chat.update').filter((call) => call.args.ts === listTs).at(-1);
      expect(update).toBeDefined();
      expect(JSON.stringify(update!.args.blocks)).not.toContain('Globex');
    });
    expect(services.fixes).toEqual([{ clientId: 2, fix: { kind: 'add-to-audience', email: 'hank@globex.example', firstName: 'Hank', lastName: 'Scorpio' }, by: 'Alice Approver' }]);
  });

  it('fix <client> from the command opens the modal with suggestions and reasons', async () => {
    const opensBefore = mock.callsTo('views.open').length;
    await command('fix Initech', 'U_APPROVER');
    const opened = await vi.waitFor(() => {
      const call = mock.callsTo('views.open')[opensBefore];
      expect(call).toBeDefined();
      return call!;
    });
    const radio = (opened.args.view.blocks as Block[]).find((block) => block.block_id === 'contact')!;
    expect(radio.element.options[0].description.text).toBe('same domain initech.example');
    expect(opened.args.trigger_id).toMatch(/abcd/);
  });

  it('in a conversation the bot is not in, answers through the response_url and keeps updating it there', async () => {
    const responseUrl = mock.responseUrl();
    expect((await post(slashCommandBody({ text: 'generate Initech 2026-08', userId: 'U_STAFF', channelId: 'G_PRIVATE', responseUrl }))).status).toBe(200);
    await vi.waitFor(() => {
      const answers = responsesTo(responseUrl);
      expect(answers[0]!.body).toMatchObject({ response_type: 'in_channel', replace_original: false });
      expect(answers.at(-1)!.body).toMatchObject({ replace_original: true, text: 'Initech: August 2026' });
    });
  });

  it('answers hostile text without echoing live mentions', async () => {
    const responseUrl = await command('generate <!channel> *|FNAME|* <script>x</script>');
    const answer = await vi.waitFor(() => {
      const [response] = responsesTo(responseUrl);
      expect(response).toBeDefined();
      return response!;
    });
    const serialized = JSON.stringify(answer.body.blocks);
    expect(serialized).not.toContain('<!channel>');
    expect(serialized).toContain('&lt;!channel&gt;');
  });
});

describe('Slack app over HTTP (real runtime on the sandbox)', () => {
  let mock: SlackMock;
  let server: HttpServer;
  let slack: SlackHandle;
  let runtime: Runtime;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await makeTempDir('integoreport-slack-runtime-');
    mock = await startSlackMock(users);
    const routes = createRoutes();
    server = await listen(routes, 0, '127.0.0.1');
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-e2e-token',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: mock.apiUrl,
      PUBLIC_BASE_URL: server.url,
      APPROVERS: 'alice@msp.example',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
    });
    runtime = await sandboxRuntime(config);
    mountReportLinks(routes, { config: runtime.config, clock: systemClock, loadWebHtml: (reportId) => runtime.loadWebHtml(reportId) });
    slack = await mountSlack(routes, { services: runtime.services, config: runtime.config, logger: silentLogger, clock: systemClock });
  }, 30_000);

  afterAll(async () => {
    await slack?.close();
    await server?.close();
    await runtime?.close();
    await mock?.close();
    await removeTempDir(dataDir);
  });

  async function post(body: string, headers: Record<string, string> = slackSignature(SECRET, body)) {
    const response = await fetch(`${server.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    return { status: response.status, text: await response.text() };
  }

  async function click(userId: string, button: Block, messageTs: string) {
    const responseUrl = mock.responseUrl();
    const body = interactionBody(blockActionPayload({ userId, actionId: button.action_id, value: button.value, messageTs, responseUrl }));
    expect((await post(body)).status).toBe(200);
    return responseUrl;
  }

  function mailchimpCalls(method: string, pattern: RegExp) {
    return runtime.sandbox!.mailchimp.requests.filter((request) => request.service === 'mailchimp' && request.method === method && pattern.test(request.path));
  }

  it('generate → view → send reaches Mailchimp exactly once, even with double clicks; tests go only to the tester', async () => {
    const postsBefore = mock.callsTo('chat.postMessage').length;
    expect((await post(slashCommandBody({ text: 'generate "Acme Corporation" last-month', userId: 'U_STAFF', responseUrl: mock.responseUrl() }))).status).toBe(200);
    const ts = await vi.waitFor(() => {
      expect(mock.callsTo('chat.postMessage').length).toBe(postsBefore + 1);
      return `${1_700_000_000 + postsBefore + 1}.000100`;
    });
    const card = await vi.waitFor(() => {
      const update = mock.callsTo('chat.update').filter((call) => call.args.ts === ts).at(-1);
      expect(buttonsOf(update?.args.blocks ?? []).map((button) => button.action_id)).toContain('report.send');
      return update!;
    }, { timeout: 20_000, interval: 100 });
    const progressTexts = mock.callsTo('chat.update').filter((call) => call.args.ts === ts).map((call) => call.args.text as string);
    expect(progressTexts.some((text) => /Pulling tickets|Fetching/.test(text))).toBe(true);
    const cardButtons = buttonsOf(card.args.blocks);

    const view = cardButtons.find((button) => button.action_id === 'report.open')!;
    const page = await fetch(view.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Acme Corporation');

    const send = cardButtons.find((button) => button.action_id === 'report.send')!;
    expect(send.confirm.text.text).toMatch(/^Send the .+ report for Acme Corporation to wile\.coyote@acmecorp\.com and a copy to reports@sandbox-msp\.example\?$/);

    const test = cardButtons.find((button) => button.action_id === 'report.test')!;
    const testUrl = await click('U_APPROVER', test, ts);
    await vi.waitFor(() => expect(mock.responses.find((response) => testUrl.endsWith(response.url))?.body.text).toContain('sent to alice@msp.example'), { timeout: 10_000 });

    const denied = await click('U_STAFF', send, ts);
    await vi.waitFor(() => expect(mock.responses.find((response) => denied.endsWith(response.url))?.body.text).toContain('Only approvers'));

    await Promise.all([click('U_APPROVER', send, ts), click('U_APPROVER', send, ts)]);
    await vi.waitFor(() => {
      const update = mock.callsTo('chat.update').filter((call) => call.args.ts === ts).at(-1)!;
      expect(update.args.text).toContain('Sent to wile.coyote@acmecorp.com, reports@sandbox-msp.example by Alice Approver');
    }, { timeout: 10_000 });
    await click('U_APPROVER', send, ts);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const outbox = runtime.sandbox!.mailchimp.outbox();
    const delivered = outbox.filter((email) => email.kind === 'campaign');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.to.sort()).toEqual(['reports@sandbox-msp.example', 'wile.coyote@acmecorp.com']);
    expect(delivered[0]!.subject).toMatch(/^Your Monthly Service Report: Acme Corporation/);
    const tests = outbox.filter((email) => email.kind !== 'campaign');
    expect(tests.map((email) => email.to)).toEqual([['alice@msp.example']]);
    expect(tests[0]!.subject, 'Mailchimp marks a test itself, so the subject carries one test prefix').toBe(`[Test] ${delivered[0]!.subject}`);
    expect(mailchimpCalls('POST', /\/campaigns\/[^/]+\/actions\/send$/)).toHaveLength(1);
  }, 40_000);

  it('lists unlinked clients and adds the named contact to the Mailchimp audience through the modal', async () => {
    expect((await post(slashCommandBody({ text: 'clients unlinked', userId: 'U_STAFF', responseUrl: mock.responseUrl() }))).status).toBe(200);
    const list = await vi.waitFor(() => {
      const call = mock.callsTo('chat.postMessage').find((candidate) => candidate.args.blocks?.[0]?.text?.text?.startsWith('Unlinked clients'));
      expect(call).toBeDefined();
      return call!;
    });
    const listTs = `${1_700_000_000 + mock.callsTo('chat.postMessage').indexOf(list) + 1}.000100`;
    expect(JSON.stringify(list.args.blocks)).toContain('Wayne Dental');
    expect(JSON.stringify(list.args.blocks)).not.toContain('Acme Corporation');
    const fixWayne = list.args.blocks.find((block: Block) => block.text?.text?.includes('Wayne Dental')).accessory as Block;

    const opensBefore = mock.callsTo('views.open').length;
    await click('U_APPROVER', fixWayne, listTs);
    const modal = await vi.waitFor(() => {
      const call = mock.callsTo('views.open')[opensBefore];
      expect(call).toBeDefined();
      return call!.args.view as Block;
    });
    const radio = (modal.blocks as Block[]).find((block) => block.block_id === 'contact')!;
    const options = radio.element.options as Block[];
    expect(options.map((option) => option.text.text)).toContain('Add Jon Smyth (jon.smyth@waynedental.com) to the audience');
    const suggestion = options.find((option) => String(option.value).startsWith('pick:'));
    expect(suggestion?.description.text).toBeTruthy();

    const membersBefore = runtime.sandbox!.mailchimp.members().length;
    const submission = interactionBody(viewSubmissionPayload({
      userId: 'U_APPROVER',
      view: modal,
      values: { contact: { contact: { type: 'radio_buttons', selected_option: { value: 'add:jon.smyth@waynedental.com' } } }, email: { email: { type: 'email_text_input', value: null } } },
    }));
    expect((await post(submission)).status).toBe(200);
    await vi.waitFor(() => {
      const update = mock.callsTo('chat.update').filter((call) => call.args.ts === listTs).at(-1);
      expect(update).toBeDefined();
      expect(JSON.stringify(update!.args.blocks)).not.toContain('Wayne Dental');
    }, { timeout: 10_000 });
    const members = runtime.sandbox!.mailchimp.members();
    expect(members.length).toBe(membersBefore + 1);
    expect(members.some((member) => member.email_address === 'jon.smyth@waynedental.com')).toBe(true);
    const entry = (await runtime.services.listClients()).find((client) => client.name === 'Wayne Dental')!;
    expect(entry).toMatchObject({ state: 'linked', email: 'jon.smyth@waynedental.com', linkedBy: 'Alice Approver' });
  }, 30_000);
});

describe('Slack not configured', () => {
  it('mounts nothing and says so in one log line', async () => {
    const dataDir = await makeTempDir('integoreport-slack-off-');
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const routes = createRoutes();
    const config = loadConfig({ DATA_DIR: dataDir });
    const handle = await mountSlack(routes, { services: createFakeServices({ clock: systemClock }), config, logger, clock: systemClock });
    const server = await listen(routes, 0, '127.0.0.1');
    try {
      const body = slashCommandBody({ text: 'status', userId: 'U1', responseUrl: 'http://127.0.0.1:1/' });
      const response = await fetch(`${server.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(SECRET, body) }, body });
      expect(response.status).toBe(404);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!).msg).toContain('Slack is not configured');
    } finally {
      await handle.close();
      await server.close();
      await removeTempDir(dataDir);
    }
  });
});
