import type { ConfirmedSend, ReportSummary } from './ports.js';

/** What a send confirmation shows for a report: its version and every address it names (the client's contact, the internal copy). */
export function confirmationOf(report: ReportSummary): ConfirmedSend {
  return { version: report.version, to: [report.recipient, report.copyTo].filter((address): address is string => !!address) };
}
