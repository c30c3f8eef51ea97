import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../store/files.js';
import type { FreshserviceCsatResponse, FreshserviceTicket, FreshserviceTimeEntry } from './types.js';

export const MIRROR_VERSION = 3;

/** Per-ticket calls, remembered with the ticket version they were fetched for. */
export interface TicketEnrichment {
  /** The ticket's `updated_at` when these were fetched; a newer ticket version means fetch again. */
  fetchedFor: string;
  timeEntries: FreshserviceTimeEntry[];
  /** Undefined while the ticket was not yet resolved or closed (no survey asked for); null: nobody answered. */
  csat?: FreshserviceCsatResponse | null;
}

/** How far one ticket listing (a workspace, or all of them) reaches. */
export interface ScopeCoverage {
  /** The mirror holds every ticket of the scope updated at or after this instant. */
  coveredSince: string | null;
  /** max(updated_at) seen; the next sync asks for tickets updated since this minus an overlap. */
  highWaterMark: string | null;
  /** When tickets still open but last updated before `coveredSince` were swept in (once per scope). */
  openSweptAt: string | null;
  /** When deleted and spam tickets were last looked up and dropped (daily). */
  reconciledAt: string | null;
}

export interface MirrorState {
  version: typeof MIRROR_VERSION;
  /** The account (API base URL) this mirror copies; a different account starts a fresh mirror. */
  account: string;
  /** Per ticket listing (TicketScope.key): one in Employee Support Mode, one per client for MSPs. */
  scopes: Record<string, ScopeCoverage>;
  syncedAt: string | null;
  tickets: Record<string, FreshserviceTicket>;
  enrichment: Record<string, TicketEnrichment>;
}

export function emptyCoverage(): ScopeCoverage {
  return { coveredSince: null, highWaterMark: null, openSweptAt: null, reconciledAt: null };
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

/** What a save writes: the tickets (with coverage), the per-ticket enrichment, or both. */
export interface MirrorChanges {
  tickets: boolean;
  enrichment: boolean;
}

type TicketsFile = Omit<MirrorState, 'enrichment'>;
interface EnrichmentFile {
  version: typeof MIRROR_VERSION;
  account: string;
  enrichment: MirrorState['enrichment'];
}

/**
 * The local copy of the account's tickets under DATA_DIR/mirror/: `tickets.json` (tickets and coverage)
 * and `enrichment.json` (time entries and CSAT), so a pull that only fetched enrichment does not rewrite
 * megabytes of tickets. Every write replaces a whole file atomically; enrichment names the ticket version
 * it was fetched for, so a crash between the two writes only means fetching it again. The puller saves
 * only after a sync completed. The state last loaded or saved is kept in memory and handed out again while
 * the files are unchanged; a caller whose work failed after changing it must `forget()` it.
 */
export class TicketMirror {
  readonly directory: string;
  private current: { state: MirrorState; stamp: string } | undefined;

  constructor(dataDir: string, private readonly account: string) {
    this.directory = path.join(dataDir, 'mirror');
  }

  private file(name: string): string {
    return path.join(this.directory, name);
  }

  /** Changes whenever another process (or a restore) rewrites either file. */
  private async stamp(): Promise<string> {
    const parts = await Promise.all(
      ['tickets.json', 'enrichment.json'].map((name) =>
        fs.stat(this.file(name)).then(
          (stat) => `${stat.mtimeMs}:${stat.size}`,
          () => 'none',
        ),
      ),
    );
    return parts.join('|');
  }

  async load(): Promise<MirrorState> {
    const stamp = await this.stamp();
    if (this.current && this.current.stamp === stamp) return this.current.state;
    const [tickets, enrichment] = await Promise.all([
      readJsonFile<TicketsFile>(this.file('tickets.json')),
      readJsonFile<EnrichmentFile>(this.file('enrichment.json')),
    ]);
    const ours = (file: { version: number; account: string } | undefined) => !!file && file.version === MIRROR_VERSION && file.account === this.account;
    const state = ours(tickets)
      ? { ...tickets!, enrichment: ours(enrichment) ? enrichment!.enrichment : {} }
      : this.empty();
    this.current = { state, stamp };
    return state;
  }

  async save(state: MirrorState, changes: MirrorChanges = { tickets: true, enrichment: true }): Promise<void> {
    const { enrichment, ...tickets } = state;
    if (changes.tickets) await writeJsonAtomic(this.file('tickets.json'), tickets);
    if (changes.enrichment) await writeJsonAtomic(this.file('enrichment.json'), { version: MIRROR_VERSION, account: this.account, enrichment } satisfies EnrichmentFile);
    this.current = { state, stamp: await this.stamp() };
  }

  /** Drops the state kept in memory: the next load reads the files. */
  forget(): void {
    this.current = undefined;
  }

  empty(): MirrorState {
    return { version: MIRROR_VERSION, account: this.account, scopes: {}, syncedAt: null, tickets: {}, enrichment: {} };
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
