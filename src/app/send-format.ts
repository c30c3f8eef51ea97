import type { KeyFigure } from '../report/figures.js';
import type { PeriodSend, SendOutcome } from './ports.js';

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

const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });

/** "October 2026 went to wile.coyote@acmecorp.com on 3 Nov 2026 by Dana Ops." */
export function periodSentSentence(send: Pick<PeriodSend, 'periodLabel' | 'to' | 'sentBy' | 'sentAt'>): string {
  const sentAt = new Date(send.sentAt);
  const day = Number.isNaN(sentAt.getTime()) ? send.sentAt : dayFormat.format(sentAt);
  return `${send.periodLabel} went to ${send.to[0] ?? 'the client'} on ${day} by ${send.sentBy}.`;
}

/** The figures that differ between what went out and the report now: "Tickets 78 → 80". */
export function changedFigures(sent: KeyFigure[], now: KeyFigure[]): string[] {
  return now.flatMap((figure) => {
    const before = sent.find((candidate) => candidate.label === figure.label);
    return before && before.value !== figure.value ? [`${figure.label} ${before.value} → ${figure.value}`] : [];
  });
}

/** What a second email would change for the client: the figures that differ, or that none do. */
export function changesSinceSent(send: PeriodSend, now: KeyFigure[]): string {
  const changes = changedFigures(send.figures, now);
  return changes.length > 0 ? `Changed since: ${changes.join('; ')}.` : 'No figure changed since.';
}
