import type { ContactSuggestion } from './types.js';
import { clientDomains, isReachable, memberName, normalizeEmail, personName, uniqueByEmail, type AudienceMember, type ContactPerson, type DirectoryClient } from './linking.js';
import { emailDomain, nameKey, nameSimilarity, withoutInitials } from './names.js';

const SAME_EMAIL = 1;
const SAME_NAME = 1;
const SAME_NAME_BUT_INITIAL = 0.95;
const SAME_DOMAIN = 0.6;
/** Below this, two names are different people. */
const MIN_NAME_SIMILARITY = 0.6;
/** Each extra signal (say, a close name on the company's own domain) lifts the score a little. */
const EXTRA_SIGNAL_BONUS = 0.05;

interface Signal {
  score: number;
  reason: string;
}

/**
 * Audience members that might be the client's contact, best first: the same email or name as its
 * Freshservice prime/head user, a close name ("name 92 % like Jon Smyth"), or the company's domain.
 * Suggestions are for a person to confirm; nothing here links anything.
 */
export function rankSuggestions(client: DirectoryClient, members: readonly AudienceMember[], limit = 5): ContactSuggestion[] {
  const contacts = [client.prime, client.head]
    .filter((person): person is ContactPerson => !!person)
    .map((person) => ({ person, key: nameKey(person.firstName, person.lastName), email: person.email ? normalizeEmail(person.email) : '' }));
  const domains = new Set(clientDomains(client));
  const ranked: Array<ContactSuggestion & { rank: number }> = [];

  for (const member of uniqueByEmail(members)) {
    const email = normalizeEmail(member.email);
    const signals: Signal[] = [];
    const key = nameKey(member.firstName, member.lastName);
    for (const contact of contacts) {
      const name = personName(contact.person);
      if (contact.email && contact.email === email) signals.push({ score: SAME_EMAIL, reason: `same email as ${name} in Freshservice` });
      const signal = nameSignal(key, contact.key, name);
      if (signal) signals.push(signal);
    }
    const domain = emailDomain(email);
    if (domains.has(domain)) signals.push({ score: SAME_DOMAIN, reason: `same domain ${domain}` });
    if (signals.length === 0) continue;

    signals.sort((a, b) => b.score - a.score);
    const rank = signals[0]!.score + EXTRA_SIGNAL_BONUS * (signals.length - 1);
    ranked.push({
      rank,
      email: member.email,
      name: memberName(member),
      status: member.status,
      reason: [...new Set(signals.map((signal) => signal.reason))].join('; '),
      score: Math.round(Math.min(1, rank) * 100) / 100,
    });
  }

  const reachable = (suggestion: ContactSuggestion) => (isReachable(suggestion.status as AudienceMember['status']) ? 0 : 1);
  return ranked
    .sort((a, b) => b.rank - a.rank || reachable(a) - reachable(b) || a.email.localeCompare(b.email))
    .slice(0, limit)
    .map(({ rank: _rank, ...suggestion }) => suggestion);
}

function nameSignal(memberKey: string, contactKey: string, contactName: string): Signal | undefined {
  if (!memberKey || !contactKey) return undefined;
  if (memberKey === contactKey) return { score: SAME_NAME, reason: `same name as ${contactName}` };
  const bare = withoutInitials(memberKey);
  if (bare && bare === withoutInitials(contactKey)) {
    return { score: SAME_NAME_BUT_INITIAL, reason: `same name as ${contactName} apart from a middle initial` };
  }
  const similarity = nameSimilarity(memberKey, contactKey);
  if (similarity < MIN_NAME_SIMILARITY) return undefined;
  return { score: similarity * SAME_NAME_BUT_INITIAL, reason: `name ${Math.round(similarity * 100)} % like ${contactName}` };
}
