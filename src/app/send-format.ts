import type { SendOutcome } from './ports.js';

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
    case 'changed':
      return outcome.reason;
  }
}
