import { formatSendOutcome } from '../../app/send-format.js';
import { resolveClient } from '../arguments.js';
import type { CommandContext } from '../context.js';
import { formatClientTable } from './clients.js';
import { reportLines, requireDelivered } from './reports.js';

/** `integoreport demo`: a guided run through the sandbox: the clients, a report for Acme, and its send. */
export async function demo(context: CommandContext): Promise<void> {
  const runtime = await context.runtime();
  const { out, actor } = context;
  const entries = await runtime.services.listClients();
  const acme = await resolveClient(runtime.services, 'Acme');
  const progress = out.progress();
  const report = await runtime.services.generateReport(actor, { clientId: acme.id, period: runtime.services.parsePeriod('last-month'), onProgress: progress && ((update) => progress(update.text)) });
  // A second run shows the period as sent (reportLines says so) and sends nothing again.
  const outcome = report.periodSend ? undefined : await runtime.services.sendReport(actor, report.id);
  if (outcome) requireDelivered(outcome);
  out.result({ clients: entries, report, send: outcome ?? null }, () => [
    formatClientTable(entries),
    '',
    ...reportLines(report),
    ...(outcome ? [formatSendOutcome(outcome)] : []),
    `Open the report: ${report.viewUrl} (while "npm start" runs), or see the email with "npx integoreport sandbox outbox".`,
  ]);
}
