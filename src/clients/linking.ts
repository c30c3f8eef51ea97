import type { ClientEntry, LinkVia } from './types.js';
import { displayName, emailDomain, nameKey } from './names.js';

export type MemberStatus = 'subscribed' | 'unsubscribed' | 'cleaned' | 'pending' | 'transactional' | 'archived';

/** An audience member as linking needs it (Mailchimp's email_address, status, FNAME, LNAME). */
export interface AudienceMember {
  email: string;
  status: MemberStatus;
  firstName: string;
  lastName: string;
}

/** A person Freshservice names for a department (its prime or head user). */
export interface ContactPerson {
  firstName: string;
  lastName: string;
  email?: string;
}

/** A Freshservice department (a client company) with its contacts resolved. */
export interface DirectoryClient {
  id: number;
  name: string;
  domains: string[];
  prime?: ContactPerson;
  head?: ContactPerson;
}

/** How a link was made, by whom and when. */
export interface LinkRecord {
  email: string;
  via: LinkVia;
  by: string;
  at: string;
}

export type LinkDecision =
  | { state: 'linked'; member: AudienceMember; via: LinkVia }
  | { state: 'problem'; member?: AudienceMember; email: string; via: LinkVia; reason: string }
  | { state: 'ambiguous'; via: LinkVia; candidates: AudienceMember[]; reason: string }
  | { state: 'to-add'; contact: ContactPerson; reason: string }
  | { state: 'no-contact'; reason: string };

