/**
 * Turn use-case results into Views. Pure; every text is plain. Sized for the tightest platform
 * (Slack: ≤ 50 blocks, ≤ 3000 chars per section, ≤ 75-char button labels).
 */
import type { PeriodSend, ProgressUpdate, ReportSummary, BotServices } from '../../app/ports.js';
import { changesSinceSent, periodSentSentence } from '../../app/send-format.js';
import type { ClientEntry, ClientLookup, ContactSuggestion } from '../../clients/types.js';
import { commandHelp, quotedName, type CommandMistake, type CommandName } from '../../app/commands.js';
import { confirmationOf } from '../../app/confirmation.js';
import { PERIOD_FORMS } from '../../period/forms.js';
import type { Button, Confirm, Fact, FixValue, GenerateValue, PageValue, PickValue, ResendValue, Section, SendValue, View } from './view.js';
import { isReachable, type MemberStatus } from '../../clients/linking.js';
import { personalAddressWarning } from '../../clients/free-mail.js';
import { formatWhen, typedCommand } from './view.js';
import { sourceHeadlineText } from '../../store/reports.js';

const CLIENTS_PER_PAGE = 15;
const HISTORY_LIMIT = 12;

const STATE_LABELS: Record<ClientEntry['state'], string> = {
  linked: 'Linked',
  'to-add': 'Contact to add',
  'no-contact': 'No contact',
  problem: 'Problem',
  ambiguous: 'Several matches',
};

const VIA_LABELS: Record<NonNullable<ClientEntry['via']>, string> = {
  'prime-name': 'prime user name',
  'head-name': 'head user name',
  domain: 'email domain',
  manual: 'chosen by hand',
};

/** "Example: /integoreport …" or "Examples: … · …", as commands are typed where `prefix` belongs. */
function examplesLine(prefix: string, examples: string[]): string {
  return `${examples.length > 1 ? 'Examples' : 'Example'}: ${examples.map((example) => typedCommand(prefix, example)).join('  ·  ')}`;
}

/** `prefix`: how commands are typed where the view is shown (see {@link typedCommand}). */
export function helpView(prefix: string, topic?: CommandName): View {
  const entries = commandHelp(topic);
  return {
    kind: 'help',
    title: topic ? typedCommand(prefix, topic) : 'IntegoReport commands',
    text: topic ? entries[0]!.summary : 'Monthly service reports from Freshservice, approved here and sent through Mailchimp.',
    sections: entries.map((entry) => ({
      title: typedCommand(prefix, entry.usage),
      text: `${topic ? '' : `${entry.summary}\n`}${examplesLine(prefix, entry.examples)}`,
    })),
    context: [`Periods: ${PERIOD_FORMS.join(', ')}. Quote names with spaces: "Acme Corp".`],
  };
}

export function mistakeView(prefix: string, mistake: CommandMistake): View {
  return {
    kind: 'mistake',
    tone: 'warning',
    text: mistake.problem,
    facts: [
      { label: 'Understood', value: mistake.understood },
      { label: 'Right form', value: mistake.usage },
    ],
    context: [examplesLine(prefix, mistake.examples)],
  };
}

/** One readable sentence and what to do next. */
export function errorView(sentence: string, next?: string): View {
  return { kind: 'error', tone: 'error', text: sentence, context: next ? [next] : undefined };
}

export function noticeView(text: string, tone: View['tone'] = 'info', context?: string[]): View {
  return { kind: 'notice', tone, text, context };
}

function clientLine(client: ClientEntry): string {
  const contact = client.email ? `${client.contactName ? `${client.contactName} ` : ''}${client.email}` : undefined;
  switch (client.state) {
    case 'linked':
      return `${contact ?? 'linked'}${client.via ? ` (${VIA_LABELS[client.via]})` : ''}`;
    case 'to-add':
      return client.contactToAdd
        ? `${client.contactToAdd.firstName} ${client.contactToAdd.lastName} (${client.contactToAdd.email}) should be added to the audience`
        : client.reason ?? 'A Freshservice contact should be added to the audience';
    default:
      return client.reason ?? STATE_LABELS[client.state];
  }
}

export function fixButton(client: ClientEntry, back?: Omit<FixValue, 'clientId'>): Button {
  const value: FixValue = { clientId: client.id, ...back };
  return { action: 'client.fix', label: client.state === 'linked' ? 'Change contact' : 'Fix', value: JSON.stringify(value) };
}

