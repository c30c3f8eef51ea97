/** What makes a send one send: its ledger key, and the subject every copy of it carries. */
import { neutraliseMergeTagsInText } from '../../report/escape.js';

/** `ir:<clientId>:<periodKey>:v<version>`: one email per client, period and report version. */
export function sendKey(report: { clientId: number; periodKey: string; version: number }): string {
  return `ir:${report.clientId}:${report.periodKey}:v${report.version}`;
}

/** Resending send `previous` (key `…` or `…:rN`) gets `…:r2` or `…:r(N+1)`, so a double-clicked resend still sends once. */
export function resendKey(previousKey: string): string {
  const match = /^(.*):r(\d+)$/.exec(previousKey);
  return match ? `${match[1]}:r${Number(match[2]) + 1}` : `${previousKey}:r2`;
}

/** Mailchimp refuses subject lines over 150 characters; room is kept for a test's `[TEST] ` (or Mailchimp's `[Test] `) prefix. */
const SUBJECT_LIMIT = 143;

/** What a report is called after its period: a calendar month is monthly, a calendar quarter quarterly, anything else plain. */
function reportTitle(periodKey: string): string {
  if (/^\d{4}-\d{2}$/.test(periodKey)) return 'Your Monthly Service Report';
  if (/^\d{4}-Q[1-4]$/.test(periodKey)) return 'Your Quarterly Service Report';
  return 'Your Service Report';
}

/**
 * `Your Monthly Service Report: <client> — October 2026` (Quarterly for a quarter, neither for a range),
 * merge tags neutralised, a long client name shortened.
 */
export function reportSubject(report: { clientName: string; periodKey: string; periodLabel: string }): string {
  const frame = (name: string) => neutraliseMergeTagsInText(`${reportTitle(report.periodKey)}: ${name} — ${report.periodLabel}`);
  const name = neutraliseMergeTagsInText(report.clientName);
  const overflow = frame(name).length - SUBJECT_LIMIT;
  return overflow > 0 ? frame(`${name.slice(0, Math.max(1, name.length - overflow - 1)).trimEnd()}…`) : frame(name);
}
