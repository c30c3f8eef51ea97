import type { Clock } from '../clock.js';
import type { FreshserviceAgent, FreshserviceDepartment, FreshserviceRequester } from '../freshservice/types.js';
import type { Logger } from '../logger.js';
import type { DirectoryStore, SyncSummary } from './directory-store.js';
import { ClientError } from './errors.js';
import { linkDirectory, type AudienceMember, type ContactPerson, type DirectoryClient } from './linking.js';

/** Where the directory's Freshservice side comes from: every department, and the people they name. */
export interface FreshserviceDirectorySource {
  departments(): Promise<FreshserviceDepartment[]>;
  /** Requesters and agents whose ids are in `ids` (a source may list everyone; it must not call once per id). */
  people(ids: ReadonlySet<number>): Promise<{ requesters: FreshserviceRequester[]; agents: FreshserviceAgent[] }>;
}

/** The part of a Freshservice API client this source needs: `paginate` over a list endpoint. */
export interface FreshservicePager {
  paginate<T>(path: string, options: { key: string; params?: Record<string, string | number | boolean | undefined> }): AsyncGenerator<T[], void, undefined>;
}

const PER_PAGE = 100;

async function collect<T>(pages: AsyncGenerator<T[], void, undefined>): Promise<T[]> {
  const items: T[] = [];
  for await (const page of pages) items.push(...page);
  return items;
}

/**
 * Departments and their people through plain list endpoints, 100 per page: one listing of
 * requesters for everyone, and agents only when a prime or head user is not a requester.
 */
export function freshserviceDirectorySource(client: FreshservicePager): FreshserviceDirectorySource {
  return {
    departments: () => collect(client.paginate<FreshserviceDepartment>('/departments', { key: 'departments', params: { per_page: PER_PAGE } })),
    async people(ids) {
      if (ids.size === 0) return { requesters: [], agents: [] };
      const requesters = await collect(client.paginate<FreshserviceRequester>('/requesters', { key: 'requesters', params: { per_page: PER_PAGE } }));
      const found = new Set(requesters.map((requester) => requester.id));
      const missing = [...ids].some((id) => !found.has(id));
      const agents = missing ? await collect(client.paginate<FreshserviceAgent>('/agents', { key: 'agents', params: { per_page: PER_PAGE } })) : [];
      return { requesters, agents };
    },
  };
}

/** The user ids every department names as prime or head. */
export function namedUserIds(departments: readonly FreshserviceDepartment[]): Set<number> {
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
  return departments
    .map((department) => ({
      id: department.id,
      name: department.name.trim(),
      domains: (department.domains ?? []).map((domain) => domain.trim().toLowerCase()).filter(Boolean),
      prime: person(department.prime_user_id),
      head: person(department.head_user_id),
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
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
    const loadClients = async () => {
      const departments = await deps.source.departments();
      return toDirectoryClients(departments, await deps.source.people(namedUserIds(departments)));
    };
    [clients, audience] = await Promise.all([loadClients(), deps.audience.listAll()]);
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
