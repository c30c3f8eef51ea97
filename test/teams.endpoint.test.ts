import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import { startBot, type BotProcess } from '../src/compose/bot-process.js';
import { startEmbeddedSandbox } from '../src/compose/sandbox.js';
import { ConversationStore } from '../src/store/conversations.js';
import { createRoutes, listen, type HttpServer } from '../src/server/http.js';
import { mountTeams, type TeamsMount } from '../src/chat/teams/mount.js';
import { createFakeServices } from './support/fake-services.js';
import { externalIPv4 } from './support/network.js';
import { REAL_SERVICES } from './support/settings.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

/** An address the attacker controls: nothing may ever be sent there. */
const ATTACKER = 'https://attacker.example';

function activity(serviceUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message',
    id: `in-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl,
    text: 'clients',
    from: { id: '29:attacker', name: 'Mallory', aadObjectId: '00000000-0000-0000-0000-0000000000aa' },
    recipient: { id: '28:integoreport', name: 'IntegoReport' },
    conversation: { id: 'a:attack', conversationType: 'personal', tenantId: 'tenant-1' },
    ...extra,
  };
}

async function post(url: string, body: object, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
}

/** Log lines as objects, with the logger the bot process would use. */
function capturedLogger() {
  const lines: Array<Record<string, any>> = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { lines, logger };
}

describe('Teams endpoint with real services and no Microsoft credentials', () => {
  let dataDir: string;
  let bot: BotProcess;
  const log = capturedLogger();

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    dataDir = await makeTempDir('integoreport-teams-off-');
    bot = await startBot({ config: loadConfig({ ...REAL_SERVICES, APPROVERS: 'ops@msp.example', DATA_DIR: dataDir }), logger: log.logger, port: 0, host: '127.0.0.1', jobs: false });
  }, 30_000);

  afterAll(async () => {
    await bot?.close();
    nock.cleanAll();
    nock.enableNetConnect();
    await removeTempDir(dataDir);
  });

  it('does not exist (404), sends nothing to the activity\'s serviceUrl, and the start-up log says Teams is off and why', async () => {
    const attacker = nock(ATTACKER).post(/.*/).reply(201, { id: 'x' }).get(/.*/).reply(200, {});
    const answer = await post(bot.http.url, activity(`${ATTACKER}/`));
    expect(answer.status).toBe(404);
    const invoke = await post(bot.http.url, activity(`${ATTACKER}/`, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'client.fix.submit', data: { action: 'client.fix.submit', value: '{"clientId":1}', contact: 'add-email', email: 'mallory@attacker.example' } } },
    }));
    expect(invoke.status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(attacker.isDone()).toBe(false);
    expect(nock.pendingMocks()).toHaveLength(2);

    const off = log.lines.find((line) => /Teams is off/.test(line.msg));
    expect(off?.msg).toMatch(/MICROSOFT_APP_ID/);
    expect(off?.msg).toMatch(/sandbox/);
    expect((await fetch(`${bot.http.url}/`)).status).toBe(404);
  });
});

describe('Teams endpoint in sandbox mode (the local playground channel)', () => {
  let dataDir: string;
  let bot: BotProcess;
  const log = capturedLogger();

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost|192\.0\.2\.|10\.|172\.|192\.168\./);
    dataDir = await makeTempDir('integoreport-teams-local-');
    const config = loadConfig({ DATA_DIR: dataDir, APPROVERS: 'you@sandbox-msp.example' });
    bot = await startBot({ config, logger: log.logger, sandbox: await startEmbeddedSandbox(config), port: 0, host: '0.0.0.0', jobs: false });
  }, 60_000);

  afterEach(() => {
    nock.cleanAll();
  });

  afterAll(async () => {
    await bot?.close();
    nock.enableNetConnect();
    await removeTempDir(dataDir);
  });

  const playgroundServiceUrl = () => `${bot.http.url}/playground/connector/`;

  it('answers an activity from the playground on this computer', async () => {
    const conversation = { id: 'playground-endpoint-test', conversationType: 'personal', tenantId: 'playground' };
    const answer = await post(bot.http.url, activity(playgroundServiceUrl(), { conversation, text: 'help' }));
    expect(answer.status).toBe(200);
  });

  it('refuses (403 "unauthorised") an activity whose serviceUrl is anywhere but this server\'s playground, and calls nothing', async () => {
    const attacker = nock(ATTACKER).post(/.*/).reply(201, { id: 'x' }).get(/.*/).reply(200, {});
    const other = await listen(createRoutes(), 0, '127.0.0.1');
    try {
      const warningsBefore = log.lines.filter((line) => line.level === 40).length;
      for (const serviceUrl of [`${ATTACKER}/`, `${other.url}/playground/connector/`, `${bot.http.url}/elsewhere/`, 'not a url']) {
        expect(await post(bot.http.url, activity(serviceUrl)), serviceUrl).toEqual({ status: 403, text: 'unauthorised' });
      }
      const warnings = log.lines.filter((line) => line.level === 40).slice(warningsBefore);
      expect(warnings).toHaveLength(4);
      expect(warnings.every((line) => line.surface === 'teams' && typeof line.reason === 'string' && !JSON.stringify(line).includes('\n    at '))).toBe(true);
    } finally {
      await other.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(attacker.isDone()).toBe(false);
  });

  it('refuses an activity relayed by a proxy on this computer', async () => {
    expect(await post(bot.http.url, activity(playgroundServiceUrl()), { 'x-forwarded-for': '203.0.113.9' })).toEqual({ status: 403, text: 'unauthorised' });
  });

  it.skipIf(!externalIPv4())('refuses an activity from another computer, even with the playground\'s serviceUrl', async () => {
    const port = new URL(bot.http.url).port;
    const fromOutside = await post(`http://${externalIPv4()}:${port}`, activity(playgroundServiceUrl()));
    expect(fromOutside).toEqual({ status: 403, text: 'unauthorised' });
  });
});

