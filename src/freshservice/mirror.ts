import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../store/files.js';
import type { FreshserviceCsatResponse, FreshserviceTicket, FreshserviceTimeEntry } from './types.js';

export const MIRROR_VERSION = 1;

/** Per-ticket calls, remembered with the ticket version they were fetched for. */
export interface TicketEnrichment {
  /** The ticket's `updated_at` when these were fetched; a newer ticket version means fetch again. */
  fetchedFor: string;
  timeEntries: FreshserviceTimeEntry[];
  /** Undefined while the ticket was not yet resolved or closed (no survey asked for). */
  csat?: FreshserviceCsatResponse | null;
}

export interface MirrorState {
  version: typeof MIRROR_VERSION;
  /** The account (API base URL) this mirror copies; a different account starts a fresh mirror. */
  account: string;
  /** The mirror holds every ticket updated at or after this instant (null before the first sync). */
  coveredSince: string | null;
  /** max(updated_at) seen; the next sync asks for tickets updated since this minus an overlap. */
  highWaterMark: string | null;
  /** When tickets still open but last updated before `coveredSince` were swept in (once per mirror). */
  openSweptAt: string | null;
  syncedAt: string | null;
  /** When deleted and spam tickets were last looked up and dropped (daily). */
  reconciledAt?: string | null;
  tickets: Record<string, FreshserviceTicket>;
  enrichment: Record<string, TicketEnrichment>;
}

/** Keeps the newest version of a ticket; a listed ticket with stats beats a stats-less copy of the same version. */
export function upsertTicket(state: MirrorState, ticket: FreshserviceTicket): boolean {
  const key = String(ticket.id);
  const existing = state.tickets[key];
  if (existing) {
    if (existing.updated_at > ticket.updated_at) return false;
    if (existing.updated_at === ticket.updated_at && (existing.stats || !ticket.stats)) return false;
  }
  state.tickets[key] = ticket;
  return true;
}

interface Cached<T> {
  fetchedAt: string;
  value: T;
}

/**
 * The local copy of the account's tickets under DATA_DIR/mirror/. Every write replaces a whole file
 * atomically, so a crash leaves the previous state; the puller saves only after a sync completed.
 */
export class TicketMirror {
  readonly directory: string;

  constructor(dataDir: string, private readonly account: string) {
    this.directory = path.join(dataDir, 'mirror');
  }

  private file(name: string): string {
    return path.join(this.directory, name);
  }

  async load(): Promise<MirrorState> {
    const stored = await readJsonFile<MirrorState>(this.file('tickets.json'));
    if (!stored || stored.version !== MIRROR_VERSION || stored.account !== this.account) return this.empty();
    return stored;
  }

  async save(state: MirrorState): Promise<void> {
    await writeJsonAtomic(this.file('tickets.json'), state);
  }

  empty(): MirrorState {
    return {
      version: MIRROR_VERSION,
      account: this.account,
      coveredSince: null,
      highWaterMark: null,
      openSweptAt: null,
      syncedAt: null,
      reconciledAt: null,
      tickets: {},
      enrichment: {},
    };
  }

  /** A cached list (departments, form fields, requesters…) if younger than `ttlMs`. */
  async readCache<T>(name: string, ttlMs: number, now: Date): Promise<T | undefined> {
    const cached = await readJsonFile<Cached<T> & { account?: string }>(this.file(`${name}.json`));
    if (!cached || cached.account !== this.account) return undefined;
    const age = now.getTime() - Date.parse(cached.fetchedAt);
    return age >= 0 && age < ttlMs ? cached.value : undefined;
  }

  async writeCache<T>(name: string, value: T, now: Date): Promise<void> {
    await writeJsonAtomic(this.file(`${name}.json`), { account: this.account, fetchedAt: now.toISOString(), value });
  }
}
