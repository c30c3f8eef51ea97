/** Whether a send is still what the person confirmed: the same report version, to the same addresses. */
import type { ConfirmedSend } from '../ports.js';

export type RecipientLookup = { email: string } | { problem: string };

function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const normal = (list: readonly string[]) => [...new Set(list.map((address) => address.trim().toLowerCase()))].sort().join('\n');
  return normal(a) === normal(b);
}

function uniqueAddresses(addresses: Array<string | undefined>): string[] {
  const seen = new Set<string>();
  return addresses
    .map((address) => address?.trim())
    .filter((address): address is string => !!address && !seen.has(address.toLowerCase()) && !!seen.add(address.toLowerCase()));
}

/** The client's addresses for a send: its linked contact and the internal copy. */
export function recipientsOf(recipient: RecipientLookup, copyTo: string | undefined): string[] {
  return 'email' in recipient ? uniqueAddresses([recipient.email, copyTo]) : [];
}

/**
 * What changed since the person confirmed a send of `report`: the client's addresses (compared as sets),
 * or the period's report (`current`: a newer draft, or one already sent). The addresses to send to when nothing did.
 */
export function changeSince(
  report: { id: string; clientName: string; periodLabel: string; version: number },
  confirmed: ConfirmedSend,
  now: { recipient: RecipientLookup; current?: { id: string; version: number }; copyTo?: string },
): { reason: string; reportId: string } | { to: string[] } {
  const { recipient, current, copyTo } = now;
  const to = recipientsOf(recipient, copyTo);
  const reportId = current?.id ?? report.id;
  if (!sameAddresses(to, confirmed.to)) {
    const contact = 'email' in recipient
      ? `${recipient.email}${copyTo && to.length > 1 ? ` (copy to ${copyTo})` : ''}`
      : 'no linked contact';
    return { reason: `The contact for ${report.clientName} changed since this card was shown: now ${contact}.`, reportId };
  }
  const version = current?.version ?? report.version;
  if (report.version !== confirmed.version || version !== confirmed.version) {
    return { reason: `The ${report.periodLabel} report for ${report.clientName} changed since this card was shown: now version ${version}.`, reportId };
  }
  return { to };
}
