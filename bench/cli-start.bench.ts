import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, runMain, waitForHealth } from '../test/support/bot-process.js';

const run$ = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const RUNS = 5;

/** The two ways to start the command line: the compiled build (`npx integoreport`) and the sources through tsx. */
const STARTS = {
  compiled: [path.join(root, 'bin', 'integoreport.js')],
  tsx: ['--import', 'tsx', path.join(root, 'bench', 'cli-tsx-entry.ts')],
} as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Wall time of `integoreport <args>` in a new process, `RUNS` times; the median in milliseconds. */
async function timed(start: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    await run$(process.execPath, [...start, ...args], { env, cwd: root, maxBuffer: 64 * 1024 * 1024 });
    times.push(performance.now() - started);
  }
  return Math.round(median(times));
}

/** `npm start` on the bench's data folder, until it answers /healthz; answers how to stop it. */
async function startBot(env: NodeJS.ProcessEnv): Promise<() => Promise<void>> {
  const port = await freePort();
  const bot = runMain({ ...(env as Record<string, string>), PORT: String(port) });
  if (!(await waitForHealth(port))?.ok) {
    bot.child.kill('SIGKILL');
    throw new Error(`the bot did not start: ${bot.output().stderr}`);
  }
  return async () => {
    bot.child.kill('SIGTERM');
    await bot.exited;
  };
}

/**
 * How fast the command line starts, in a new process as an operator runs it: `integoreport help`
 * (goal ≤ 300 ms) and a warm `generate` end to end, the mirror already filled (goal ≤ 1 s); the same
 * commands started through tsx for comparison, in the same run. In sandbox mode a command line alone starts
 * its own simulated services over the seeded world and its own Chromium; with `npm start` running it uses the
 * bot's services and the bot prints its PDF, so both are timed.
 */
export async function run(): Promise<Record<string, unknown>> {
  if (!existsSync(path.join(root, 'dist', 'bundle', 'cli.js'))) throw new Error('No build in dist/: run "npm run build" first.');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ir-bench-cli-start-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  try {
    const generate = ['generate', 'Acme', 'last-month', '--json'];
    // Seeds the sandbox's world and fills the ticket mirror: later generates are warm.
    await run$(process.execPath, [...STARTS.compiled, ...generate], { env, cwd: root, maxBuffer: 64 * 1024 * 1024 });
    const figures = {
      helpMs: await timed(STARTS.compiled, ['help'], env),
      helpTsxMs: await timed(STARTS.tsx, ['help'], env),
      warmGenerateMs: await timed(STARTS.compiled, generate, env),
      warmGenerateTsxMs: await timed(STARTS.tsx, generate, env),
      warmGenerateBotUpMs: 0,
      warmGenerateBotUpTsxMs: 0,
    };
    const stopBot = await startBot(env);
    try {
      figures.warmGenerateBotUpMs = await timed(STARTS.compiled, generate, env);
      figures.warmGenerateBotUpTsxMs = await timed(STARTS.tsx, generate, env);
    } finally {
      await stopBot();
    }
    console.log(`cli-start help: compiled ${figures.helpMs} ms (goal ≤ 300), through tsx ${figures.helpTsxMs} ms; median of ${RUNS} new processes`);
    console.log(`cli-start warm generate end to end, alone (its own simulated services and Chromium): compiled ${figures.warmGenerateMs} ms (goal ≤ 1000), through tsx ${figures.warmGenerateTsxMs} ms; median of ${RUNS}`);
    console.log(`cli-start warm generate end to end, npm start running (its services; the PDF printed by the bot): compiled ${figures.warmGenerateBotUpMs} ms (goal ≤ 1000), through tsx ${figures.warmGenerateBotUpTsxMs} ms; median of ${RUNS}`);
    return {
      ...figures,
      helpGoalMet: figures.helpMs <= 300,
      warmGenerateAloneGoalMet: figures.warmGenerateMs <= 1000,
      warmGenerateBotUpGoalMet: figures.warmGenerateBotUpMs <= 1000,
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await run());
