/**
 * The monthly digest as Views: a header message (totals, needs attention, Approve all) and one
 * message per ready client, posted as thread replies so no message outgrows a platform's limits.
 */
import type { ReportSummary } from '../../app/ports.js';
import { approvableRows, approvalFingerprint } from '../../app/digest.js';
import { confirmationOf } from '../../app/confirmation.js';
import type { DigestRecord, DigestRow } from '../../store/digests.js';
import type { ApproveAllValue, ApproveValue, Button, RegenerateValue, Section, View } from './view.js';
import { formatWhen, typedCommand } from './view.js';
import { fixButton, sendConfirm, sourceFacts } from './builders.js';

/** Needs-attention rows shown in the header; the rest are counted (keeps Slack under 50 blocks). */
const ATTENTION_LIMIT = 25;
/** Room for the recipient list in the Approve-all confirmation (Slack cuts confirm text at 300). */
const CONFIRM_LIST_CHARS = 200;

export interface DigestSnapshot {
  digest: DigestRecord;
  reports: Map<number, ReportSummary>;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '–';
}

function figure(report: ReportSummary, label: string): { value: string; change?: string } | undefined {
  const found = report.figures.find((entry) => entry.label === label);
  return found && { value: found.value, change: found.change };
}

function isSent(report: ReportSummary | undefined): boolean {
  return report?.send?.status === 'sent';
}

