import type { Clock } from '../clock.js';
import type { FreshserviceClient } from './client.js';
import type { TicketMirror } from './mirror.js';
import type { FreshserviceAgent, FreshserviceDepartment, FreshserviceFormField, FreshserviceRequester } from './types.js';

export const DIRECTORY_TTL_MS = 24 * 60 * 60 * 1000;

export interface CacheOptions {
  /** Ignore the cached copy and ask Freshservice again. */
  refresh?: boolean;
}

export interface PeopleDirectory {
  requesters: FreshserviceRequester[];
  agents: FreshserviceAgent[];
}

/** Account-level lists that change rarely, each fetched once and cached in the mirror for a day. */
export interface FreshserviceDirectory {
  listDepartments(options?: CacheOptions): Promise<FreshserviceDepartment[]>;
  listRequestersAndAgents(options?: CacheOptions): Promise<PeopleDirectory>;
  listFormFields(options?: CacheOptions): Promise<FreshserviceFormField[]>;
}

const DEFAULT_STATUS_LABELS: Record<string, string> = { '2': 'Open', '3': 'Pending', '4': 'Resolved', '5': 'Closed' };

/** Status code → agent-facing label, custom statuses included. */
export function statusLabelsFrom(fields: FreshserviceFormField[]): Record<string, string> {
  const status = fields.find((field) => field.name === 'status');
  const labels: Record<string, string> = { ...DEFAULT_STATUS_LABELS };
  for (const choice of status?.choices ?? []) labels[String(choice.id)] = choice.value;
  return labels;
}

export function createDirectory(deps: { client: FreshserviceClient; mirror: TicketMirror; clock: Clock; ttlMs?: number }): FreshserviceDirectory {
  const { client, mirror, clock } = deps;
  const ttlMs = deps.ttlMs ?? DIRECTORY_TTL_MS;
  const pending = new Map<string, Promise<unknown>>();

  /** One fetch per name at a time; concurrent callers share it. */
  function cached<T>(name: string, options: CacheOptions, fetch: () => Promise<T>): Promise<T> {
    const running = pending.get(name) as Promise<T> | undefined;
    if (running) return running;
    const work = (async () => {
      if (!options.refresh) {
        const hit = await mirror.readCache<T>(name, ttlMs, clock.now());
        if (hit !== undefined) return hit;
      }
      const value = await fetch();
      await mirror.writeCache(name, value, clock.now());
      return value;
    })().finally(() => pending.delete(name));
    pending.set(name, work);
    return work;
  }

  async function all<T>(path: string, key: string, params: Record<string, string | number> = {}): Promise<T[]> {
    const items: T[] = [];
    for await (const page of client.paginate<T>(path, { key, params: { per_page: 100, ...params } })) items.push(...page);
    return items;
  }

  return {
    listDepartments: (options = {}) => cached('departments', options, () => all<FreshserviceDepartment>('/departments', 'departments')),
    listRequestersAndAgents: (options = {}) =>
      cached('people', options, async () => {
        const [requesters, agents] = await Promise.all([
          all<FreshserviceRequester>('/requesters', 'requesters'),
          all<FreshserviceAgent>('/agents', 'agents'),
        ]);
        return { requesters, agents };
      }),
    listFormFields: (options = {}) =>
      cached('form-fields', options, async () => {
        const response = await client.get<{ ticket_fields?: FreshserviceFormField[]; ticket_form_fields?: FreshserviceFormField[] }>('/ticket_form_fields');
        return response.data.ticket_fields ?? response.data.ticket_form_fields ?? [];
      }),
  };
}
