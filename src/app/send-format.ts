import type { SendOutcome } from './ports.js';
import type { SendRecord } from '../store/sends.js';

/** One sentence for a send outcome, for the CLI and plain-text chat replies. */
export function formatSendOutcome(outcome: SendOutcome): string {
  switch (outcome.kind) {
    case 'sent':
      return `Sent to ${outcome.send.to.join(', ')} by ${outcome.send.sentBy}${outcome.send.mailchimpId ? ` (Mailchimp ${outcome.send.mailchimpId})` : ''}.`;
    case 'already-sent':
      return outcome.send.status === 'sent'
        ? `Already sent to ${outcome.send.to.join(', ')} by ${outcome.send.sentBy}${outcome.send.sentAt ? ` at ${outcome.send.sentAt}` : ''}; nothing was sent again.`
        : `${outcome.send.sentBy} is sending it right now (${outcome.send.status}); nothing was sent again.`;
    case 'refused':
    case 'failed':
      return outcome.reason;
  }
}

/** One line per ledger row, newest first: when, which version, state, recipients, who, Mailchimp id. */
export function formatHistory(sends: SendRecord[]): string[] {
  if (sends.length === 0) return ['No sends yet.'];
  return sends.map((send) => {
    const when = send.sentAt ?? send.requestedAt;
    const id = send.campaignId ?? send.messageIds?.[0];
    const resend = send.resendOf ? ` resend of ${send.resendOf}` : '';
    const problem = send.error && send.status !== 'sent' ? ` — ${send.error}` : '';
    return `${when}  ${send.periodLabel} v${send.version}${resend}  ${send.status.padEnd(16)} to ${send.to.join(', ')} by ${send.requestedBy.name}${id ? ` (Mailchimp ${id})` : ''}  [${send.id}]${problem}`;
  });
}

/** One line per email the sandbox "delivered". */
export function formatOutbox(emails: Array<{ sentAt: string; kind: string; to: string[]; subject: string }>): string[] {
  if (emails.length === 0) return ['The sandbox outbox is empty.'];
  return emails.map((email) => `${email.sentAt}  ${email.kind.padEnd(13)} ${email.to.join(', ')}  "${email.subject}"`);
}
