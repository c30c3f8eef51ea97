/**
 * `integoreport <command>`: every command, its arguments, options and help, on commander. A command's
 * code is imported only when it runs, so `help` and a mistyped flag answer without loading the services.
 */
import os from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_PERIOD, PERIOD_FORMS } from '../period/forms.js';
import type { Actor } from '../app/ports.js';
import type { Config } from '../config.js';
import type { CliRuntime, CliWiring, CommandContext, Environment, RuntimeNeeds } from './context.js';
import { describeFailure, type ExitCode, type UsageCode } from './errors.js';
import { Output, type CliStreams } from './output.js';

export interface CliOptions {
  streams: CliStreams;
  /** The settings' source; by default the process's environment and `.env`. */
  env?: Environment;
  wiring: CliWiring;
}

const PERIODS_HELP = `Periods: ${PERIOD_FORMS.map((form) => (form === DEFAULT_PERIOD ? `${form} (default)` : form)).join(', ')}, in TIMEZONE.`;

const FOOTER = `
${PERIODS_HELP}
A client is its name as you would say it ("Acme", "tyrell corp", quoted or not) or its id.
Exit codes: 0 done, 1 a service or data failure, 2 a usage problem. Results go to stdout, messages to stderr;
with --json, results are JSON on stdout and an error is {"error":{"code","message"}} on stderr.
The command line acts with the data folder's full rights. --as <who> records on whose behalf (the audit
log keeps it beside the operating-system user).`;

/** Commander's parse errors, by its codes. */
const COMMANDER_CODES: Record<string, UsageCode> = {
  'commander.unknownOption': 'unknown-option',
  'commander.unknownCommand': 'unknown-command',
  'commander.missingArgument': 'missing-argument',
  'commander.optionMissingArgument': 'missing-argument',
  'commander.missingMandatoryOptionValue': 'missing-argument',
  'commander.excessArguments': 'usage',
  'commander.invalidArgument': 'bad-argument',
};

