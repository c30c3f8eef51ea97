/**
 * `integoreport <command>`: the command line, with the runtime each command needs (and the embedded sandbox
 * in sandbox mode). Everything past the command table is imported when a command asks for it.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { PdfPrinter } from '../pdf/printer.js';
import type { Worker } from 'node:worker_threads';
import type { RunningBot } from './running-bot.js';
import type { EarlyStart } from './cli-early.js';
import type { CliRuntime, CliWiring, Environment, RuntimeNeeds } from '../cli/context.js';
import type { CliStreams } from '../cli/output.js';
import { runCli as runProgram } from '../cli/program.js';

/** How the command line runs: in a process of its own (`main`), or inside another program (tests). */
interface CliProcess {
  /** Work that can run beside the command (the printer) runs on threads of its own: only in a process of its own. */
  threads: boolean;
  /** The printing thread bin/integoreport.js started before this code loaded (src/compose/cli-early.ts). */
  printingThread?: Worker;
}

/** The printing thread a command that prints started before the settings were read (see CliWiring.anticipate). */
type EarlyThread = Worker | undefined;

/**
 * The running bot's printer when a bot runs on this data folder (its Chromium is already up); otherwise this
 * process's own, its browser started at once when the command will print, so that it starts while the rest loads.
 */
async function openPrinter(config: Config, logger: Logger, bot: RunningBot | undefined, needs: RuntimeNeeds, cli: CliProcess, early: EarlyThread): Promise<PdfPrinter> {
  const [{ createPdfPrinter }, { createThreadedPrinter }, { findChromium }] = await Promise.all([import('../pdf/printer.js'), import('../pdf/threaded-printer.js'), import('../pdf/chromium.js')]);
  const chromium = findChromium(config.pdf.chromiumPath);
  // A command prints one report: its browser closes meanwhile the report's last files are written.
  const local = (started?: Worker) => (cli.threads ? createThreadedPrinter({ chromium, logger, closeAfterPrint: true, started }) : createPdfPrinter({ chromium, logger }));
  if (bot?.printToken) {
    void early?.terminate();
    const { createBotPrinter } = await import('../pdf/bot-printer.js');
    return createBotPrinter({ botUrl: bot.url, token: bot.printToken, dataDir: config.dataDir, local: () => local(), logger });
  }
  const printer = local(early);
  if (needs.printing) printer.warmUp();
  return printer;
}

/**
 * Logs go to stderr, and only warnings and worse unless LOG_LEVEL is set. Every store of the data folder
 * is checked before anything is read from it or written: a broken one stops the command (a command that
 * prints has its browser starting meanwhile, closed again). When the bot runs on the same data folder, its
 * simulated services are used (one world, one outbox), it prints the reports, and report links point at it
 * unless PUBLIC_BASE_URL says otherwise.
 */
async function openRuntime(settings: Config, env: Environment, needs: RuntimeNeeds, cli: CliProcess, early: EarlyThread): Promise<CliRuntime> {
  const [{ findRunningBot }, { createLogger }] = await Promise.all([import('./running-bot.js'), import('../logger.js')]);
  const bot = await findRunningBot(settings.dataDir);
  const config = bot && !env.PUBLIC_BASE_URL?.trim() ? { ...settings, publicBaseUrl: bot.url } : settings;
  const level = env.LOG_LEVEL === undefined ? 'warn' : config.logLevel;
  const logger = createLogger({ level, secrets: config.secrets, destination: { write: (line: string) => process.stderr.write(line) } });
  const pdf = await openPrinter(config, logger, bot, needs, cli, early);
  try {
    await (await import('./data-folder.js')).checkDataFolder(settings.dataDir);
    const [{ createRuntime }, { startEmbeddedSandbox, sharedSandbox }] = await Promise.all([import('./runtime.js'), import('./sandbox.js')]);
    const sandbox = config.sandbox ? ((bot && sharedSandbox(bot)) ?? (await startEmbeddedSandbox(config))) : undefined;
    const runtime = await createRuntime({ config, logger, sandbox, pdf });
    return {
      services: runtime.services,
      clients: runtime.clients,
      puller: runtime.freshservice.puller,
      reports: runtime.reports,
      freshserviceCalls: () => runtime.freshservice.client.stats().calls,
      digest: async () => (await import('./digest.js')).createDigestWiring(runtime).publisher,
      close: () => runtime.close(),
    };
  } catch (error) {
    await pdf.close();
    throw error;
  }
}

function cliWiring(cli: CliProcess): CliWiring {
  let early: Promise<EarlyThread> | undefined;
  return {
    // A thread left unused when the command fails before opening its runtime ends with the process (`main` exits it).
    anticipate(needs) {
      if (!needs.printing || !cli.threads) return;
      const started = cli.printingThread;
      early ??= started ? Promise.resolve(started) : import('../pdf/threaded-printer.js').then(({ startPrintingThread }) => startPrintingThread());
    },
    async readEnvironment() {
      return (await import('../config.js')).readEnvironment();
    },
    async loadConfig(env) {
      return (await import('../config.js')).loadConfig(env);
    },
    openRuntime: async (config, env, needs) => openRuntime(config, env, needs, cli, await early),
    async resetSandbox(config) {
      const [{ findRunningBot }, { resetSharedSandbox }] = await Promise.all([import('./running-bot.js'), import('./sandbox.js')]);
      return { runningBot: await resetSharedSandbox(config.dataDir, (await findRunningBot(config.dataDir))?.sandbox) };
    },
  };
}

/** Runs one command line in this process, writing to `streams`; answers the exit code. `env`: the settings (default: the environment and `.env`). */
export function runCli(argv: readonly string[], streams: CliStreams, env?: Environment, cli: CliProcess = { threads: false }): Promise<number> {
  return runProgram(argv, { streams, env, wiring: cliWiring(cli) });
}

/** Resolves once everything written to `stream` so far has been handed to the operating system. */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) resolve();
    else stream.write('', () => resolve());
  });
}

/** Runs one command and exits with its code, but only after stdout and stderr have drained (so piped output is never cut). */
export async function main(argv: readonly string[], early: EarlyStart = {}): Promise<void> {
  // A reader that has read enough (`| head`) closes the pipe: what is left has nowhere to go, and that is not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  // Threads run the compiled JavaScript only: started from the sources through tsx, a thread would not have its loader.
  const code = await runCli(argv, process, undefined, { threads: !import.meta.url.endsWith('.ts'), printingThread: early.printingThread });
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}