function parseObject(value: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** An Approve & send button's value back into its parts; undefined when it is not one. */
export function parseApproveValue(value: string): ApproveValue | undefined {
  const parsed = parseObject(value);
  const valid = parsed && typeof parsed.digestId === 'string' && Number.isInteger(parsed.clientId) && Number.isInteger(parsed.version)
    && Array.isArray(parsed.to) && parsed.to.every((address) => typeof address === 'string');
  return valid ? (parsed as unknown as ApproveValue) : undefined;
}

/** An Approve all button's value back into its parts; undefined when it is not one. */
export function parseApproveAllValue(value: string): ApproveAllValue | undefined {
  const parsed = parseObject(value);
  return parsed && typeof parsed.digestId === 'string' && typeof parsed.shown === 'string' ? (parsed as unknown as ApproveAllValue) : undefined;
}

/** A Generate again button's value back into its parts; undefined when it is not one. */
export function parseRegenerateValue(value: string): RegenerateValue | undefined {
  const parsed = parseObject(value);
  return parsed && typeof parsed.digestId === 'string' && Number.isInteger(parsed.clientId) ? (parsed as unknown as RegenerateValue) : undefined;
}

function recipientList(entries: Array<{ row: DigestRow; report: ReportSummary }>): string {
  const names: string[] = [];
  let length = 0;
  for (const { row, report } of entries) {
    const name = `${row.clientName} (${report.recipient})`;
    if (length + name.length > CONFIRM_LIST_CHARS && names.length > 0) break;
    names.push(name);
    length += name.length + 2;
  }
  const left = entries.length - names.length;
  return `${names.join(', ')}${left > 0 ? ` and ${left} more` : ''}`;
}

function attentionSections(digest: DigestRecord, prefix: string): Section[] {
  const rows = digest.rows.filter((row) => row.status !== 'ready');
  const sections: Section[] = rows.slice(0, ATTENTION_LIMIT).map((row) => {
    switch (row.status) {
      case 'unlinked':
        return { title: row.clientName, text: `Not linked: ${row.reason ?? 'no Mailchimp contact'}`, accessory: fixButton({ id: row.clientId, name: row.clientName, state: 'no-contact' }) };
      case 'failed':
        return { title: row.clientName, text: `No draft, the pull failed: ${row.reason ?? 'unknown reason'}` };
      case 'discarded':
        return {
          title: row.clientName,
          text: `${row.reason ?? 'Discarded; nothing was sent'}. Not part of Approve all.`,
          accessory: {
            action: 'digest.regenerate',
            label: 'Generate again',
            value: JSON.stringify({ digestId: digest.id, clientId: row.clientId } satisfies RegenerateValue),
          },
        };
      default:
        return { title: row.clientName, text: `No tickets in ${digest.periodLabel}; not part of Approve all (send it with ${typedCommand(prefix, `send "${row.clientName}" ${digest.periodKey}`)}).` };
    }
  });
  if (rows.length > ATTENTION_LIMIT) {
    sections.push({ text: `…and ${rows.length - ATTENTION_LIMIT} more. See them all with ${typedCommand(prefix, 'clients unlinked')}.` });
  }
  return rows.length > 0 ? [{ title: `Needs attention (${rows.length})` }, ...sections] : sections;
}

/**
 * The header: totals across clients, what needs attention, and Approve all (confirmed, naming the recipients).
 * `prefix`: how commands are typed where it is posted.
 */
export function digestHeaderView(snapshot: DigestSnapshot, prefix: string, note?: string): View {
  const { digest, reports } = snapshot;
  const ready = digest.rows.filter((row) => row.status === 'ready');
  const totals = ready.reduce(
    (sum, row) => ({
      tickets: sum.tickets + (row.numbers?.tickets ?? 0),
      slaMet: sum.slaMet + (row.numbers?.slaMet ?? 0),
      slaJudged: sum.slaJudged + (row.numbers?.slaMet ?? 0) + (row.numbers?.slaMissed ?? 0),
      csatPositive: sum.csatPositive + (row.numbers?.csatPositive ?? 0),
      csatResponses: sum.csatResponses + (row.numbers?.csatResponses ?? 0),
    }),
    { tickets: 0, slaMet: 0, slaJudged: 0, csatPositive: 0, csatResponses: 0 },
  );
  const sent = ready.filter((row) => isSent(reports.get(row.clientId))).length;
  const pending = approvableRows(digest, reports);
  const buttons: Button[] = [];
  if (pending.length > 0) {
    buttons.push({
      action: 'digest.approveAll',
      label: `Approve all linked (${pending.length})`,
      value: JSON.stringify({ digestId: digest.id, shown: approvalFingerprint(pending) } satisfies ApproveAllValue),
      style: 'primary',
      confirm: {
        title: `Send ${pending.length} reports?`,
        text: `Send the ${digest.periodLabel} report to ${recipientList(pending)}. Each client gets it once.`,
        confirm: 'Send all',
        deny: 'Cancel',
      },
    });
  }
  const status = ready.length === 0
    ? 'No draft is ready for approval this month.'
    : sent === ready.length
      ? `All ${ready.length} reports are sent.`
      : `${ready.length - sent} of ${ready.length} draft reports wait for approval; each client has its own message in the thread below.`;
  return {
    kind: 'digest-header',
    title: `Monthly digest: ${digest.periodLabel}`,
    tone: !note && ready.length > 0 && sent === ready.length ? 'success' : 'info',
    text: note ?? status,
    tiles: [
      { label: 'Clients ready', value: String(ready.length) },
      { label: 'Tickets', value: String(totals.tickets) },
      { label: 'SLA kept', value: percent(totals.slaMet, totals.slaJudged) },
      { label: 'Satisfaction', value: percent(totals.csatPositive, totals.csatResponses) },
      { label: 'Sent', value: `${sent} of ${ready.length}` },
    ],
    sections: attentionSections(digest, prefix),
    buttons,
    context: [`Prepared by ${digest.createdBy}, ${formatWhen(digest.createdAt)}. Approving sends through the same once-only delivery as ${typedCommand(prefix, 'send')}.`],
  };
}

function sendLine(report: ReportSummary): string {
  const send = report.send;
  const copy = report.copyTo ? ` (copy to ${report.copyTo})` : '';
  if (!send) return report.discarded ? 'Discarded; nothing was sent.' : `Waiting for approval. Sends to ${report.recipient ?? 'nobody (not linked)'}${copy}.`;
  if (send.status === 'sent') return `Sent by ${send.sentBy} at ${formatWhen(send.sentAt)} to ${send.to.join(', ')}.`;
  if (send.status === 'failed') return `Sending failed: ${send.error ?? 'unknown reason'}. Approve again to retry.`;
  return `Sending to ${send.to.join(', ')} (approved by ${send.sentBy})…`;
}

/** One client's row: figures, change vs the previous month, View, Approve & send, Send test to me. */
export function digestRowView(digest: DigestRecord, row: DigestRow, report: ReportSummary | undefined): View {
  if (!report) return { kind: 'digest-row', tone: 'warning', title: row.clientName, text: 'This draft no longer exists; generate it again.' };
  const tickets = figure(report, 'Tickets');
  const sla = figure(report, 'SLA kept');
  const satisfaction = figure(report, 'Satisfaction');
  const buttons: Button[] = [{ action: 'report.open', label: 'View', value: report.id, url: report.viewUrl }];
  const sent = report.send && report.send.status !== 'failed';
  if (!sent && !report.discarded && report.recipient) {
    buttons.push({
      action: 'digest.approve',
      label: 'Approve & send',
      value: JSON.stringify({ digestId: digest.id, clientId: row.clientId, ...confirmationOf(report) } satisfies ApproveValue),
      style: 'primary',
      confirm: sendConfirm(report),
    });
  }
  if (!sent) buttons.push({ action: 'report.test', label: 'Send test to me', value: report.id });
  return {
    kind: 'digest-row',
    tone: isSent(report) ? 'success' : report.send?.status === 'failed' ? 'warning' : 'info',
    title: row.clientName,
    text: sendLine(report),
    facts: [
      { label: 'Tickets', value: tickets?.value ?? String(report.ticketCount) },
      { label: 'SLA kept', value: sla?.value ?? '–' },
      { label: 'Satisfaction', value: satisfaction?.value ?? '–' },
      { label: 'Change vs previous month', value: tickets?.change ? `tickets ${tickets.change}` : 'no earlier data' },
      ...sourceFacts(report),
    ],
    buttons,
  };
}

/** Ready rows listed in a preview; the rest are counted. */
const PREVIEW_ROWS = 15;

/**
 * `digest preview`: the whole digest as one private message, without its buttons: the totals, what needs
 * attention and a line per draft with its link, so an approver can check it before posting it.
 */
export function digestPreviewView(snapshot: DigestSnapshot, prefix: string): View {
  const header = digestHeaderView(snapshot, prefix);
  const { digest, reports } = snapshot;
  const ready = digest.rows.filter((row) => row.status === 'ready');
  const rows: Section[] = ready.slice(0, PREVIEW_ROWS).map((row) => {
    const report = reports.get(row.clientId);
    const facts = row.numbers ? `${row.numbers.tickets} tickets` : '';
    return {
      title: row.clientName,
      text: [facts, report ? sendLine(report) : 'This draft no longer exists.'].filter(Boolean).join('. '),
      accessory: report ? { action: 'report.open', label: 'View', value: report.id, url: report.viewUrl } : undefined,
    };
  });
  if (ready.length > PREVIEW_ROWS) rows.push({ text: `…and ${ready.length - PREVIEW_ROWS} more drafts.` });
  const attention = (header.sections ?? []).map((section) => ({ ...section, accessory: undefined }));
  return {
    ...header,
    title: `Digest preview: ${digest.periodLabel}`,
    sections: [...attention, ...(rows.length > 0 ? [{ title: `Ready for approval (${ready.length})` }, ...rows] : [])],
    buttons: [],
    context: [`Only you see this preview. Post it here to approve with ${typedCommand(prefix, `digest ${digest.periodKey}`)}.`],
  };
}

/** Every message of the digest: the header, then one row per ready client. */
export function digestViews(snapshot: DigestSnapshot, prefix: string): { header: View; rows: Array<{ clientId: number; view: View }> } {
  const { digest, reports } = snapshot;
  return {
    header: digestHeaderView(snapshot, prefix),
    rows: digest.rows
      .filter((row) => row.status === 'ready')
      .map((row) => ({ clientId: row.clientId, view: digestRowView(digest, row, reports.get(row.clientId)) })),
  };
}

/** A View as plain text lines, for the CLI's dry run. */
function viewAsText(view: View): string {
  const lines: string[] = [];
  if (view.title) lines.push(view.title, '='.repeat(Math.min(view.title.length, 72)));
  if (view.text) lines.push(view.text);
  if (view.tiles?.length) lines.push(view.tiles.map((tile) => `${tile.label}: ${tile.value}${tile.change ? ` (${tile.change})` : ''}`).join(' | '));
  for (const fact of view.facts ?? []) lines.push(`  ${fact.label}: ${fact.value}`);
  for (const section of view.sections ?? []) {
    const accessory = section.accessory ? `  [${section.accessory.label}]` : '';
    lines.push(`  - ${[section.title, section.text].filter(Boolean).join(': ')}${accessory}`);
  }
  if (view.buttons?.length) lines.push(view.buttons.map((button) => `[${button.label}]`).join(' '));
  for (const line of view.context ?? []) lines.push(`  (${line})`);
  return lines.join('\n');
}

export function digestAsText(snapshot: DigestSnapshot, prefix: string): string {
  const { header, rows } = digestViews(snapshot, prefix);
  return [viewAsText(header), ...rows.map((row) => `\n↳ ${viewAsText(row.view)}`)].join('\n');
}