export function clientListView(clients: ClientEntry[], options: { page: number; unlinkedOnly: boolean }): View {
  const pageCount = Math.max(1, Math.ceil(clients.length / CLIENTS_PER_PAGE));
  const page = Math.min(Math.max(1, Math.trunc(options.page) || 1), pageCount);
  const shownClients = clients.slice((page - 1) * CLIENTS_PER_PAGE, page * CLIENTS_PER_PAGE);
  const pageButton = (target: number, label: string): Button => ({
    action: 'clients.page',
    label,
    value: JSON.stringify({ page: target, unlinked: options.unlinkedOnly } satisfies PageValue),
  });
  const linked = clients.filter((client) => client.state === 'linked').length;
  if (clients.length === 0) {
    return options.unlinkedOnly
      ? { kind: 'notice', tone: 'success', title: 'Unlinked clients', text: 'Every client is linked to a Mailchimp contact.' }
      : { kind: 'notice', tone: 'warning', title: 'Clients', text: 'No clients yet. The nightly sync fills this list from Freshservice.' };
  }
  return {
    kind: 'client-list',
    title: options.unlinkedOnly ? `Unlinked clients (${clients.length})` : `Clients (${clients.length}, ${linked} linked)`,
    sections: shownClients.map((client) => ({
      title: client.name,
      text: `${STATE_LABELS[client.state]}: ${clientLine(client)}`,
      accessory: client.state === 'linked' ? undefined : fixButton(client, { page, unlinked: options.unlinkedOnly }),
    })),
    paging: {
      page,
      pageCount,
      itemCount: clients.length,
      previous: page > 1 ? pageButton(page - 1, 'Previous') : undefined,
      next: page < pageCount ? pageButton(page + 1, 'Next') : undefined,
    },
    context: pageCount > 1 ? [`Page ${page} of ${pageCount}`] : undefined,
  };
}

export function clientCardView(client: ClientEntry, note?: string): View {
  const facts = [{ label: 'Contact', value: clientLine(client) }, { label: 'State', value: STATE_LABELS[client.state] }];
  if (client.linkedBy) facts.push({ label: 'Linked by', value: `${client.linkedBy}${client.linkedAt ? `, ${formatWhen(client.linkedAt)}` : ''}` });
  return {
    kind: 'client',
    tone: client.state === 'linked' ? 'success' : 'warning',
    title: client.name,
    text: note,
    facts,
    buttons: [
      fixButton(client),
      { action: 'client.history', label: 'History', value: String(client.id) },
    ],
  };
}

/** Slack radio buttons take at most 10 options; the fix form's own choices always fit and suggestions fill the rest. */
export const FIX_FORM_CHOICES = 10;

/** The fix form's own choices, named the same wherever a message points to them. */
export const FIX_CHOICES = {
  email: 'Link the email address below',
  addEmail: 'Add the email address below to the audience',
  unlink: 'Unlink the current contact',
} as const;

/** Why a suggested contact cannot receive reports, by its Mailchimp status. */
const CANNOT_RECEIVE: Record<string, string> = {
  unsubscribed: 'Cannot receive reports: unsubscribed from the audience',
  cleaned: 'Cannot receive reports: cleaned (its emails bounced)',
  archived: 'Cannot receive reports: archived in Mailchimp',
  pending: 'Cannot receive reports yet: subscription not confirmed',
};

function suggestionOption(client: ClientEntry, suggestion: ContactSuggestion) {
  const cannot = isReachable(suggestion.status as MemberStatus) ? undefined : CANNOT_RECEIVE[suggestion.status] ?? `Cannot receive reports: ${suggestion.status}`;
  const personal = personalAddressWarning(client, suggestion.email) ? 'personal address' : undefined;
  return {
    value: `pick:${suggestion.email}`,
    label: `${suggestion.name || suggestion.email} (${suggestion.email})`,
    description: [cannot, suggestion.reason, personal].filter(Boolean).join('; '),
    reachable: !cannot,
  };
}

/**
 * The fix form: the Freshservice contact to add, suggestions with reasons (those that cannot receive are shown,
 * saying why, but never pre-selected), a free email input, and unlink. `back.typed` fills in what was chosen and
 * typed before, when the form is opened again after a refusal.
 */
