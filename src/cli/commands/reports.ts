import type { ReportSummary, SendOutcome } from '../../app/ports.js';
import { changesSinceSent, formatSendOutcome, periodSentSentence } from '../../app/send-format.js';
import { newestReportFor } from '../../app/report-for.js';
import { quotedName } from '../../app/commands.js';
import { formatPullSummary } from '../../freshservice/puller.js';
import { clientAndPeriod, resolveClient } from '../arguments.js';
import type { CommandContext } from '../context.js';
import { CommandFailed, UsageError } from '../errors.js';
import { isEmailAddress } from '../../clients/names.js';
import { sourceHeadlineText } from '../../store/reports.js';

/** The figures of a report as the summary card shows them, its link and its recipient. */
export function reportLines(report: ReportSummary): string[] {
  return [
    `${report.client.name} — ${report.period.label} (report ${report.id})`,
    ...report.figures.map((figure) => `  ${figure.label.padEnd(16)} ${figure.value}${figure.change ? `  (${figure.change})` : ''}`),
    ...(report.sources ?? []).map((source) => `  ${source.label.padEnd(16)} ${sourceHeadlineText(source)}`),
    `Web report: ${report.viewUrl}`,
    ...(report.pdfUrl ? [`PDF: ${report.pdfUrl}`] : []),
    report.recipient ? `Recipient: ${report.recipient}${report.copyTo ? ` (copy to ${report.copyTo})` : ''}` : 'Recipient: none linked yet',
    ...(report.periodSend ? [`${periodSentSentence(report.periodSend)} Sending it again is a second email (send --resend).`] : []),
  ];
}

/** Sent or already sent is done; a refused, failed or changed send ends the command with exit code 1. */
export function requireDelivered(outcome: SendOutcome): asserts outcome is Extract<SendOutcome, { kind: 'sent' | 'already-sent' }> {
  if (outcome.kind !== 'sent' && outcome.kind !== 'already-sent') throw new CommandFailed(formatSendOutcome(outcome), `send-${outcome.kind}`);
}

/** `integoreport pull <client> [period]`: the dataset file and what it cost. */
export async function pull(context: CommandContext, words: readonly string[]): Promise<void> {
  const runtime = await context.runtime();
  const { clientText, periodText } = clientAndPeriod(words);
  const period = runtime.services.parsePeriod(periodText);
  const client = await resolveClient(runtime.services, clientText);
  const progress = context.out.progress();
  const result = await runtime.puller.pull({ id: client.id, name: client.name }, period, {
    onProgress: progress && ((step) => progress(`${step.phase} ${step.done}/${step.total}`)),
  });
  context.out.result({ file: result.file, ticketCount: result.ticketCount, calls: result.calls, credits: result.credits }, () => formatPullSummary(result));
}

/** `integoreport generate <client> [period]`: pull, compute and render; the report's files and the calls spent. */
export async function generate(context: CommandContext, words: readonly string[]): Promise<void> {
  const runtime = await context.runtime();
  const { clientText, periodText } = clientAndPeriod(words);
  const period = runtime.services.parsePeriod(periodText);
  const client = await resolveClient(runtime.services, clientText);
  const calls = runtime.freshserviceCalls();
  const progress = context.out.progress();
  const report = await runtime.services.generateReport(context.actor, { clientId: client.id, period, onProgress: progress && ((update) => progress(update.text)) });
  const record = (await runtime.reports.get(report.id))!;
  const spent = runtime.freshserviceCalls() - calls;
  context.out.result({ ...report, files: record.files, freshserviceCalls: spent }, () => [
    ...reportLines(report),
    `Files: ${record.files.emailHtml}`,
    `       ${record.files.webHtml}`,
    `       ${record.files.metrics}`,
    record.files.pdf ? `       ${record.files.pdf}` : `PDF: not made, ${record.pdfProblem ?? 'for an unknown reason'}`,
    `Freshservice calls: ${spent}`,
  ]);
}

/**
 * `integoreport send <client> [period] [--resend] [--test-to email]`: the period's newest report, which must
 * exist (send never generates), exactly once; once the period went out, again only with --resend. Or a test to one address.
 */
export async function send(context: CommandContext, words: readonly string[], options: { testTo?: string; resend?: boolean }): Promise<void> {
  if (options.testTo !== undefined && !isEmailAddress(options.testTo)) throw new UsageError(`--test-to "${options.testTo}" is not an email address.`, 'bad-email');
  const runtime = await context.runtime();
  const { clientText, periodText } = clientAndPeriod(words);
  const period = runtime.services.parsePeriod(periodText);
  const client = await resolveClient(runtime.services, clientText);
  const report = await newestReportFor(runtime.services, client, period);
  if (!report) {
    throw new CommandFailed(`There is no ${period.label} report for ${client.name} yet: generate it first with "integoreport generate ${quotedName(client.name)} ${period.key}", check it, then send it.`, 'no-report');
  }
  if (options.testTo) {
    const outcome = await runtime.services.sendTest(context.actor, report.id, options.testTo);
    requireDelivered(outcome);
    context.out.result(outcome, () => formatSendOutcome(outcome));
    return;
  }
  const { periodSend } = report;
  if (periodSend && !options.resend) {
    throw new CommandFailed(`${periodSentSentence(periodSend)} Add --resend to send it again, as a second email. ${changesSinceSent(periodSend, report.figures)}`, 'already-sent');
  }
  const outcome = await runtime.services.sendReport(context.actor, report.id, periodSend ? { resendOf: periodSend.sendId } : {});
  requireDelivered(outcome);
  context.out.result(outcome, () => formatSendOutcome(outcome));
}

/** `integoreport history <client>`: the client's reports, newest first, with how each was sent. */
export async function history(context: CommandContext, words: readonly string[]): Promise<void> {
  const runtime = await context.runtime();
  const client = await resolveClient(runtime.services, words.join(' '));
  const reports = await runtime.services.history(client.id);
  context.out.result(reports, () =>
    reports.length === 0
      ? `No reports for ${client.name} yet.`
      : reports.map((report) => {
          const send = report.send;
          const state = report.discarded ? 'discarded' : send ? `${send.status}${send.sentAt ? ` ${send.sentAt}` : ''} to ${send.to.join(', ')} by ${send.sentBy}` : 'draft';
          return `${report.createdAt}  ${report.period.label.padEnd(22)} ${report.id.padEnd(28)} ${state}`;
        }),
  );
}