describe('Teams endpoint with Microsoft credentials', () => {
  let dataDir: string;
  let server: HttpServer;
  let teams: TeamsMount;
  let conversations: ConversationStore;
  const log = capturedLogger();

  beforeAll(async () => {
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    // Bot Framework's signing keys cannot be fetched (as when its DNS name does not resolve).
    nock('https://login.botframework.com').persist().get(/.*/).replyWithError({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND login.botframework.com' });
    // The bot's own token for outgoing calls is granted, so nothing but our rules stands between it and a serviceUrl.
    nock('https://login.microsoftonline.com').persist().post(/\/oauth2\/v2\.0\/token/).reply(200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: 'granted' });
    dataDir = await makeTempDir('integoreport-teams-creds-');
    const routes = createRoutes();
    server = await listen(routes, 0, '127.0.0.1');
    const config = loadConfig({
      DATA_DIR: dataDir,
      MICROSOFT_APP_ID: '5f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
      MICROSOFT_APP_PASSWORD: 'test-client-secret-value',
      MICROSOFT_APP_TENANT_ID: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
      REPORT_LINK_SECRET: 'teams-creds-link-secret-0123456789',
    });
    conversations = new ConversationStore(dataDir, systemClock);
    teams = await mountTeams(routes, { services: createFakeServices({ clock: systemClock }), config, logger: log.logger, clock: systemClock, conversations });
  });

  afterAll(async () => {
    await teams?.close();
    await server?.close();
    nock.cleanAll();
    nock.enableNetConnect();
    await removeTempDir(dataDir);
  });

  it('refuses an activity it cannot authenticate with 401 "unauthorised", one warn line and no stack, and calls nothing', async () => {
    const attacker = nock(ATTACKER).post(/.*/).reply(201, { id: 'x' }).get(/.*/).reply(200, {});
    const before = log.lines.length;
    expect(await post(server.url, activity(`${ATTACKER}/`))).toEqual({ status: 401, text: 'unauthorised' });
    expect(await post(server.url, activity(`${ATTACKER}/`), { authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln' })).toEqual({ status: 401, text: 'unauthorised' });
    const lines = log.lines.slice(before);
    expect(lines.map((line) => line.level)).toEqual([40, 40]);
    expect(lines.every((line) => line.surface === 'teams' && !JSON.stringify(line).includes('\n    at '))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(attacker.isDone()).toBe(false);
  });

  it('never posts proactively to a conversation it did not hear about through Bot Framework', async () => {
    const attacker = nock(ATTACKER).post(/.*/).reply(201, { id: 'x' });
    await conversations.remember({
      address: { channelId: 'msteams', serviceUrl: `${ATTACKER}/`, conversation: { id: '19:planted@thread.tacv2', conversationType: 'channel' }, bot: { id: '28:integoreport' } },
      scope: 'channel',
      heardThrough: 'local',
    });
    const result = await teams.postProactive('19:planted@thread.tacv2', { kind: 'notice', text: 'Monthly digest' });
    expect(result.delivered).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(attacker.isDone()).toBe(false);
  });
});