export function fixFormView(client: ClientEntry, suggestions: ContactSuggestion[], back?: Omit<FixValue, 'clientId'>): View {
  const leading: Array<NonNullable<View['choices']>['options'][number] & { reachable: boolean }> = [];
  if (client.contactToAdd) {
    const person = client.contactToAdd;
    leading.push({
      value: `add:${person.email}`,
      label: `Add ${person.firstName} ${person.lastName} (${person.email}) to the audience`,
      description: 'Named as the contact in Freshservice',
      reachable: true,
    });
  }
  const trailing: NonNullable<View['choices']>['options'] = [
    { value: 'email', label: FIX_CHOICES.email, description: 'It must already be in the Mailchimp audience' },
    { value: 'add-email', label: FIX_CHOICES.addEmail, description: 'Creates the Mailchimp contact and links it' },
  ];
  if (client.state === 'linked') trailing.push({ value: 'unlink', label: FIX_CHOICES.unlink, description: client.email ?? '' });
  const room = FIX_FORM_CHOICES - leading.length - trailing.length;
  const picks = suggestions.slice(0, room).map((suggestion) => suggestionOption(client, suggestion));
  const offered = [...leading, ...picks];
  const options = [...offered.map(({ reachable: _reachable, ...option }) => option), ...trailing];
  const typed = back?.typed;
  const initial = options.some((option) => option.value === typed?.contact) ? typed!.contact : offered.find((option) => option.reachable)?.value;
  const value: FixValue = { clientId: client.id, ...back, typed: undefined };
  return {
    kind: 'fix-form',
    title: `Fix ${client.name}`,
    text: `Now: ${STATE_LABELS[client.state]}, ${clientLine(client)}`,
    choices: { id: 'contact', label: 'Who receives the report?', options, initial },
    inputs: [{
      id: 'email',
      label: 'Email address',
      kind: 'email',
      placeholder: 'jane@acme.com',
      optional: true,
      initial: typed?.email,
      hint: `Only needed for "${FIX_CHOICES.email}" and "${FIX_CHOICES.addEmail}".`,
    }],
    submit: { action: 'client.fix.submit', label: 'Save', value: JSON.stringify(value) },
  };
}

/** A fix that was not saved: why, what to do instead, and the form again with what was chosen and typed. */
export function fixRefusedView(value: FixValue, sentence: string, next: string): View {
  return {
    kind: 'error',
    tone: 'error',
    text: sentence,
    context: [next],
    buttons: [{ action: 'client.fix', label: 'Open the form again', value: JSON.stringify(value) }],
  };
}

/** A personal (free-mail) address for a company: link it only once the approver confirms. */
export function personalAddressView(client: ClientEntry, value: FixValue, warning: string): View {
  return {
    kind: 'notice',
    tone: 'warning',
    title: `${client.name}: a personal address`,
    text: warning,
    buttons: [
      { action: 'client.fix.confirm', label: 'Link it anyway', value: JSON.stringify(value), style: 'primary' },
      { action: 'client.fix', label: 'Choose another', value: JSON.stringify(value) },
    ],
    context: ['Nothing changes until you press Link it anyway.'],
  };
}

/** Unknown or ambiguous client: the closest names as buttons that continue the same command. */
export function clientChoiceView(prefix: string, text: string, lookup: Exclude<ClientLookup, { kind: 'found' }>, command: PickValue['command'], period?: string, hours?: number | null, mapTo?: PickValue['mapTo']): View {
  const candidates = lookup.kind === 'ambiguous' ? lookup.candidates : lookup.suggestions;
  const buttons = candidates.slice(0, 5).map<Button>((client) => ({
    action: 'client.pick',
    label: client.name,
    value: JSON.stringify({ command, clientId: client.id, period, ...(hours === undefined ? {} : { hours }), ...(mapTo ? { mapTo } : {}) } satisfies PickValue),
  }));
  if (lookup.kind === 'ambiguous') {
    return { kind: 'client-choice', tone: 'warning', text: `Several clients match "${text}". Which one?`, buttons };
  }
  return {
    kind: 'client-choice',
    tone: 'warning',
    text: buttons.length ? `I can't find a client called "${text}". Did you mean one of these?` : `I can't find a client called "${text}".`,
    buttons,
    context: [`See every client with ${typedCommand(prefix, 'clients')}`],
  };
}

export function progressView(clientName: string, periodLabel: string, update?: ProgressUpdate): View {
  return {
    kind: 'progress',
    tone: 'info',
    title: `${clientName}: ${periodLabel}`,
    text: update?.text ?? 'Starting…',
    context: ['Working on it; this message updates as it goes.'],
  };
}