export interface AudienceIndex {
  byEmail: Map<string, AudienceMember>;
  byName: Map<string, AudienceMember[]>;
  byDomain: Map<string, AudienceMember[]>;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function indexAudience(members: readonly AudienceMember[]): AudienceIndex {
  const index: AudienceIndex = { byEmail: new Map(), byName: new Map(), byDomain: new Map() };
  const push = (map: Map<string, AudienceMember[]>, key: string, member: AudienceMember) => {
    if (!key) return;
    const list = map.get(key);
    if (list) list.push(member);
    else map.set(key, [member]);
  };
  for (const member of members) {
    const email = normalizeEmail(member.email);
    if (index.byEmail.has(email)) continue;
    index.byEmail.set(email, member);
    push(index.byName, nameKey(member.firstName, member.lastName), member);
    push(index.byDomain, emailDomain(email), member);
  }
  return index;
}

/** Whether campaigns and reports can reach this member. */
export function isReachable(status: MemberStatus): boolean {
  return status === 'subscribed' || status === 'transactional';
}

/** Why a member cannot receive reports, in one sentence. */
export function unreachableReason(member: AudienceMember): string {
  const email = member.email;
  switch (member.status) {
    case 'unsubscribed':
      return `${email} is unsubscribed in Mailchimp`;
    case 'cleaned':
      return `${email} is cleaned in Mailchimp (its emails bounced)`;
    case 'archived':
      return `${email} is archived in Mailchimp`;
    case 'pending':
      return `${email} has not confirmed the subscription in Mailchimp yet (pending)`;
    default:
      return `${email} is ${member.status} in Mailchimp`;
  }
}

/** The client's email domains, lower-case, each once. */
export function clientDomains(client: DirectoryClient): string[] {
  return [...new Set(client.domains.map((domain) => domain.trim().toLowerCase()).filter(Boolean))];
}

export function memberName(member: AudienceMember): string {
  return displayName(member.firstName, member.lastName);
}

export function personName(person: ContactPerson): string {
  return displayName(person.firstName, person.lastName);
}

export interface LinkOverrides {
  /** A link a person made; it wins over every rule. */
  manual?: LinkRecord;
  /** Emails a person unlinked from this client; the rules never pick them again. */
  excluded?: ReadonlySet<string>;
}

/**
 * The prototype's rules, in order: prime user's name, head user's name, a member on one of the
 * company's domains, else "to add" when Freshservice names a contact, else "no contact". A manual
 * link wins over all of them. Unreachable members and duplicate names are reported, never picked.
 */
export function decideLink(client: DirectoryClient, audience: AudienceIndex, overrides: LinkOverrides = {}): LinkDecision {
  if (overrides.manual) return decideManual(overrides.manual, audience);
  const excluded = overrides.excluded ?? new Set<string>();
  const usable = (members: readonly AudienceMember[] | undefined) =>
    uniqueByEmail(members ?? []).filter((member) => !excluded.has(normalizeEmail(member.email)));

  const byName: Array<[LinkVia, ContactPerson | undefined]> = [
    ['prime-name', client.prime],
    ['head-name', client.head],
  ];
  for (const [via, person] of byName) {
    const key = person ? nameKey(person.firstName, person.lastName) : '';
    if (!key) continue;
    const matches = usable(audience.byName.get(key));
    if (matches.length === 0) continue;
    // The same name twice is a question, unless one of them has the very address Freshservice holds for the person.
    const exact = sameEmail(matches, person!);
    if (exact) return linkedOrProblem(exact, via);
    if (matches.length > 1) {
      return {
        state: 'ambiguous',
        via,
        candidates: matches,
        reason: `${matches.length} audience members are named ${personName(person!)}: ${matches.map((member) => member.email).join(', ')}`,
      };
    }
    return linkedOrProblem(matches[0]!, via);
  }

  const domains = clientDomains(client);
  const onDomain = usable(domains.flatMap((domain) => audience.byDomain.get(domain) ?? []));
  if (onDomain.length > 0) {
    const reachable = onDomain.filter((member) => isReachable(member.status));
    if (reachable.length === 1) return { state: 'linked', member: reachable[0]!, via: 'domain' };
    const exact = [client.prime, client.head].map((person) => (person ? sameEmail(reachable, person) : undefined)).find(Boolean);
    if (exact) return { state: 'linked', member: exact, via: 'domain' };
    if (reachable.length > 1) {
      return {
        state: 'ambiguous',
        via: 'domain',
        candidates: reachable,
        reason: `${reachable.length} audience members use ${domains.join(' or ')}: ${reachable.map((member) => member.email).join(', ')}`,
      };
    }
    if (onDomain.length === 1) return linkedOrProblem(onDomain[0]!, 'domain');
    return {
      state: 'problem',
      email: onDomain[0]!.email,
      via: 'domain',
      reason: `every audience member on ${domains.join(' or ')} is unsubscribed, cleaned, archived or pending (${onDomain.map((member) => member.email).join(', ')})`,
    };
  }

  const named = [client.prime, client.head].filter((person): person is ContactPerson => !!person && !!personName(person));
  if (named.length > 0) {
    const contact = named.find((person) => person.email) ?? named[0]!;
    const role = contact === client.prime ? 'prime' : 'head';
    return {
      state: 'to-add',
      contact,
      reason: contact.email
        ? `${personName(contact)} (${role} user in Freshservice) is not in the Mailchimp audience`
        : `${personName(contact)} (${role} user in Freshservice) is not in the Mailchimp audience and has no email address in Freshservice`,
    };
  }
  return {
    state: 'no-contact',
    reason: domains.length
      ? `Freshservice names no prime or head user for ${client.name} and no audience member uses ${domains.join(' or ')}`
      : `Freshservice names no prime or head user and no domain for ${client.name}`,
  };
}

/** The member whose address is exactly the person's Freshservice address, if any. */
function sameEmail(members: readonly AudienceMember[], person: ContactPerson): AudienceMember | undefined {
  if (!person.email) return undefined;
  const email = normalizeEmail(person.email);
  return members.find((member) => normalizeEmail(member.email) === email);
}

function decideManual(manual: LinkRecord, audience: AudienceIndex): LinkDecision {
  const member = audience.byEmail.get(normalizeEmail(manual.email));
  if (!member) {
    return { state: 'problem', email: manual.email, via: 'manual', reason: `${manual.email} is no longer in the Mailchimp audience` };
  }
  return linkedOrProblem(member, 'manual');
}

function linkedOrProblem(member: AudienceMember, via: LinkVia): LinkDecision {
  return isReachable(member.status)
    ? { state: 'linked', member, via }
    : { state: 'problem', member, email: member.email, via, reason: unreachableReason(member) };
}

/** The members with the first of each email address kept (case and surrounding spaces ignored). */
export function uniqueByEmail(members: readonly AudienceMember[]): AudienceMember[] {
  const seen = new Set<string>();
  return members.filter((member) => {
    const email = normalizeEmail(member.email);
    if (seen.has(email)) return false;
    seen.add(email);
    return true;
  });
}

/** What chat shows for a client: its link state, the contact and how the link was made. */
export function toClientEntry(client: DirectoryClient, decision: LinkDecision, record?: LinkRecord): ClientEntry {
  const domains = clientDomains(client);
  const entry: ClientEntry = { id: client.id, name: client.name, state: decision.state, ...(domains.length > 0 ? { domains } : {}) };
  switch (decision.state) {
    case 'linked':
      entry.email = decision.member.email;
      entry.contactName = memberName(decision.member) || undefined;
      entry.via = decision.via;
      break;
    case 'problem':
      entry.email = decision.email;
      entry.contactName = decision.member ? memberName(decision.member) || undefined : undefined;
      entry.via = decision.via;
      entry.reason = decision.reason;
      break;
    case 'ambiguous':
      entry.via = decision.via;
      entry.reason = decision.reason;
      break;
    case 'to-add':
      entry.contactName = personName(decision.contact);
      entry.reason = decision.reason;
      if (decision.contact.email) {
        entry.contactToAdd = { email: decision.contact.email, firstName: decision.contact.firstName.trim(), lastName: decision.contact.lastName.trim() };
      }
      break;
    case 'no-contact':
      entry.reason = decision.reason;
      break;
  }
  if (record && entry.email && normalizeEmail(record.email) === normalizeEmail(entry.email) && record.via === entry.via) {
    entry.linkedBy = record.by;
    entry.linkedAt = record.at;
  }
  return entry;
}

/** What a directory holds that linking reads: clients, audience, and the links and exclusions people made. */
export interface DirectoryLinks {
  clients: readonly DirectoryClient[];
  audience: readonly AudienceMember[];
  autoLinks: Readonly<Record<string, LinkRecord>>;
  manualLinks: Readonly<Record<string, LinkRecord>>;
  exclusions: Readonly<Record<string, ReadonlyArray<{ email: string }>>>;
}

/** The actor name recorded on links the rules made. */
export const SYNC_ACTOR = 'sync';

/**
 * Applies the rules to every client (or only `onlyIds`), returning the entries and the automatic
 * link records; a rule link that did not change keeps the time it was first made.
 */
export function linkDirectory(
  directory: DirectoryLinks,
  at: string,
  onlyIds?: ReadonlySet<number>,
): { entries: ClientEntry[]; autoLinks: Record<string, LinkRecord> } {
  const audience = indexAudience(directory.audience);
  const autoLinks: Record<string, LinkRecord> = { ...directory.autoLinks };
  const entries: ClientEntry[] = [];
  for (const client of directory.clients) {
    if (onlyIds && !onlyIds.has(client.id)) continue;
    const key = String(client.id);
    const manual = directory.manualLinks[key];
    const excluded = new Set((directory.exclusions[key] ?? []).map((entry) => normalizeEmail(entry.email)));
    const decision = decideLink(client, audience, { manual, excluded });
    let record = manual;
    if (!manual) {
      const previous = directory.autoLinks[key];
      const email = decision.state === 'linked' ? decision.member.email : decision.state === 'problem' ? decision.email : undefined;
      const via = decision.state === 'linked' || decision.state === 'problem' ? decision.via : undefined;
      if (email && via) {
        record = previous && normalizeEmail(previous.email) === normalizeEmail(email) && previous.via === via ? previous : { email, via, by: SYNC_ACTOR, at };
        autoLinks[key] = record;
      } else {
        delete autoLinks[key];
      }
    }
    entries.push(toClientEntry(client, decision, record));
  }
  return { entries, autoLinks };
}
