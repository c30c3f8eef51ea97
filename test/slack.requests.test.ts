import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRoutes, listen, type HttpServer } from '../src/server/http.js';
import { mountSlack, type SlackHandle } from '../src/chat/slack/mount.js';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import { createFakeServices, type FakeServices } from './support/fake-services.js';
import { slackSignature, slashCommandBody, startSlackMock, type SlackMock } from './support/slack-mock.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const SECRET = 'requests-signing-secret';

/** One bot process on a data folder: its HTTP server, Slack surface and log lines. */
interface BotUnderTest {
  server: HttpServer;
  slack: SlackHandle;
  lines: Array<Record<string, any>>;
  close(): Promise<void>;
}

describe('Slack request authenticity: timestamps, replays across restarts, retries', () => {
  let mock: SlackMock;
  let dataDir: string;
  let config: Config;
  let services: FakeServices;
  let bot: BotUnderTest | undefined;

  async function startBot(): Promise<BotUnderTest> {
    const lines: Array<Record<string, any>> = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    const routes = createRoutes();
    const slack = await mountSlack(routes, { services, config, logger, clock: systemClock });
    const server = await listen(routes, 0, '127.0.0.1');
    return {
      server,
      slack,
      lines,
      async close() {
        await slack.close();
        await server.close();
      },
    };
  }

  beforeAll(async () => {
    dataDir = await makeTempDir('integoreport-slack-requests-');
    mock = await startSlackMock([{ id: 'U_STAFF', name: 'Sam Staff', email: 'sam@msp.example' }]);
    config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-requests', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: mock.apiUrl, DATA_DIR: dataDir });
    services = createFakeServices({ clock: systemClock });
  });

  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  afterAll(async () => {
    await mock?.close();
    await removeTempDir(dataDir);
  });

  async function post(server: HttpServer, body: string, headers: Record<string, string>) {
    const response = await fetch(`${server.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    return { status: response.status, text: await response.text() };
  }

  function generateBody(text: string): string {
    return slashCommandBody({ text, userId: 'U_STAFF', responseUrl: mock.responseUrl() });
  }

  it('refuses a timestamp more than 5 minutes in the future with 401 "unauthorised" and one warn line without a stack', async () => {
    bot = await startBot();
    const body = generateBody('generate Acme 2026-10');
    const future = Math.floor(Date.now() / 1000) + 6 * 60;
    const refused = await post(bot.server, body, slackSignature(SECRET, body, future));
    expect(refused).toEqual({ status: 401, text: 'unauthorised' });
    const warnings = bot.lines.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ surface: 'slack', reason: expect.stringContaining('timestamp') });
    expect(JSON.stringify(warnings[0])).not.toMatch(/stack|\n\s+at /);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(services.generateCalls).toBe(0);

    const pastTheWindow = await post(bot.server, body, slackSignature(SECRET, body, Math.floor(Date.now() / 1000) - 6 * 60));
    expect(pastTheWindow).toEqual({ status: 401, text: 'unauthorised' });
    const withinTheWindow = await post(bot.server, body, slackSignature(SECRET, body, Math.floor(Date.now() / 1000) + 4 * 60));
    expect(withinTheWindow.status).toBe(200);
    await vi.waitFor(() => expect(services.generateCalls).toBe(1));
  });

  /** Has a bot handle a signed `generate` command, restarts it on the same data folder, and returns the request. */
  async function handledBeforeRestart(text: string): Promise<{ restarted: BotUnderTest; body: string; headers: Record<string, string>; before: number }> {
    const body = generateBody(text);
    const headers = slackSignature(SECRET, body);
    const first = await startBot();
    bot = first;
    const before = services.generateCalls;
    expect((await post(first.server, body, headers)).status).toBe(200);
    await vi.waitFor(() => expect(services.generateCalls).toBe(before + 1));
    await first.close();
    const restarted = await startBot();
    bot = restarted;
    return { restarted, body, headers, before };
  }

  it('a signed request replayed after a restart is refused and does not run again', async () => {
    const { restarted, body, headers, before } = await handledBeforeRestart('generate Initech 2026-09');
    const replayed = await post(restarted.server, body, headers);
    expect(replayed).toEqual({ status: 401, text: 'unauthorised' });
    expect(restarted.lines.filter((line) => line.level === 40)).toEqual([expect.objectContaining({ surface: 'slack', reason: expect.stringContaining('replay') })]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(services.generateCalls).toBe(before + 1);
  });

  it('a Slack retry of a request already handled (before a restart) is answered 200 and does not run twice', async () => {
    const { restarted, body, headers, before } = await handledBeforeRestart('generate Globex 2026-08');
    const sameSignature = await post(restarted.server, body, { ...headers, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(sameSignature.status).toBe(200);
    const reSigned = await post(restarted.server, body, { ...slackSignature(SECRET, body, Math.floor(Date.now() / 1000) + 1), 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' });
    expect(reSigned.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(services.generateCalls).toBe(before + 1);
  });

  it('two processes on the same data folder share what they have seen', async () => {
    bot = await startBot();
    const second = await startBot();
    try {
      const body = generateBody('generate Acme 2026-07');
      const headers = slackSignature(SECRET, body);
      const before = services.generateCalls;
      const answers = await Promise.all([post(bot.server, body, headers), post(second.server, body, headers)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
      await vi.waitFor(() => expect(services.generateCalls).toBe(before + 1));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(services.generateCalls).toBe(before + 1);
    } finally {
      await second.close();
    }
  });

  it('a request without a valid signature gets only "unauthorised"', async () => {
    bot = await startBot();
    const body = generateBody('status');
    expect(await post(bot.server, body, {})).toEqual({ status: 401, text: 'unauthorised' });
    expect(await post(bot.server, body, slackSignature('not-the-secret', body))).toEqual({ status: 401, text: 'unauthorised' });
    expect(bot.lines.filter((line) => line.level === 40)).toHaveLength(2);
  });
});
