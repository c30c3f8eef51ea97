import type { Clock } from '../clock.js';
import { readAccount, type AccountSettings, type FreshserviceAccount } from './account.js';
import type { FreshserviceClient } from './client.js';
import type { TicketMirror } from './mirror.js';
import type { FreshserviceAgent, FreshserviceDepartment, FreshserviceFormField, FreshserviceRequester } from './types.js';

export const DIRECTORY_TTL_MS = 24 * 60 * 60 * 1000;

export interface CacheOptions {
  /** Ignore the cached copy and ask Freshservice again. */
  refresh?: boolean;
}

/** Account-level lists that change rarely, each fetched once and cached in the mirror for a day. */
export interface FreshserviceDirectory {
  /** The account's mode, workspaces, MSP clients and the ticket listings that cover them. */
  account(options?: CacheOptions): Promise<FreshserviceAccount>;
  /** Employee Support Mode's departments (the client companies): account-wide, or of the one workspace set. */
  listDepartments(options?: CacheOptions): Promise<FreshserviceDepartment[]>;
  /** Every requester; for MSPs every client's contacts, listed client by client. */
  listRequesters(options?: CacheOptions): Promise<FreshserviceRequester[]>;
  listAgents(options?: CacheOptions): Promise<FreshserviceAgent[]>;
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

export function createDirectory(deps: { client: FreshserviceClient; mirror: TicketMirror; clock: Clock; settings?: AccountSettings; ttlMs?: number }): FreshserviceDirectory {
  const { client, mirror, clock } = deps;
  const settings = deps.settings ?? {};
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

  const account = (options: CacheOptions = {}) => cached('account', options, () => readAccount(client, settings));

  return {
    account,
    listDepartments: (options = {}) =>
      cached('departments', options, () =>
        all<FreshserviceDepartment>('/departments', 'departments', typeof settings.workspace === 'number' ? { workspace_id: settings.workspace } : {}),
      ),
    listRequesters: (options = {}) =>
      cached('requesters', options, async () => {
        const { mode, clients } = await account(options);
        if (mode === 'esm') return all<FreshserviceRequester>('/requesters', 'requesters');
        // "Without belongs_to_workspace_ids … all contacts with belongs_to_workspace_ids=2": one listing per client.
        const perClient = await Promise.all(clients.map((workspace) => all<FreshserviceRequester>('/requesters', 'requesters', { belongs_to_workspace_ids: workspace.id })));
        return perClient.flat();
      }),
    listAgents: (options = {}) => cached('agents', options, () => all<FreshserviceAgent>('/agents', 'agents')),
    listFormFields: (options = {}) =>
      cached('form-fields', options, async () => {
        const response = await client.get<{ ticket_fields?: FreshserviceFormField[]; ticket_form_fields?: FreshserviceFormField[] }>('/ticket_form_fields');
        return response.data.ticket_fields ?? response.data.ticket_form_fields ?? [];
      }),
  };
}
