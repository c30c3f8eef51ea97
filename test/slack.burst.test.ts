import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAfterAckQueue } from '../src/chat/slack/after-ack.js';
import { createRoutes, listen, type HttpServer } from '../src/server/http.js';
import { mountSlack, type SlackHandle } from '../src/chat/slack/mount.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import { createFakeServices } from './support/fake-services.js';
import { slackSignature, slashCommandBody, startSlackMock, type SlackMock } from './support/slack-mock.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

describe('work after an ack under a burst of Slack requests', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits while requests keep arriving, then starts every piece in arrival order', async () => {
    vi.useFakeTimers();
    const queue = createAfterAckQueue({ quietMs: 5, maxDeferMs: 1_000 });
    const started: string[] = [];
    queue.arrived();
    void queue.turn().then(() => started.push('first'));
    for (let tick = 0; tick < 20; tick += 1) {
      await vi.advanceTimersByTimeAsync(3);
      queue.arrived();
    }
    void queue.turn().then(() => started.push('second'));
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(started).toEqual(['first', 'second']);
  });

  it('starts work that has waited the longest allowed even if requests never pause', async () => {
    vi.useFakeTimers();
    const queue = createAfterAckQueue({ quietMs: 5, maxDeferMs: 50 });
    let started = false;
    queue.arrived();
    void queue.turn().then(() => {
      started = true;
    });
    for (let tick = 0; tick < 30 && !started; tick += 1) {
      await vi.advanceTimersByTimeAsync(2);
      queue.arrived();
    }
    expect(started).toBe(true);
  });
});

describe('a burst of slash commands from one user over HTTP', () => {
  const SECRET = 'burst-signing-secret';
  let mock: SlackMock;
  let server: HttpServer;
  let slack: SlackHandle;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await makeTempDir('integoreport-slack-burst-');
    mock = await startSlackMock([{ id: 'U1', name: 'Burst User', email: 'burst@msp.example' }]);
    const routes = createRoutes();
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-burst', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: mock.apiUrl, DATA_DIR: dataDir });
    slack = await mountSlack(routes, { services: createFakeServices({ clock: systemClock, approvers: ['slack:U1'] }), config, logger: silentLogger, clock: systemClock });
    server = await listen(routes, 0, '127.0.0.1');
  });

  afterAll(async () => {
    await slack?.close();
    await server?.close();
    await mock?.close();
    await removeTempDir(dataDir);
  });

  it('acknowledges every command, reads the profile once and answers each with its own report', async () => {
    const months = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08'];
    const statuses = await Promise.all(
      months.map(async (month) => {
        const body = slashCommandBody({ text: `generate "Acme Corp" ${month}`, userId: 'U1', responseUrl: mock.responseUrl() });
        const response = await fetch(`${server.url}/slack/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(SECRET, body) },
          body,
        });
        return response.status;
      }),
    );
    expect(statuses).toEqual(months.map(() => 200));
    await slack.close();
    expect(mock.callsTo('users.info')).toHaveLength(1);
    expect(mock.callsTo('chat.postMessage')).toHaveLength(months.length);
    const cards = JSON.stringify(mock.callsTo('chat.update').map((call) => call.args));
    for (const month of ['January 2026', 'August 2026']) expect(cards).toContain(month);
  });
});
