import type { Clock } from '../clock.js';
import type { FreshserviceDirectory } from '../freshservice/directory.js';
import type { FreshserviceAgent, FreshserviceDepartment, FreshserviceRequester, FreshserviceWorkspace } from '../freshservice/types.js';
import type { Logger } from '../logger.js';
import type { DirectoryStore, SyncSummary } from './directory-store.js';
import { ClientError } from './errors.js';
import { linkDirectory, type AudienceMember, type ContactPerson, type DirectoryClient } from './linking.js';
import { emailDomain } from './names.js';

/** Where the directory's Freshservice side comes from: every client with what the linking rules read. */
export interface FreshserviceDirectorySource {
  clients(): Promise<DirectoryClient[]>;
}

/**
 * The clients as the account's mode has them, freshly listed. Employee Support Mode: departments with
 * their prime and head users (one listing of requesters, and of agents only when a named user is not a
 * requester) and domains. MSP mode: the client workspaces with their primary contact, and their email
 * domains together with their contacts' domains (departments there carry no head, prime or domains).
 */
export function freshserviceDirectorySource(directory: FreshserviceDirectory): FreshserviceDirectorySource {
  const fresh = { refresh: true };
  return {
    async clients() {
      const account = await directory.account(fresh);
      if (account.mode === 'msp') return toMspDirectoryClients(account.clients, await directory.listRequesters(fresh));
      const departments = await directory.listDepartments(fresh);
      const ids = namedUserIds(departments);
      if (ids.size === 0) return toDirectoryClients(departments, { requesters: [], agents: [] });
      const requesters = await directory.listRequesters(fresh);
      const found = new Set(requesters.map((requester) => requester.id));
      const agents = [...ids].some((id) => !found.has(id)) ? await directory.listAgents(fresh) : [];
      return toDirectoryClients(departments, { requesters, agents });
    },
  };
}

/** The user ids every department names as prime or head. */
function namedUserIds(departments: readonly FreshserviceDepartment[]): Set<number> {
  const ids = new Set<number>();
  for (const department of departments) {
    if (department.prime_user_id) ids.add(department.prime_user_id);
    if (department.head_user_id) ids.add(department.head_user_id);
  }
  return ids;
}

/** Departments with their prime and head users resolved from one listing of people. */
export function toDirectoryClients(
  departments: readonly FreshserviceDepartment[],
  people: { requesters: readonly FreshserviceRequester[]; agents: readonly FreshserviceAgent[] },
): DirectoryClient[] {
  const byId = new Map<number, ContactPerson>();
  for (const agent of people.agents) {
    byId.set(agent.id, { firstName: agent.first_name ?? '', lastName: agent.last_name ?? '', email: agent.email ?? undefined });
  }
  for (const requester of people.requesters) {
    byId.set(requester.id, { firstName: requester.first_name ?? '', lastName: requester.last_name ?? '', email: requester.primary_email ?? undefined });
  }
  const person = (id: number | null | undefined) => (id ? byId.get(id) : undefined);
  return byName(
    departments.map((department) => ({
      id: department.id,
      name: department.name.trim(),
      domains: (department.domains ?? []).map((domain) => domain.trim().toLowerCase()).filter(Boolean),
      prime: person(department.prime_user_id),
      head: person(department.head_user_id),
    })),
  );
}

/**
 * Mail providers anyone can sign up with: a contact's address there says nothing about the company.
 * A domain that contacts of more than one client use is left out for the same reason.
 */
const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com', 'ymail.com', 'icloud.com', 'me.com',
  'mac.com', 'aol.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.net', 'mail.com', 'zoho.com', 'yandex.com', 'fastmail.com',
]);

/**
 * MSP clients (workspaces) for the linking rules: the primary contact plays the prime user's part, and the
 * domains are the client's email domains plus those of its contacts' addresses that belong to it alone.
 */
export function toMspDirectoryClients(clients: readonly FreshserviceWorkspace[], contacts: readonly FreshserviceRequester[]): DirectoryClient[] {
  const clientOf = (contact: FreshserviceRequester) => contact.belongs_to_workspace_ids?.[0];
  const usedBy = new Map<string, Set<number | undefined>>();
  for (const contact of contacts) {
    const domain = emailDomain(contact.primary_email ?? '');
    if (!domain) continue;
    if (!usedBy.has(domain)) usedBy.set(domain, new Set());
    usedBy.get(domain)!.add(clientOf(contact));
  }
  const ownDomain = (domain: string) => !PUBLIC_MAIL_DOMAINS.has(domain) && usedBy.get(domain)?.size === 1;
  return byName(
    clients.map((workspace) => {
      const contact = workspace.metadata?.primary_contact;
      const listed = (workspace.metadata?.email_domains ?? []).map((domain) => domain.trim().toLowerCase());
      const contactDomains = contacts.filter((candidate) => clientOf(candidate) === workspace.id).map((candidate) => emailDomain(candidate.primary_email ?? '')).filter(ownDomain);
      const prime = contact && (contact.first_name || contact.last_name) ? { firstName: contact.first_name ?? '', lastName: contact.last_name ?? '', email: contact.email ?? undefined } : undefined;
      return { id: workspace.id, name: workspace.name.trim(), domains: [...new Set([...listed, ...contactDomains])].filter(Boolean), prime };
    }),
  );
}

function byName(clients: DirectoryClient[]): DirectoryClient[] {
  return clients.sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}

export interface SyncDependencies {
  store: DirectoryStore;
  source: FreshserviceDirectorySource;
  audience: { listAll(): Promise<AudienceMember[]> };
  clock: Clock;
  logger: Logger;
  /** Requests made so far per service, to report what a sync cost. */
  requestCounts?: () => { freshservice: number; mailchimp: number };
}

/**
 * Reads every department and audience member, applies the linking rules and saves the result in one
 * write. Links people made are kept. If anything fails before that write, the directory is unchanged.
 */
export async function syncDirectory(deps: SyncDependencies): Promise<SyncSummary> {
  const before = deps.requestCounts?.();
  const started = deps.clock.now().toISOString();
  let clients: DirectoryClient[];
  let audience: AudienceMember[];
  try {
    [clients, audience] = await Promise.all([deps.source.clients(), deps.audience.listAll()]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.warn({ err: error }, 'client sync failed; the directory was left as it was');
    await deps.store.update((data) => {
      data.lastSyncFailure = { at: started, message };
    });
    throw new ClientError(`The client sync failed, so the client list was left as it was: ${message}`, { cause: error });
  }

  const after = deps.requestCounts?.();
  return deps.store.update((data) => {
    const { entries, autoLinks } = linkDirectory({ ...data, clients, audience }, started);
    const summary: SyncSummary = {
      at: started,
      clients: clients.length,
      members: audience.length,
      linked: entries.filter((entry) => entry.state === 'linked').length,
      requests: {
        freshservice: (after?.freshservice ?? 0) - (before?.freshservice ?? 0),
        mailchimp: (after?.mailchimp ?? 0) - (before?.mailchimp ?? 0),
      },
    };
    Object.assign(data, { clients, audience, entries, autoLinks, lastSync: summary, lastSyncFailure: undefined });
    deps.logger.info({ clients: summary.clients, members: summary.members, linked: summary.linked, requests: summary.requests }, 'client sync finished');
    return summary;
  });
}