/** "error: unknown option '--bogus'" → "Unknown option '--bogus'." plus where to look. */
function usageMessage(error: CommanderError, command: string | undefined): string {
  const sentence = error.message.replace(/^error: /, '');
  const help = command ? `integoreport ${command} --help` : 'integoreport help';
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}${/[.)]$/.test(sentence) ? '' : '.'} Run "${help}" for the usage.`;
}

function operator(as: string | undefined): Actor {
  const user = os.userInfo().username;
  return { platform: 'cli', id: as ?? user, name: as ?? user, osUser: user };
}

function buildProgram(out: Output, context: (command: Command, needs?: RuntimeNeeds) => CommandContext, streams: CliStreams): Command {
  const program = new Command('integoreport')
    .description('Monthly Freshservice service reports for MSP clients, sent through Mailchimp: the same use-cases as the chat bot.')
    .option('--json', 'print results as JSON (errors as {"error":{"code","message"}} on stderr)')
    .option('--as <who>', 'on whose behalf the operator acts (kept in the audit log)')
    .configureHelp({ showGlobalOptions: true, subcommandTerm: (command) => `${command.name()} ${command.usage().replace(/^\[options\] ?/, '')}`.trim() })
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
      outputError: () => undefined,
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText('after', FOOTER);

  const clientCommand = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .argument('<client...>', 'the client, then the period (default last-month)')
      .usage('[options] <client> [period]');

  program
    .command('clients')
    .description('list the clients and how each is linked to a Mailchimp contact')
    .option('--unlinked', 'only the clients that are not linked')
    .action(async (options: { unlinked?: boolean }, command: Command) => {
      const runtime = await context(command).runtime();
      await (await import('./commands/clients.js')).listClients(out, runtime.clients, options);
    });

  program
    .command('sync')
    .description('refresh the ticket mirror and the client directory')
    .action(async (_options: object, command: Command) => {
      await (await import('./commands/sync.js')).sync(context(command));
    });

  program
    .command('link')
    .description('link a client to an audience contact by hand (the same rules as the chat fix)')
    .argument('<client-and-email...>', 'the client, then the email address')
    .usage('[options] <client> <email>')
    .option('--add', 'add the contact to the Mailchimp audience first (as "add to audience" in chat)')
    .action(async (words: string[], options: { add?: boolean }, command: Command) => {
      const ctx = context(command);
      const runtime = await ctx.runtime();
      await (await import('./commands/clients.js')).link(out, runtime.clients, ctx.actor, words, options);
    });

  program
    .command('unlink')
    .description("remove a client's link")
    .argument('<client...>', 'the client')
    .usage('[options] <client>')
    .action(async (words: string[], _options: object, command: Command) => {
      const ctx = context(command);
      const runtime = await ctx.runtime();
      await (await import('./commands/clients.js')).unlink(out, runtime.clients, ctx.actor, words);
    });

  clientCommand('pull', "write the client's dataset for the period and print the API calls spent").action(async (words: string[], _options: object, command: Command) => {
    await (await import('./commands/reports.js')).pull(context(command), words);
  });

  clientCommand('generate', 'pull, compute and render the report').action(async (words: string[], _options: object, command: Command) => {
    // The context first: a command that prints has its printer starting while its code loads.
    const printing = context(command, { printing: true });
    await (await import('./commands/reports.js')).generate(printing, words);
  });

  program
    .command('metrics')
    .description('print the metrics of a dataset file (as written by pull)')
    .usage('--input <dataset.json> [options]')
    .requiredOption('--input <dataset.json>', 'the dataset file')
    .option('--period <period>', 'the period to count (default: the dataset\'s own)')
    .option('--as-of <iso>', 'the moment SLA clocks still running are measured at (default: now)')
    .addOption(new Option('--sla <mode>', 'due-by: Freshservice\'s due times; targets: the SLA targets by priority').choices(['due-by', 'targets']).default('due-by'))
    .action(async (options: { input: string; period?: string; asOf?: string; sla: 'due-by' | 'targets' }) => {
      await (await import('./commands/metrics.js')).metrics(out, options);
    });

  clientCommand('send', "send the period's newest report (generate it first), exactly once; a period already sent goes again only with --resend")
    .option('--resend', 'send a period that already went out again, as a second email')
    .option('--test-to <email>', 'send a test to this address instead')
    .action(async (words: string[], options: { testTo?: string; resend?: boolean }, command: Command) => {
      await (await import('./commands/reports.js')).send(context(command), words, options);
    });

  program
    .command('history')
    .description('the reports and sends of a client')
    .argument('<client...>', 'the client')
    .usage('[options] <client>')
    .action(async (words: string[], _options: object, command: Command) => {
      await (await import('./commands/reports.js')).history(context(command), words);
    });

  program
    .command('contract')
    .description('show or set the billable hours the client\'s contract includes a month')
    .argument('<client...>', 'the client, then the hours (a number, or none to remove the allowance)')
    .usage('[options] <client> [hours | none]')
    .action(async (words: string[], _options: object, command: Command) => {
      await (await import('./commands/contract.js')).contract(context(command), words);
    });

  program
    .command('map')
    .description('show or set which SentinelOne site or Microsoft 365 tenant a client\'s reports read')
    .argument('<client...>', 'the client, then the source (sentinelone or m365) and the site or tenant (name, id or domain), none, or auto')
    .usage('[options] <client> [<source> <target | none | auto>]')
    .action(async (words: string[], _options: object, command: Command) => {
      await (await import('./commands/map.js')).map(context(command), words);
    });

  program
    .command('digest')
    .description('the monthly digest: drafts for every linked client, posted to DIGEST_CHANNEL and Teams channels')
    .argument('[period]', 'the period (default last-month)')
    .option('--dry-run', 'print the digest as Slack would show it instead of posting it')
    .action(async (period: string | undefined, options: { dryRun?: boolean }, command: Command) => {
      await (await import('./commands/digest.js')).digest(context(command), period, options);
    });

  const sandbox = program.command('sandbox').description('the simulated Freshservice and Mailchimp of sandbox mode').usage('reset | outbox');
  sandbox
    .command('reset')
    .description('restore the seeded world and empty the outbox (also in the running bot)')
    .action(async (_options: object, command: Command) => {
      const ctx = context(command);
      await (await import('./commands/sandbox.js')).reset(out, await ctx.config(), ctx.resetSandbox);
    });
  sandbox
    .command('outbox')
    .description('list the emails the sandbox "delivered"')
    .action(async (_options: object, command: Command) => {
      await (await import('./commands/sandbox.js')).outbox(out, await context(command).config());
    });

  program
    .command('demo')
    .description('a guided run through the sandbox: clients, generate, send')
    .action(async (_options: object, command: Command) => {
      const printing = context(command, { printing: true });
      await (await import('./commands/demo.js')).demo(printing);
    });

  return program;
}

/**
 * Runs one command line and answers its exit code: 0 done, 1 a service or data failure, 2 a usage
 * problem. Never exits the process: `main` does that once the streams have drained.
 */
export async function runCli(argv: readonly string[], options: CliOptions): Promise<ExitCode> {
  const { streams, wiring } = options;
  const out = new Output(streams, argv.includes('--json'));
  let env: Promise<Environment> | undefined;
  let config: Promise<Config> | undefined;
  let runtime: Promise<CliRuntime> | undefined;
  const environment = () => (env ??= options.env ? Promise.resolve(options.env) : wiring.readEnvironment());
  const settings = () => (config ??= environment().then((values) => wiring.loadConfig(values)));
  const context = (command: Command, needs: RuntimeNeeds = {}): CommandContext => {
    wiring.anticipate(needs);
    return {
      out,
      actor: operator(command.optsWithGlobals<{ as?: string }>().as),
      config: settings,
      runtime: () => (runtime ??= settings().then(async (loaded) => wiring.openRuntime(loaded, await environment(), needs))),
      resetSandbox: (loaded) => wiring.resetSandbox(loaded),
    };
  };
  const program = buildProgram(out, context, streams);
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') return error.exitCode === 0 ? 0 : 2;
      const command = argv.find((word) => program.commands.some((candidate) => candidate.name() === word));
      out.failure({ code: COMMANDER_CODES[error.code] ?? 'usage', message: usageMessage(error, command) });
      return 2;
    }
    const failure = describeFailure(error);
    out.failure(failure);
    return failure.exitCode;
  } finally {
    if (runtime) await runtime.then((opened) => opened.close(), () => undefined);
  }
}
