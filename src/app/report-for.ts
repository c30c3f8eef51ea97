import type { Period } from '../period/period.js';
import type { BotServices, ReportSummary } from './ports.js';

type History = Pick<BotServices, 'history'>;

/** The client's reports of the period, newest first. */
async function reportsOfPeriod(services: History, client: { id: number }, period: Pick<Period, 'key'>): Promise<ReportSummary[]> {
  return (await services.history(client.id))
    .filter((report) => report.period.key === period.key)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * The report that counts for a client and period, the same for chat, the digest and the CLI: the
 * sent one wins (so asking again never sends a newer version a second time), else the newest
 * draft; discarded ones never count.
 */
export async function reportFor(services: History, client: { id: number }, period: Pick<Period, 'key'>): Promise<ReportSummary | undefined> {
  const reports = (await reportsOfPeriod(services, client, period)).filter((report) => !report.discarded);
  return reports.find((report) => report.send?.status === 'sent') ?? reports[0];
}

/**
 * The newest report of the period when it was discarded and nothing newer counts: the digest lists it as
 * needing attention instead of drafting the period again unasked.
 */
export async function discardedReportFor(services: History, client: { id: number }, period: Pick<Period, 'key'>): Promise<ReportSummary | undefined> {
  const [newest] = await reportsOfPeriod(services, client, period);
  return newest?.discarded && newest.send?.status !== 'sent' ? newest : undefined;
}

/**
 * The newest report of the period that was not discarded: the one a send, `send` in chat and the CLI's
 * `send` act on (a newer draft after a send goes out only when sent again on purpose).
 */
export async function newestReportFor(
  services: Pick<BotServices, 'history'>,
  client: { id: number },
  period: Pick<Period, 'key'>,
): Promise<ReportSummary | undefined> {
  return (await services.history(client.id))
    .filter((report) => report.period.key === period.key && !report.discarded)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}
