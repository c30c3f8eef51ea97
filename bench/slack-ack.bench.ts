/**
 * Slack acknowledgement latency: 50 concurrent signed `/integoreport generate …` commands on loopback,
 * measured from sending the request to receiving Bolt's ack, after one warm-up round. Goal: p99 < 100 ms.
 *
 * This process is the bot only: the real Bolt app mounted on our express server with fake use-case
 * services. The load generator (`slack-ack.client.ts`) and the mock Slack Web API (`slack-ack.mock.ts`)
 * each run in a child process, so neither the client nor the mock shares the bot's event loop or inflates
 * the figure with its own work. The work each command triggers (profile lookup, progress message, card)
 * runs as in production; after each burst the client waits until the bot has finished that work.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRoutes, listen } from '../src/server/http.js';
import { mountSlack } from '../src/chat/slack/mount.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { systemClock } from '../src/clock.js';
import { createFakeServices } from '../test/support/fake-services.js';
import type { ClientMessage, StartMessage } from './slack-ack.client.js';
import type { MockMessage } from './slack-ack.mock.js';

const SECRET = 'bench-signing-secret';
const CONCURRENCY = 50;
const ROUNDS = 5;
const TIME_LIMIT_MS = 60_000;

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function spawnHelper(file: string): ChildProcess {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), file);
  return fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T & { type: string; error?: string }) => {
      child.off('exit', onExit);
      if (message.type === 'failed') reject(new Error(`bench helper failed: ${message.error}`));
      else resolve(message);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`bench helper exited with ${code}`));
    };
    child.once('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function run(): Promise<Record<string, unknown>> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'integoreport-bench-slack-'));
  const mock = spawnHelper('slack-ack.mock.ts');
  const client = spawnHelper('slack-ack.client.ts');
  const deadline = setTimeout(() => {
    client.kill();
    mock.kill();
  }, TIME_LIMIT_MS);
  let server: Awaited<ReturnType<typeof listen>> | undefined;
  let slack: Awaited<ReturnType<typeof mountSlack>> | undefined;
  const latencies: number[] = [];
  let cpuMicros = 0;
  let workDoneMs: number[] = [];
  let calls: Record<string, number> = {};
  try {
    const [ready] = await Promise.all([nextMessage<MockMessage>(mock), nextMessage<ClientMessage>(client)]);
    if (ready.type !== 'ready') throw new Error(`unexpected ${ready.type} from the mock Slack API`);
    const routes = createRoutes();
    const config = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: ready.apiUrl, DATA_DIR: dataDir });
    const services = createFakeServices({ clock: systemClock, approvers: ['slack:U1'] });
    slack = await mountSlack(routes, { services, config, logger: silentLogger, clock: systemClock });
    server = await listen(routes, 0, '127.0.0.1');
    const start: StartMessage = { type: 'start', url: server.url, secret: SECRET, concurrency: CONCURRENCY, rounds: ROUNDS, responseUrlBase: ready.responseUrlBase };
    let cpuBefore = process.cpuUsage();
    client.send(start);
    for (;;) {
      const message = await nextMessage<ClientMessage>(client);
      if (message.type === 'done') {
        workDoneMs = message.workDoneMs;
        break;
      }
      if (message.type !== 'round') throw new Error(`unexpected ${message.type} from the load generator`);
      await slack.close();
      const cpu = process.cpuUsage(cpuBefore);
      if (message.round > 0) {
        latencies.push(...message.latencies);
        cpuMicros += cpu.user + cpu.system;
      }
      cpuBefore = process.cpuUsage();
      client.send({ type: 'drained' });
    }
    mock.send({ type: 'count' });
    const counted = await nextMessage<MockMessage>(mock);
    if (counted.type === 'calls') calls = counted.calls;
  } finally {
    clearTimeout(deadline);
    if (client.connected) client.disconnect();
    if (mock.connected) mock.disconnect();
    await slack?.close();
    await server?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  const commands = CONCURRENCY * (ROUNDS + 1);
  const posted = calls['chat.postMessage'] ?? 0;
  if (posted < commands) throw new Error(`only ${posted} progress messages posted for ${commands} commands: the work after the ack did not run`);
  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = percentile(sorted, 0.5);
  const p99 = percentile(sorted, 0.99);
  const load = os.loadavg()[0]!.toFixed(2);
  const slowestBurstMs = Math.max(...workDoneMs);
  // CPU of the bot process only, for one command end to end (ack, profile lookup, progress and card):
  // independent of other load on the machine.
  const cpuPerCommandMs = cpuMicros / 1000 / sorted.length;
  console.log(`slack.ack.bot_cpu_per_command_ms=${cpuPerCommandMs.toFixed(2)} (ack and the work after it; client and mock Slack API in other processes)`);
  console.log(`slack.ack.burst_all_work_done_ms=${slowestBurstMs.toFixed(1)} (slowest burst, first send to last card; Slack API calls ${JSON.stringify(calls)})`);
  console.log(`slack.ack.concurrent=${CONCURRENCY} requests=${sorted.length} p50_ms=${p50.toFixed(1)} p99_ms=${p99.toFixed(1)} max_ms=${sorted.at(-1)!.toFixed(1)} goal_p99_ms=100 ${p99 < 100 ? 'ok' : 'MISSED'} (cpus=${os.cpus().length} load1=${load})`);
  return { concurrency: CONCURRENCY, requests: sorted.length, p50Ms: p50, p99Ms: p99, maxMs: sorted.at(-1), goalP99Ms: 100, met: p99 < 100, cpuPerCommandMs, burstAllWorkDoneMs: slowestBurstMs, cpus: os.cpus().length, load1: Number(load) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