function summaryFacts(report: ReportSummary): View['facts'] {
  return [
    { label: 'Client', value: report.client.name },
    { label: 'Period', value: report.period.label },
    { label: 'Tickets', value: String(report.ticketCount) },
    { label: 'Recipient', value: report.recipient ? `${report.recipient}${report.copyTo ? ` (copy to ${report.copyTo})` : ''}` : 'none linked' },
    ...sourceFacts(report),
  ];
}

/** One fact per data source the client is mapped to: its headline, or why its section is missing. */
export function sourceFacts(report: ReportSummary): Fact[] {
  return (report.sources ?? []).map((source) => ({ label: source.label, value: sourceHeadlineText(source) }));
}

function viewButton(report: ReportSummary): Button {
  return { action: 'report.open', label: 'View report', value: report.id, url: report.viewUrl };
}

/** View report, and Download PDF when the report has one. */
function linkButtons(report: ReportSummary): Button[] {
  return report.pdfUrl ? [viewButton(report), { action: 'report.open', label: 'Download PDF', value: report.id, url: report.pdfUrl }] : [viewButton(report)];
}

/** Who generated the report and when, and why it has no PDF when it has none. */
function reportContext(report: ReportSummary): string[] {
  return [`Generated by ${report.createdBy}, ${formatWhen(report.createdAt)}`, ...(report.pdfProblem ? [`No PDF: ${report.pdfProblem}.`] : [])];
}

/** "Send the report?" naming the client, the recipient and the internal copy. */
export function sendConfirm(report: ReportSummary): Confirm {
  const copy = report.copyTo ? ` and a copy to ${report.copyTo}` : '';
  return { title: 'Send the report?', text: `Send the ${report.period.label} report for ${report.client.name} to ${report.recipient}${copy}?`, confirm: 'Send', deny: 'Cancel' };
}

/** "Send a second email?": to whom, when the period went out, and the figures that changed since. */
export function resendConfirm(report: ReportSummary, periodSend: PeriodSend): Confirm {
  const copy = report.copyTo ? ` (copy to ${report.copyTo})` : '';
  return {
    title: 'Send a second email?',
    text: `This emails the ${report.period.label} report for ${report.client.name} a second time, to ${report.recipient}${copy}. ${periodSentSentence(periodSend)} ${changesSinceSent(periodSend, report.figures)}`,
    confirm: 'Send again',
    deny: 'Cancel',
  };
}

/** Send again (approvers only, behind its confirmation) once the period went out; Send to client before. */
function sendButton(report: ReportSummary): Button | undefined {
  if (!report.recipient) return undefined;
  const value: SendValue = { reportId: report.id, ...confirmationOf(report) };
  if (report.periodSend) {
    const again: ResendValue = { ...value, after: report.periodSend.sendId };
    return { action: 'report.resend', label: 'Send again', value: JSON.stringify(again), confirm: resendConfirm(report, report.periodSend) };
  }
  return { action: 'report.send', label: 'Send to client', value: JSON.stringify(value), style: 'primary', confirm: sendConfirm(report) };
}

/** "October 2026 went to … on 3 Nov 2026 by Dana.", and what changed since when this is a newer report. */
function periodSentLine(report: ReportSummary): string | undefined {
  const { periodSend } = report;
  if (!periodSend) return undefined;
  return periodSend.reportId === report.id ? periodSentSentence(periodSend) : `${periodSentSentence(periodSend)} ${changesSinceSent(periodSend, report.figures)}`;
}

/** The approval card: KPI tiles, View report, Download PDF, Send to client (confirmed) or Send again, Send test to me, Discard. */
export function summaryView(report: ReportSummary, note?: string): View {
  const buttons: Button[] = linkButtons(report);
  const send = sendButton(report);
  if (send) buttons.push(send);
  else buttons.push(fixButton({ id: report.client.id, name: report.client.name, state: 'no-contact' }, { reportId: report.id }));
  buttons.push({ action: 'report.test', label: 'Send test to me', value: report.id });
  if (report.send?.status !== 'sent') buttons.push({
    action: 'report.discard',
    label: 'Discard',
    value: report.id,
    style: 'danger',
    confirm: { title: 'Discard the report?', text: `Discard the ${report.period.label} report for ${report.client.name}? Nothing is sent.`, confirm: 'Discard', deny: 'Keep' },
  });
  const context = reportContext(report);
  if (!report.recipient) context.unshift(`${report.client.name} has no linked Mailchimp contact yet; fix it before sending.`);
  const text = [note, periodSentLine(report)].filter(Boolean).join(' ');
  return {
    kind: 'report',
    tone: note ? 'warning' : 'info',
    title: `${report.client.name}: ${report.period.label}`,
    text: text || undefined,
    tiles: report.figures,
    facts: summaryFacts(report),
    buttons,
    context,
  };
}

