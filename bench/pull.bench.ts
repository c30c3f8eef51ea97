import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixedClock } from '../src/clock.js';
import { createFreshservice } from '../src/freshservice/index.js';
import { parsePeriod } from '../src/period/period.js';
import { startFreshserviceSandbox, seedWorld } from '../src/sandbox/index.js';
import { BUSY_ACME_MONTH } from './busy-month.js';
import { prototypePull } from './prototype-pull.js';

const ANCHOR = new Date('2026-11-20T12:00:00Z');
const CREDITS_PER_MINUTE = 200;
const LATENCY_MS = 150;

/**
 * Cold pull, warm re-pull and fault-injected pull of Acme's month before the anchor, made busy (about 540 tickets
 * created in it), ours against a replay of the prototype, one after the other, each on its own simulated Growth-plan account
 * (200 credits/min) with 150 ms latency. Time is scaled: a minute lasts 60/TIME_SCALE seconds, and so do
 * our timeouts, backoffs and the prototype's sleeps. Latency is not scaled.
 */
export async function run(): Promise<Record<string, unknown>> {
  const timeScale = Number(process.env.PULL_BENCH_TIME_SCALE ?? 30);
  const windowMs = 60_000 / timeScale;
  const creditsPerMs = CREDITS_PER_MINUTE / windowMs;
  const clock = fixedClock(ANCHOR.toISOString());
  const world = seedWorld({ anchor: ANCHOR, profile: BUSY_ACME_MONTH });
  const controls = { rateLimitPerWindow: CREDITS_PER_MINUTE, windowMs: 60_000, timeScale, latencyMs: LATENCY_MS };
  const ours = await startFreshserviceSandbox({ world: structuredClone(world), clock, controls });
  const theirs = await startFreshserviceSandbox({ world: structuredClone(world), clock, controls });
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'integoreport-pull-bench-'));
    dirs.push(dir);
    return dir;
  };
  const acme = world.departments.find((department) => department.name === 'Acme Corporation')!;
  const period = parsePeriod('2026-10', { timezone: 'UTC', now: ANCHOR });
  const connect = (dataDir: string) =>
    createFreshservice({
      baseUrl: ours.baseUrl,
      apiKey: ours.apiKey,
      dataDir,
      clock,
      timeoutMs: 30_000 / timeScale,
      retry: { baseDelayMs: 400 / timeScale, maxDelayMs: 8_000 / timeScale },
      // Latency is not time-scaled, so keeping the limiter (not latency) the bottleneck needs more calls in flight.
      rateLimit: { minuteMs: windowMs, maxConcurrent: 24 },
    });
  console.log(`pull.setup timeScale=${timeScale} (1 min = ${windowMs} ms) limit=${CREDITS_PER_MINUTE} credits/min latency=${LATENCY_MS}ms client=${acme.name} period=${period.key}`);

  try {
    const dataDir = await tempDir();
    const freshservice = connect(dataDir);
    let started = Date.now();
    const cold = await freshservice.puller.pull({ id: acme.id, name: acme.name }, period);
    const coldMs = Date.now() - started;
    const cold429 = ours.requests.filter((request) => request.status === 429).length;
    const idealMs = cold.credits / creditsPerMs;

    ours.resetRequests();
    started = Date.now();
    const warm = await freshservice.puller.pull({ id: acme.id, name: acme.name }, period);
    const warmMs = Date.now() - started;
    const warmCalls = ours.requests.length;

    Object.assign(ours.controls.faults, { serverErrorRate: 0.1, timeoutRate: 0.02, malformedRate: 0.02, rateLimitBurst: 10 });
    ours.resetRequests();
    started = Date.now();
    const faulty = await connect(await tempDir()).puller.pull({ id: acme.id, name: acme.name }, period);
    const faultyMs = Date.now() - started;
    const faults = ours.requests.filter((request) => request.status === 0 || request.status >= 500 || request.status === 429).length;
    Object.assign(ours.controls.faults, { serverErrorRate: 0, timeoutRate: 0, malformedRate: 0, rateLimitBurst: 0 });
    const identical = JSON.stringify({ ...faulty.dataset, pulledAt: '' }) === JSON.stringify({ ...cold.dataset, pulledAt: '' });

    console.log(`pull.cold ours: tickets=${cold.ticketCount} calls=${cold.calls} credits=${cold.credits} wall=${coldMs}ms 429s=${cold429}`);
    console.log(`pull.cold.wall ours=${coldMs}ms ideal(credits÷rate)=${Math.round(idealMs)}ms ratio=${(coldMs / idealMs).toFixed(2)} (target ≤ 1.20)`);
    console.log(`pull.warm calls=${warmCalls} credits=${warm.credits} wall=${warmMs}ms (target ≤ 3 calls)`);
    console.log(`pull.faulty injected=${faults} (5xx, timeouts, 429s) wall=${faultyMs}ms credits=${faulty.credits} identical=${identical}`);

    // The prototype runs after ours, not beside it: both sandboxes share this process, and its load would skew our pacing.
    const prototype = await prototypePull({
      baseUrl: theirs.baseUrl,
      apiKey: theirs.apiKey,
      departmentId: acme.id,
      firstDay: '2026-10-01',
      lastDay: '2026-10-31',
      timeScale,
    });
    const ratio = cold.credits / prototype.credits;
    console.log(`pull.cold prototype: tickets=${prototype.tickets} calls=${prototype.calls} credits=${prototype.credits} wall=${prototype.ms}ms 429s=${prototype.rateLimited} (sequential, 150 ms latency per call dominates)`);
    console.log(`pull.cold.credits ours=${cold.credits} prototype=${prototype.credits} ratio=${ratio.toFixed(2)} (target ≤ 0.50)`);
    console.log(`pull.cold.wall ours=${coldMs}ms prototype=${prototype.ms}ms ratio=${(coldMs / prototype.ms).toFixed(2)}`);
    const minutes = (credits: number) => (credits / CREDITS_PER_MINUTE).toFixed(1);
    console.log(`pull.cold.realWorld at least ${minutes(cold.credits)} min ours vs ${minutes(prototype.credits)} min prototype at ${CREDITS_PER_MINUTE} credits/min (unscaled)`);

    return {
      timeScale,
      ticketsOurs: cold.ticketCount,
      ticketsPrototype: prototype.tickets,
      coldCreditsOurs: cold.credits,
      coldCreditsPrototype: prototype.credits,
      creditRatio: Number(ratio.toFixed(3)),
      coldWallMsOurs: coldMs,
      coldWallMsPrototype: prototype.ms,
      coldWallOverIdeal: Number((coldMs / idealMs).toFixed(3)),
      cold429s: cold429,
      warmCalls,
      faultsInjected: faults,
      faultyIdentical: identical,
      pass: ratio <= 0.5 && coldMs <= 1.2 * idealMs && warmCalls <= 3 && identical,
    };
  } finally {
    await Promise.all([ours.close(), theirs.close()]);
    await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  }
}
