/** `integoreport <command>`: the command line, with the runtime each command needs (and the embedded sandbox in sandbox mode). */
import { ConfigError, type Config } from '../config.js';
import { createLogger } from '../logger.js';
import { PeriodError } from '../period/period.js';
import { runCommand, UsageError, type CliRuntime, type Io } from '../cli/commands.js';
import { createDigestWiring } from './digest.js';
import { createRuntime } from './runtime.js';
import { startEmbeddedSandbox } from './sandbox.js';

/** Logs go to stderr, and only warnings and worse unless LOG_LEVEL is set. */
async function openRuntime(config: Config, env: Record<string, string | undefined>): Promise<CliRuntime> {
  const level = env.LOG_LEVEL === undefined ? 'warn' : config.logLevel;
  const logger = createLogger({ level, secrets: config.secrets, destination: { write: (line: string) => process.stderr.write(line) } });
  const runtime = await createRuntime({ config, logger, sandbox: await startEmbeddedSandbox(config) });
  return {
    services: runtime.services,
    clients: runtime.clients,
    puller: runtime.freshservice.puller,
    reports: runtime.reports,
    freshserviceCalls: () => runtime.freshservice.client.stats().calls,
    digest: () => createDigestWiring(runtime).publisher,
    close: () => runtime.close(),
  };
}

export function runCli(argv: string[], io: Io, env: Record<string, string | undefined> = process.env): Promise<number> {
  return runCommand(argv, io, env, openRuntime);
}

/** Runs one command and exits: known mistakes print one line (exit 2), failures of a service one sentence (exit 1). */
export async function main(argv: string[]): Promise<never> {
  const io: Io = { out: (text) => process.stdout.write(`${text}\n`), err: (text) => process.stderr.write(text.startsWith('\r') ? text : `${text}\n`) };
  try {
    process.exit(await runCli(argv, io));
  } catch (error) {
    const known = error instanceof UsageError || error instanceof ConfigError || error instanceof PeriodError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${known ? message : `integoreport: ${message}`}\n`);
    process.exit(known ? 2 : 1);
  }
}

if (process.argv[1]?.endsWith('src/compose/cli.ts')) await main(process.argv.slice(2));
