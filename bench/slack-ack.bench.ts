/**
 * Slack acknowledgement latency: 50 concurrent signed `/integoreport generate …` commands on loopback,
 * measured from sending the request to receiving Bolt's ack, after one warm-up round. The work each
 * command triggers (profile lookup, progress message, card) runs in between, as in production. Goal: p99 < 100 ms.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createHttpApp, listen } from '../src/server/http.js';
import { mountSlack } from '../src/chat/slack/app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import { createFakeServices } from '../test/support/fake-services.js';
import { slackSignature, slashCommandBody, startSlackMock } from '../test/support/slack-mock.js';

const SECRET = 'bench-signing-secret';
const CONCURRENCY = 50;
const ROUNDS = 5;

/** POSTs with node:http on a keep-alive agent (lighter than fetch, so the client disturbs the figure less). */
function post(agent: http.Agent, url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

export async function run(): Promise<Record<string, unknown>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'integoreport-bench-slack-'));
  const mock = await startSlackMock([{ id: 'U1', name: 'Bench User', email: 'bench@msp.example' }]);
  const app = createHttpApp();
  const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: mock.apiUrl, DATA_DIR: dataDir });
  const services = createFakeServices({ clock: systemClock, approvers: ['U1'] });
  const slack = await mountSlack(app, { services, config, logger: silentLogger, clock: systemClock });
  const server = await listen(app, 0, '127.0.0.1');
  const latencies: number[] = [];
  let cpuMicros = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    for (let round = 0; round <= ROUNDS; round += 1) {
      const measured = round > 0;
      const cpuBefore = process.cpuUsage();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, index) => {
          const body = slashCommandBody({ text: `generate "Acme Corp" 2026-${String((index % 12) + 1).padStart(2, '0')}`, userId: 'U1', responseUrl: mock.responseUrl() });
          const started = performance.now();
          const status = await post(agent, `${server.url}/slack/events`, body, { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(SECRET, body) });
          if (status !== 200) throw new Error(`ack failed with ${status}`);
          if (measured) latencies.push(performance.now() - started);
        }),
      );
      await slack.close();
      const cpu = process.cpuUsage(cpuBefore);
      if (measured) cpuMicros += cpu.user + cpu.system;
    }
  } finally {
    agent.destroy();
    await slack.close();
    await server.close();
    await mock.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 0.5);
  const p99 = percentile(sorted, 0.99);
  const load = os.loadavg()[0]!.toFixed(2);
  // CPU for one command end to end (ack, profile lookup, progress and card, plus the mock Slack API and
  // the load generator in this process): independent of other load on the machine.
  const cpuPerCommandMs = cpuMicros / 1000 / sorted.length;
  console.log(`slack.ack.cpu_per_command_ms=${cpuPerCommandMs.toFixed(2)} (whole process, incl. mock Slack API and client)`);
  console.log(`slack.ack.concurrent=${CONCURRENCY} requests=${sorted.length} p50_ms=${p50.toFixed(1)} p99_ms=${p99.toFixed(1)} max_ms=${sorted.at(-1)!.toFixed(1)} goal_p99_ms=100 ${p99 < 100 ? 'ok' : 'MISSED'} (cpus=${os.cpus().length} load1=${load})`);
  return { concurrency: CONCURRENCY, requests: sorted.length, p50Ms: p50, p99Ms: p99, maxMs: sorted.at(-1), goalP99Ms: 100, met: p99 < 100, cpuPerCommandMs, cpus: os.cpus().length, load1: Number(load) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
