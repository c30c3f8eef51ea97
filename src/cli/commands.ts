import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { readJsonFile } from '../store/files.js';
import type { Actor, BotServices, ReportSummary } from '../app/ports.js';
import type { ClientUseCases } from '../app/clients.js';
import type { DigestPublisher } from '../chat/digest-publisher.js';
import type { Puller } from '../freshservice/puller.js';
import type { ReportStore } from '../store/reports.js';
import type { ClientEntry } from '../clients/types.js';
import { formatClientTable, runClientCommand } from './clients.js';
import { formatPullSummary } from '../freshservice/puller.js';
import { computeMetrics } from '../report/metrics.js';
import { parsePeriod, periodFromRange, type Period } from '../period/period.js';
import { DEFAULT_PERIOD, PERIOD_FORMS, splitTrailingPeriod } from '../period/forms.js';
import type { Dataset } from '../sources/helpdesk.js';
import { readSandboxOutbox, resetSandbox, sandboxFiles } from '../sandbox/index.js';
import { formatSendOutcome } from '../app/send-format.js';
import { reportFor } from '../app/report-for.js';
import { contractHours } from '../app/commands.js';
import { digestAsText, digestViews } from '../chat/views/digest.js';
import { SLACK_COMMAND_PREFIX } from '../chat/slack/render.js';

/** A mistake in how the CLI was called; printed as one line, exit code 2. */
export class UsageError extends Error {}

const USAGE = `Usage: integoreport <command> [options]   (every command takes --json)

  clients [--unlinked]                 list the clients and how each is linked to Mailchimp
  sync                                 refresh the ticket mirror and the client directory
  link <client> <email>                link a client to an audience contact
  unlink <client>                      remove a client's link
  pull <client> [period]               write the client's dataset for the period
  generate <client> [period]           pull, compute and render the report
  metrics --input <dataset.json> [--period P] [--as-of ISO] [--sla due-by|targets]
  send <client> [period] [--test-to email]
                                       send the period's report: the one already sent, else the newest
                                       draft (generating one if there is none)
  history <client>                     reports and sends of a client
  contract <client> [hours | none]     show or set the billable hours the client's contract includes a month
  digest [period] [--dry-run]          the monthly digest: drafts for every linked client, posted to
                                       DIGEST_CHANNEL and Teams channels (--dry-run prints it instead)
  sandbox reset | sandbox outbox       restore the seeded sandbox; list the emails it "delivered"
  demo                                 a guided run through the sandbox: clients, generate, send

Periods: ${PERIOD_FORMS.map((form) => (form === DEFAULT_PERIOD ? `${form} (default)` : form)).join(', ')}
The command line acts with the data folder's full rights. --as <who> records on whose behalf (the audit
log keeps it beside the operating-system user).`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** What the commands work with once the configuration is known: the use-cases and the stores they read. */
export interface CliRuntime {
  services: BotServices;
  clients: ClientUseCases;
  puller: Pick<Puller, 'pull' | 'syncMirror'>;
  reports: ReportStore;
  /** Freshservice calls made so far by this process. */
  freshserviceCalls(): number;
  /** The monthly digest's publisher, built when a command needs it. */
  digest(): DigestPublisher;
  close(): Promise<void>;
}

/** Builds the runtime for a configuration; `env` decides how much is logged. */
export type OpenRuntime = (config: Config, env: Record<string, string | undefined>) => Promise<CliRuntime>;

/** The operator: acts with the data folder's full rights; `--as` says on whose behalf, the audit log keeps both. */
function cliActor(as?: string): Actor {
  const user = os.userInfo().username;
  return { platform: 'cli', id: as ?? user, name: as ?? user, osUser: user };
}

async function resolveClient(runtime: CliRuntime, text: string | undefined): Promise<ClientEntry> {
  if (!text) throw new UsageError('Name the client, e.g. "Acme" or its id.');
  const lookup = await runtime.services.findClient(text);
  if (lookup.kind === 'found') return lookup.client;
  if (lookup.kind === 'ambiguous') {
    throw new UsageError(`"${text}" matches several clients: ${lookup.candidates.map((entry) => `${entry.name} (${entry.id})`).join(', ')}. Use the full name or the id.`);
  }
  const closest = lookup.suggestions.map((entry) => entry.name);
  throw new UsageError(`No client matches "${text}".${closest.length ? ` Closest: ${closest.join(', ')}.` : ''}`);
}

/** Splits "<client words…> [period]" with the same rule as chat commands. */
function clientAndPeriod(words: string[]): { clientText: string; periodText?: string } {
  const { rest, period } = splitTrailingPeriod(words, (word) => word);
  return { clientText: rest.join(' '), periodText: period };
}

function progressPrinter(io: Io, json: boolean): ((update: { text: string }) => void) | undefined {
  if (json || !process.stderr.isTTY) return undefined;
  return (update) => io.err(`\r${update.text.padEnd(60)}`);
}

