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

/** Mailchimp refuses subject lines over 150 characters; room is kept for the `[TEST] ` prefix. */
const SUBJECT_LIMIT = 143;

/** `Your Monthly Service Report: <client> — <period>`, merge tags neutralised, a long client name shortened. */
export function reportSubject(report: { clientName: string; periodLabel: string }): string {
  const frame = (name: string) => neutraliseMergeTagsInText(`Your Monthly Service Report: ${name} — ${report.periodLabel}`);
  const name = neutraliseMergeTagsInText(report.clientName);
  const overflow = frame(name).length - SUBJECT_LIMIT;
  return overflow > 0 ? frame(`${name.slice(0, Math.max(1, name.length - overflow - 1)).trimEnd()}…`) : frame(name);
}
