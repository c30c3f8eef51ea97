import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { createRuntime } from '../src/compose/runtime.js';
import { startEmbeddedSandbox } from '../src/compose/sandbox.js';
import { monthStartUtc } from '../src/sandbox/index.js';
import { BUSY_ACME_MONTH } from './busy-month.js';
import { prototypePull } from './prototype-pull.js';

const run$ = promisify(execFile);
const TIME_SCALE = 60;
const LATENCY_MS = 150;

/**
 * `integoreport generate` for a 500-ticket client-month on a warm mirror: wall time end to end (a new
 * CLI process, as an operator runs it) and Freshservice calls, against the prototype's calls for the
 * same client-month. Goals: ≤ 3 s and ≤ 3 Freshservice calls.
 */
export async function run(): Promise<Record<string, unknown>> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ir-bench-generate-'));
  const env = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' } as Record<string, string>;
  for (const name of ['FRESHSERVICE_DOMAIN', 'FRESHSERVICE_API_KEY', 'MAILCHIMP_API_KEY', 'MAILCHIMP_AUDIENCE_ID']) delete env[name];
  try {
    const config = loadConfig(env);
    const runtime = await createRuntime({
      config,
      logger: silentLogger,
      sandbox: await startEmbeddedSandbox(config, undefined, { profile: BUSY_ACME_MONTH, controls: { rateLimitPerWindow: 200, timeScale: TIME_SCALE, latencyMs: LATENCY_MS } }),
    });
    const acme = (await runtime.services.findClient('Acme Corporation')) as { kind: 'found'; client: { id: number; name: string } };
    const period = runtime.services.parsePeriod('last-month');
    const actor = { platform: 'cli' as const, id: 'bench', name: 'bench' };
    await runtime.services.generateReport(actor, { clientId: acme.client.id, period });
    const before = runtime.freshservice.client.stats();
    const started = performance.now();
    const warm = await runtime.services.generateReport(actor, { clientId: acme.client.id, period });
    const inProcessMs = performance.now() - started;
    const inProcessCalls = runtime.freshservice.client.stats().calls - before.calls;

    const first = new Date(monthStartUtc(period.from.getTime()));
    const last = new Date(period.to.getTime() - 86_400_000).toISOString().slice(0, 10);
    const prototype = await prototypePull({
      baseUrl: runtime.sandbox!.freshservice.baseUrl,
      apiKey: runtime.sandbox!.freshservice.apiKey,
      departmentId: acme.client.id,
      firstDay: first.toISOString().slice(0, 10),
      lastDay: last,
      timeScale: TIME_SCALE,
    });
    await runtime.close();

    const cliStarted = performance.now();
    const { stdout } = await run$(process.execPath, [path.resolve('bin/integoreport.js'), 'generate', 'Acme Corporation', period.key, '--json'], { env });
    const cliMs = performance.now() - cliStarted;
    const cli = JSON.parse(stdout) as { freshserviceCalls: number; ticketCount: number };

    const figures = {
      tickets: warm.ticketCount,
      warmInProcessMs: Math.round(inProcessMs),
      warmInProcessCalls: inProcessCalls,
      warmCliMs: Math.round(cliMs),
      warmCliCalls: cli.freshserviceCalls,
      prototypeCalls: prototype.calls,
      prototypeCredits: prototype.credits,
    };
    console.log(`generate.warm tickets=${figures.tickets} cli=${figures.warmCliMs} ms (goal ≤ 3000) in-process=${figures.warmInProcessMs} ms`);
    console.log(`generate.warm freshservice calls: cli=${figures.warmCliCalls} in-process=${figures.warmInProcessCalls} (goal ≤ 3); prototype for the same client-month=${figures.prototypeCalls} calls, ${figures.prototypeCredits} credits`);
    return figures;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await run());