function reportLines(report: ReportSummary): string[] {
  return [
    `${report.client.name} — ${report.period.label} (report ${report.id})`,
    ...report.figures.map((figure) => `  ${figure.label.padEnd(16)} ${figure.value}${figure.change ? `  (${figure.change})` : ''}`),
    `Web report: ${report.viewUrl}`,
    ...(report.pdfUrl ? [`PDF: ${report.pdfUrl}`] : []),
    report.recipient ? `Recipient: ${report.recipient}${report.copyTo ? ` (copy to ${report.copyTo})` : ''}` : 'Recipient: none linked yet',
  ];
}

async function periodReportOrNew(runtime: CliRuntime, actor: Actor, client: ClientEntry, period: Period, io: Io, json: boolean): Promise<ReportSummary> {
  const existing = await reportFor(runtime.services, client, period);
  return existing ?? runtime.services.generateReport(actor, { clientId: client.id, period, onProgress: progressPrinter(io, json) });
}

/** Runs one command; commands that need the services get them from `open`, and close them after. */
export async function runCommand(argv: string[], io: Io, env: Record<string, string | undefined>, open: OpenRuntime): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      unlinked: { type: 'boolean', default: false },
      input: { type: 'string' },
      period: { type: 'string' },
      'as-of': { type: 'string' },
      sla: { type: 'string' },
      'test-to': { type: 'string' },
      as: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...words] = positionals;
  const json = Boolean(values.json);
  const print = (value: unknown, lines: () => string[] | string) => io.out(json ? JSON.stringify(value, null, 2) : ([] as string[]).concat(lines()).join('\n'));
  if (!command || command === 'help' || values.help) {
    io.out(USAGE);
    return command || values.help ? 0 : 2;
  }

  if (command === 'metrics') {
    if (!values.input) throw new UsageError('metrics needs --input <dataset.json>.');
    const dataset = await readJsonFile<Dataset>(values.input);
    if (!dataset) throw new UsageError(`There is no dataset file ${values.input}.`);
    const sla = values.sla ?? 'due-by';
    if (sla !== 'due-by' && sla !== 'targets') throw new UsageError(`--sla must be due-by or targets, not "${sla}".`);
    const asOf = values['as-of'] ? new Date(values['as-of']) : new Date();
    if (Number.isNaN(asOf.getTime())) throw new UsageError(`--as-of "${values['as-of']}" is not an ISO 8601 date and time.`);
    const period = values.period
      ? parsePeriod(values.period, { timezone: dataset.timezone, now: asOf })
      : periodFromRange(dataset.period.from, dataset.period.to, dataset.timezone);
    const metrics = computeMetrics(dataset, { period, asOf, sla });
    print(metrics, () => JSON.stringify(metrics, null, 2));
    return 0;
  }

  const config = loadConfig(env);
  if (command === 'sandbox') {
    if (!config.sandbox) throw new UsageError('The sandbox commands only work in sandbox mode (no Freshservice or Mailchimp credentials set).');
    if (words[0] === 'reset') {
      await resetSandbox(config.dataDir);
      print({ reset: true }, () => `The sandbox under ${config.dataDir} will be seeded afresh on the next start.`);
      return 0;
    }
    if (words[0] === 'outbox') {
      const outbox = await readSandboxOutbox(sandboxFiles(config.dataDir).mailchimp);
      print(outbox, () =>
        outbox.length === 0
          ? 'The sandbox outbox is empty.'
          : outbox.map((email) => `${email.sentAt}  ${email.kind.padEnd(13)} ${email.to.join(', ')}  "${email.subject}"`),
      );
      return 0;
    }
    throw new UsageError('Use: sandbox reset | sandbox outbox');
  }

  const runtime = await open(config, env);
  try {
    const actor = cliActor(values.as);
    switch (command) {
      case 'clients':
      case 'link':
      case 'unlink': {
        const args = [...words, ...(values.unlinked ? ['--unlinked'] : []), ...(json ? ['--json'] : [])];
        const result = await runClientCommand(runtime.clients, actor, command, args);
        (result.exitCode === 0 ? io.out : io.err)(result.output);
        return result.exitCode;
      }
      case 'sync': {
        const mirror = await runtime.puller.syncMirror();
        const directory = await runtime.clients.syncClients();
        print({ mirror, directory }, () => [
          `Ticket mirror: ${mirror.changed} tickets added or changed, ${mirror.ticketsInMirror} in the mirror (${mirror.calls} calls, ${mirror.credits} credits).`,
          `Client directory: ${directory.clients} clients, ${directory.linked} linked, ${directory.members} audience members.`,
        ]);
        return 0;
      }
      case 'pull': {
        const { clientText, periodText } = clientAndPeriod(words);
        const period = runtime.services.parsePeriod(periodText);
        const client = await resolveClient(runtime, clientText);
        const printer = progressPrinter(io, json);
        const result = await runtime.puller.pull({ id: client.id, name: client.name }, period, {
          onProgress: printer && ((progress) => printer({ text: `${progress.phase} ${progress.done}/${progress.total}` })),
        });
        print({ file: result.file, ticketCount: result.ticketCount, calls: result.calls, credits: result.credits }, () => formatPullSummary(result));
        return 0;
      }
      case 'generate': {
        const { clientText, periodText } = clientAndPeriod(words);
        const period = runtime.services.parsePeriod(periodText);
        const client = await resolveClient(runtime, clientText);
        const calls = runtime.freshserviceCalls();
        const report = await runtime.services.generateReport(actor, { clientId: client.id, period, onProgress: progressPrinter(io, json) });
        const record = (await runtime.reports.get(report.id))!;
        const spent = runtime.freshserviceCalls() - calls;
        print({ ...report, files: record.files, freshserviceCalls: spent }, () => [
          ...reportLines(report),
          `Files: ${record.files.emailHtml}`,
          `       ${record.files.webHtml}`,
          `       ${record.files.metrics}`,
          record.files.pdf ? `       ${record.files.pdf}` : `PDF: not made, ${record.pdfProblem ?? 'for an unknown reason'}`,
          `Freshservice calls: ${spent}`,
        ]);
        return 0;
      }
      case 'send': {
        const { clientText, periodText } = clientAndPeriod(words);
        const period = runtime.services.parsePeriod(periodText);
        const client = await resolveClient(runtime, clientText);
        const report = await periodReportOrNew(runtime, actor, client, period, io, json);
        const outcome = values['test-to'] ? await runtime.services.sendTest(actor, report.id, values['test-to']) : await runtime.services.sendReport(actor, report.id);
        print(outcome, () => formatSendOutcome(outcome));
        return outcome.kind === 'sent' || outcome.kind === 'already-sent' ? 0 : 1;
      }
      case 'history': {
        const client = await resolveClient(runtime, words.join(' '));
        const reports = await runtime.services.history(client.id);
        print(reports, () =>
          reports.length === 0
            ? `No reports for ${client.name} yet.`
            : reports.map((report) => {
                const send = report.send;
                const state = report.discarded ? 'discarded' : send ? `${send.status}${send.sentAt ? ` ${send.sentAt}` : ''} to ${send.to.join(', ')} by ${send.sentBy}` : 'draft';
                return `${report.createdAt}  ${report.period.label.padEnd(22)} ${report.id.padEnd(28)} ${state}`;
              }),
        );
        return 0;
      }
      case 'contract': {
        const hours = words.length > 1 ? contractHours(words.at(-1)!) : undefined;
        if (hours === false) throw new UsageError(`"${words.at(-1)}" is not a number of hours; give hours a month like 40 or 12.5, or none to remove the allowance.`);
        const client = await resolveClient(runtime, (hours === undefined ? words : words.slice(0, -1)).join(' '));
        if (hours !== undefined) await runtime.services.setContract(actor, client.id, hours);
        const contract = await runtime.services.contractOf(client.id);
        print({ client: { id: client.id, name: client.name }, contract }, () =>
          contract ? `${client.name}: ${contract.monthlyHours} billable hours a month (set by ${contract.setBy}, ${contract.setAt}).` : `${client.name}: no monthly hours allowance.`,
        );
        return 0;
      }
      case 'digest': {
        const period = runtime.services.parsePeriod(words[0]);
        const publisher = runtime.digest();
        const printer = progressPrinter(io, json);
        const onProgress = printer && ((text: string) => printer({ text }));
        if (values['dry-run']) {
          const snapshot = await publisher.preview(actor, period, { onProgress });
          // Worded as it is posted in Slack.
          print({ digest: snapshot.digest, views: digestViews(snapshot, SLACK_COMMAND_PREFIX) }, () => digestAsText(snapshot, SLACK_COMMAND_PREFIX));
          return 0;
        }
        const result = await publisher.run(actor, period, { onProgress });
        print(result, () => [
          `Digest ${result.digestId}: ${result.ready} drafts ready of ${result.rows} clients (mirror refresh: ${result.sync?.calls ?? 0} calls).`,
          ...(result.posted.length === 0 && result.failed.length === 0 ? ['Posted nowhere: set DIGEST_CHANNEL (and SLACK_BOT_TOKEN), or add the app to a Teams channel.'] : []),
          ...result.posted.map((post) => `Posted to ${post.platform} ${post.target}: ${post.messages} new messages.`),
          ...result.failed.map((post) => `Not posted to ${post.platform} ${post.target}: ${post.reason}`),
        ]);
        return result.failed.length > 0 ? 1 : 0;
      }
      case 'demo': {
        const entries = await runtime.services.listClients();
        io.out(formatClientTable(entries));
        const acme = await resolveClient(runtime, 'Acme');
        const report = await runtime.services.generateReport(actor, { clientId: acme.id, period: runtime.services.parsePeriod('last-month'), onProgress: progressPrinter(io, json) });
        io.out(['', ...reportLines(report)].join('\n'));
        const outcome = await runtime.services.sendReport(actor, report.id);
        io.out(formatSendOutcome(outcome));
        io.out(`Open the report: ${report.viewUrl} (while "npm start" runs), or see the email with "npx integoreport sandbox outbox".`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown command "${command}". Run "integoreport help" for the list.`);
    }
  } finally {
    await runtime.close();
  }
}