/** After sending: who sent it, when, to whom. Only the links: a card that showed "Sent" never offers a send again. */
export function sentView(report: ReportSummary, send = report.send!): View {
  return {
    kind: 'report-sent',
    tone: send.status === 'sent' ? 'success' : 'warning',
    title: `${report.client.name}: ${report.period.label}`,
    text: send.status === 'sent'
      ? `Sent to ${send.to.join(', ')} by ${send.sentBy}, ${formatWhen(send.sentAt)}.`
      : `Sending to ${send.to.join(', ')} (requested by ${send.sentBy}) is ${send.status === 'failed' ? 'failed' : 'in progress'}.${send.error ? ` ${send.error}` : ''}`,
    tiles: report.figures,
    buttons: linkButtons(report),
    context: reportContext(report),
  };
}

export function discardedView(report: ReportSummary, by?: string): View {
  return {
    kind: 'report-discarded',
    tone: 'warning',
    title: `${report.client.name}: ${report.period.label}`,
    text: by ? `Discarded by ${by}. Nothing was sent.` : 'This report was discarded. Nothing was sent.',
    buttons: [{
      action: 'report.generate',
      label: 'Generate again',
      value: JSON.stringify({ clientId: report.client.id, period: report.period.key } satisfies GenerateValue),
    }],
  };
}

/** "No report for that period yet: generate it first", with the command and a button that generates it. */
export function missingReportView(prefix: string, client: { id: number; name: string }, period: { key: string; label: string }): View {
  return {
    kind: 'report-missing',
    tone: 'warning',
    text: `There is no ${period.label} report for ${client.name} yet: generate it first with ${typedCommand(prefix, `generate ${quotedName(client.name)} ${period.key}`)}, check it, then send it.`,
    buttons: [{
      action: 'report.generate',
      label: `Generate ${period.label}`,
      value: JSON.stringify({ clientId: client.id, period: period.key } satisfies GenerateValue),
      style: 'primary',
    }],
  };
}

function reportState(report: ReportSummary): string {
  if (report.send?.status === 'sent') return `sent to ${report.send.to.join(', ')} by ${report.send.sentBy}, ${formatWhen(report.send.sentAt)}`;
  if (report.send) return `sending ${report.send.status}`;
  if (report.discarded) return 'discarded';
  return 'waiting for approval';
}

export function historyView(client: { id: number; name: string }, reports: ReportSummary[]): View {
  if (reports.length === 0) {
    return { kind: 'history', title: `History: ${client.name}`, text: 'No reports yet.', buttons: [] };
  }
  const recent = [...reports].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, HISTORY_LIMIT);
  const sections: Section[] = recent.map((report) => ({
    title: report.period.label,
    text: `Generated by ${report.createdBy}, ${formatWhen(report.createdAt)}; ${reportState(report)}`,
    accessory: viewButton(report),
  }));
  return {
    kind: 'history',
    title: `History: ${client.name}`,
    sections,
    context: reports.length > HISTORY_LIMIT ? [`Showing the ${HISTORY_LIMIT} most recent of ${reports.length} reports.`] : undefined,
  };
}

export function statusView(status: Awaited<ReturnType<BotServices['status']>>): View {
  return {
    kind: 'status',
    title: 'IntegoReport status',
    tone: status.sandbox ? 'warning' : 'info',
    text: status.sandbox ? 'Sandbox mode: simulated Freshservice and Mailchimp, nothing reaches real clients.' : 'Live: connected to Freshservice and Mailchimp.',
    facts: [
      { label: 'Clients', value: `${status.clients} (${status.linked} linked)` },
      { label: 'Reports', value: String(status.reports) },
      { label: 'Sends', value: String(status.sends) },
      { label: 'Last sync', value: status.lastSync ? formatWhen(status.lastSync) : 'never' },
    ],
  };
}
