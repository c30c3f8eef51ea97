import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { checkShape, DataFileError, readDataFile, readJsonData } from '../store/data-file.js';
import { entriesOlderThan, readJsonFile, withLockFile, writeJsonAtomic } from '../store/files.js';
import { silentLogger, type Logger } from '../logger.js';
import { clientIdOf, type AccountMode } from './account.js';
import type { FreshserviceCsatResponse, FreshserviceTicket, FreshserviceTimeEntry } from './types.js';

export const MIRROR_VERSION = 4;
/** The layout before shards: every ticket in `tickets.json`, every enrichment in `enrichment.json`. */
const LEGACY_VERSION = 3;
const LEGACY_FILES = ['tickets.json', 'enrichment.json'];
const INDEX_FILE = 'index.json';
const SHARD_DIR = 'tickets';
/** The shard of the tickets that belong to no client (no department, or no workspace). */
const NO_CLIENT = 'none';
/** Shard files no index names (a save that crashed before its commit) and temporary files a crash left are removed once this old. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;
/** A commit lock older than this was left by a process that died while holding it. */
const STALE_LOCK_MS = 30 * 1000;
const MISSING_SHARD = 'is missing although the mirror index names it';
/** How often a shard file found missing is looked for again while other processes keep committing. */
const MISSING_SHARD_CHECKS = 5;

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

export function emptyCoverage(): ScopeCoverage {
  return { coveredSince: null, highWaterMark: null, openSweptAt: null, reconciledAt: null };
}

/** What the index knows of one shard without reading it. */
interface ShardEntry {
  /** The shard's file under mirror/tickets/; a save writes a new file and the index names it. */
  file: string;
  /** The earliest `created_at` of its tickets. */
  oldestCreatedAt: string | null;
  /** Ticket id → `updated_at` of the copy the shard holds. */
  updatedAt: Record<string, string>;
  /** Ids whose copy came without stats (the open-ticket sweep lists none). */
  withoutStats: number[];
}

interface IndexFile {
  version: typeof MIRROR_VERSION;
  /** The account (API base URL) this mirror copies; a different account starts a fresh mirror. */
  account: string;
  /** How tickets were placed in shards: by department (Employee Support Mode) or by workspace (MSP). */
  mode: AccountMode;
  /** Per ticket listing (TicketScope.key): one in Employee Support Mode, one per client for MSPs. */
  scopes: Record<string, ScopeCoverage>;
  shards: Record<string, ShardEntry>;
}

interface ShardFile {
  version: typeof MIRROR_VERSION;
  account: string;
  shard: string;
  tickets: Record<string, FreshserviceTicket>;
  enrichment: Record<string, TicketEnrichment>;
}

interface LegacyTicketsFile {
  version: number;
  account: string;
  scopes: Record<string, ScopeCoverage>;
  tickets: Record<string, FreshserviceTicket>;
}

interface LegacyEnrichmentFile {
  version: number;
  account: string;
  enrichment: Record<string, TicketEnrichment>;
}

interface LoadedShard {
  tickets: Record<string, FreshserviceTicket>;
  enrichment: Record<string, TicketEnrichment>;
  changed: boolean;
  /** Its tickets as a list, kept until one changes (ids as keys make listing a large object slow). */
  list?: FreshserviceTicket[];
}

const plainObject = z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'expected an object');

/** The index's shape as the data folder's checks see it (each shard's entry, not each ticket in it). */
const MIRROR_INDEX_SCHEMA = z.looseObject({
  version: z.number(),
  account: z.string(),
  mode: z.enum(['esm', 'msp']),
  scopes: z.record(z.string(), plainObject),
  shards: z.record(z.string(), z.looseObject({ file: z.string().regex(/^[\w.-]+\.json$/), oldestCreatedAt: z.string().nullable(), updatedAt: plainObject, withoutStats: z.array(z.number()) })),
});

/** What to do about a broken mirror file (none of them has a `.bak`). */
function refetchRemedy(mirrorDir: string): string {
  return `the mirror is a local copy of Freshservice: delete ${mirrorDir} and the next pull fetches it again`;
}

const SHARD_SCHEMA = z.looseObject({ version: z.number(), account: z.string(), shard: z.string(), tickets: plainObject, enrichment: plainObject });

function mirrorDirectory(dataDir: string): string {
  return path.join(dataDir, 'mirror');
}

/** Where the mirror's index lies in a data folder, and where its shards lie beside it. */
export function mirrorIndexFile(dataDir: string): string {
  return path.join(mirrorDirectory(dataDir), INDEX_FILE);
}

export function mirrorShardFile(dataDir: string, name: string): string {
  return path.join(mirrorDirectory(dataDir), SHARD_DIR, name);
}

/**
 * What `checkDataFolder` and `/healthz` check of the mirror: the index (JSON and shape), and that each shard
 * file it names is there. A shard's content is checked when a pull reads it (before anything is written):
 * checking every shard on every command would read the whole mirror again.
 */
export async function brokenMirrorFile(dataDir: string): Promise<DataFileError | undefined> {
  const file = mirrorIndexFile(dataDir);
  const remedy = refetchRemedy(mirrorDirectory(dataDir));
  let stamp = await indexStamp(file);
  for (let attempt = 1; ; attempt += 1) {
    let index: IndexFile | undefined;
    try {
      index = await readIndex(file, remedy);
    } catch (error) {
      if (error instanceof DataFileError) return error;
      throw error;
    }
    if (!index) return undefined;
    const missing = await firstMissingShard(dataDir, index, remedy);
    if (missing instanceof DataFileError) return missing;
    if (missing === undefined) {
      checkedIndex = { file, stamp, index };
      return undefined;
    }
    // Another process may have committed (and removed the files it replaced) since the index was read: only
    // a file missing from an index that stayed the same is really missing.
    const now = await indexStamp(file);
    if (now === stamp || attempt === MISSING_SHARD_CHECKS) return new DataFileError(missing, MISSING_SHARD, remedy);
    stamp = now;
  }
}

/** The first shard file the index names that does not exist, or a DataFileError for one that cannot be looked at. */
async function firstMissingShard(dataDir: string, index: IndexFile, remedy: string): Promise<string | DataFileError | undefined> {
  const shards = Object.values(index.shards).map((entry) => mirrorShardFile(dataDir, entry.file));
  const found = await Promise.all(
    shards.map((shard) =>
      fs.stat(shard).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? shard : new DataFileError(shard, `cannot be read (${error.code ?? error.message})`, remedy)),
      ),
    ),
  );
  return found.find((result) => result instanceof DataFileError) ?? found.find((result) => result !== undefined);
}

/** The index as the data folder's check just read it: the command's first load takes it rather than reading it again, if unchanged. */
let checkedIndex: { file: string; stamp: string; index: IndexFile } | undefined;

/** Changes whenever a process (or a restore) replaces the index. */
function indexStamp(file: string): Promise<string> {
  return fs.stat(file).then(
    (stat) => `${stat.ino}:${stat.mtimeMs}:${stat.size}`,
    () => 'none',
  );
}

/** The index, checked against its schema (unless the data folder's check just did so for this very version). */
async function readIndex(file: string, remedy: string, stamp?: string): Promise<IndexFile | undefined> {
  const checked = checkedIndex;
  checkedIndex = undefined;
  if (checked && checked.file === file && checked.stamp === stamp) return checked.index;
  return readDataFile<IndexFile>(file, MIRROR_INDEX_SCHEMA, remedy);
}

/** The shard a client's tickets are kept in. */
export function shardOf(clientId: number | null): string {
  return clientId === null ? NO_CLIENT : String(clientId);
}

/** Whether a listed ticket replaces the copy held: a newer version, or the same one now with stats. */
function replaces(held: { updatedAt: string; stats: boolean }, ticket: FreshserviceTicket): boolean {
  if (held.updatedAt > ticket.updated_at) return false;
  return held.updatedAt !== ticket.updated_at || (!held.stats && !!ticket.stats);
}

function newShardName(key: string): string {
  return `${key}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.json`;
}

function emptyShard(): LoadedShard {
  return { tickets: {}, enrichment: {}, changed: false };
}

function listOf(shard: LoadedShard): FreshserviceTicket[] {
  return (shard.list ??= Object.values(shard.tickets));
}

type ShardReader = (key: string, file: string) => Promise<LoadedShard>;

/**
 * The account's tickets as the puller sees them: the index (coverage, and which shard holds each ticket at
 * which version) in full, the shards only as far as they were loaded. A listed ticket whose version the
 * index already holds is settled without reading its shard; a new or changed one loads the shards it
 * leaves and joins. Tickets and their enrichment move together.
 */
export class MirrorState {
  scopes: Record<string, ScopeCoverage>;
  private readonly entries: Record<string, ShardEntry>;
  private readonly loaded = new Map<string, LoadedShard>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly oldestStale = new Set<string>();
  /** The mode the index as read or last committed places tickets by. */
  private modeCommitted: AccountMode;

  constructor(
    readonly account: string,
    private modeUsed: AccountMode,
    index: Pick<IndexFile, 'scopes' | 'shards'>,
    private readonly readShard: ShardReader,
    /** The index file as read or last committed (its stamp), so a save can tell whether another process committed since. */
    public base: string,
  ) {
    this.scopes = index.scopes;
    this.entries = index.shards;
    this.modeCommitted = modeUsed;
  }

  /** The tickets were placed again (the account's mode changed): the next save commits the index. */
  get placedAgain(): boolean {
    return this.modeUsed !== this.modeCommitted;
  }

  /** The shard holding a ticket: the shards read first (a pull asks about its own client's tickets most), then the index's entries. */
  private where(id: string): string | undefined {
    for (const [key, shard] of this.loaded) if (shard.tickets[id] !== undefined) return key;
    for (const key in this.entries) if (!this.loaded.has(key) && this.entries[key]!.updatedAt[id] !== undefined) return key;
    return undefined;
  }

  private keyOf(ticket: FreshserviceTicket): string {
    return shardOf(clientIdOf(this.modeUsed, ticket));
  }

  has(id: number): boolean {
    return this.where(String(id)) !== undefined;
  }

  get ticketCount(): number {
    return Object.values(this.entries).reduce((sum, entry) => sum + Object.keys(entry.updatedAt).length, 0);
  }

  /** When the oldest ticket in the mirror was created. */
  oldestCreatedAt(): string | null {
    this.refreshOldest();
    return Object.values(this.entries).reduce<string | null>((oldest, entry) => (entry.oldestCreatedAt !== null && (oldest === null || entry.oldestCreatedAt < oldest) ? entry.oldestCreatedAt : oldest), null);
  }

  private refreshOldest(): void {
    for (const key of this.oldestStale) {
      const entry = this.entries[key];
      if (entry) entry.oldestCreatedAt = listOf(this.loaded.get(key)!).reduce<string | null>((oldest, ticket) => (oldest === null || ticket.created_at < oldest ? ticket.created_at : oldest), null);
    }
    this.oldestStale.clear();
  }

  /** Reads these shards (those not read yet); a shard nobody holds tickets in starts empty. */
  async loadShards(keys: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const key of new Set(keys)) {
      if (this.loaded.has(key)) continue;
      const entry = this.entries[key];
      if (!entry) {
        this.loaded.set(key, emptyShard());
        continue;
      }
      let pending = this.loading.get(key);
      if (!pending) {
        pending = this.readShard(key, entry.file).then((shard) => {
          this.loaded.set(key, shard);
          this.loading.delete(key);
        });
        pending.catch(() => this.loading.delete(key));
        this.loading.set(key, pending);
      }
      waits.push(pending);
    }
    await Promise.all(waits);
  }

  /** Reads every shard (the nightly sync and the digest's refresh). */
  loadAll(): Promise<void> {
    return this.loadShards(Object.keys(this.entries));
  }

  /** Places tickets by this mode; a mirror placed by the other one is read whole and placed again. */
  async placeBy(mode: AccountMode): Promise<void> {
    if (mode === this.modeUsed) return;
    await this.loadAll();
    this.modeUsed = mode;
    const moves = [...this.loaded].flatMap(([key, shard]) => Object.entries(shard.tickets).map(([id, ticket]) => ({ id, from: key, to: this.keyOf(ticket) })));
    await this.loadShards(moves.map((move) => move.to));
    for (const { id, from, to } of moves) if (from !== to) this.move(id, from, to);
  }

  /** A ticket held in a loaded shard. */
  ticket(id: number): FreshserviceTicket | undefined {
    const key = this.where(String(id));
    return key === undefined ? undefined : this.loaded.get(key)?.tickets[String(id)];
  }

  private shard(key: string): LoadedShard {
    const shard = this.loaded.get(key);
    if (!shard) throw new Error(`Mirror shard ${key} was used before it was loaded.`);
    return shard;
  }

  /** A client's tickets (its shard must be loaded). */
  ticketsOf(clientId: number): FreshserviceTicket[] {
    const key = shardOf(clientId);
    return this.entries[key] || this.loaded.has(key) ? listOf(this.shard(key)) : [];
  }

  /** What was fetched per call for a ticket (its shard must be loaded). */
  enrichmentOf(id: number): TicketEnrichment | undefined {
    const key = this.where(String(id));
    return key === undefined ? undefined : this.shard(key).enrichment[String(id)];
  }

  /** Stores a ticket's enrichment beside it; a ticket no longer in the mirror has none to keep. */
  setEnrichment(id: number, enrichment: TicketEnrichment): void {
    const key = this.where(String(id));
    if (key === undefined) return;
    const shard = this.shard(key);
    shard.enrichment[String(id)] = enrichment;
    shard.changed = true;
  }

  /**
   * Keeps the newest version of a ticket in the shard of its client; a listed ticket with stats beats a
   * stats-less copy of the same version. A ticket whose client changed leaves its old shard with its
   * enrichment. Answers whether the mirror changed.
   */
  async upsert(ticket: FreshserviceTicket): Promise<boolean> {
    const id = String(ticket.id);
    const from = this.where(id);
    if (from !== undefined && !this.loaded.has(from)) {
      const entry = this.entries[from]!;
      if (!replaces({ updatedAt: entry.updatedAt[id]!, stats: !entry.withoutStats.includes(ticket.id) }, ticket)) return false;
    }
    const to = this.keyOf(ticket);
    await this.loadShards(from === undefined ? [to] : [from, to]);
    // Another change may have moved the ticket meanwhile: decide on what is held now.
    const current = this.where(id);
    if (current !== undefined && current !== from) return this.upsert(ticket);
    const held = current === undefined ? undefined : this.shard(current).tickets[id];
    if (held && !replaces({ updatedAt: held.updated_at, stats: !!held.stats }, ticket)) return false;
    if (current !== undefined && current !== to) this.move(id, current, to);
    this.put(to, ticket);
    return true;
  }

  private put(key: string, ticket: FreshserviceTicket): void {
    const id = String(ticket.id);
    const shard = this.shard(key);
    shard.tickets[id] = ticket;
    shard.changed = true;
    shard.list = undefined;
    const entry = (this.entries[key] ??= { file: '', oldestCreatedAt: null, updatedAt: {}, withoutStats: [] });
    entry.updatedAt[id] = ticket.updated_at;
    const withoutStats = entry.withoutStats.filter((other) => other !== ticket.id);
    entry.withoutStats = ticket.stats ? withoutStats : [...withoutStats, ticket.id];
    this.oldestStale.add(key);
  }

  private move(id: string, from: string, to: string): void {
    const source = this.shard(from);
    const ticket = source.tickets[id]!;
    const enrichment = source.enrichment[id];
    this.drop(id, from);
    this.put(to, ticket);
    if (enrichment) this.shard(to).enrichment[id] = enrichment;
  }

  private drop(id: string, key: string): void {
    const shard = this.shard(key);
    delete shard.tickets[id];
    delete shard.enrichment[id];
    shard.changed = true;
    shard.list = undefined;
    const entry = this.entries[key]!;
    delete entry.updatedAt[id];
    entry.withoutStats = entry.withoutStats.filter((other) => String(other) !== id);
    this.oldestStale.add(key);
  }

  /** Drops a ticket (deleted, spam, or out of the key's sight) with its enrichment; answers whether it was held. */
  async remove(id: number): Promise<boolean> {
    const key = this.where(String(id));
    if (key === undefined) return false;
    await this.loadShards([key]);
    if (this.where(String(id)) !== key) return this.remove(id);
    this.drop(String(id), key);
    return true;
  }

  /** The shards changed in memory since they were read or saved. */
  changedShards(): string[] {
    return [...this.loaded].filter(([, shard]) => shard.changed).map(([key]) => key);
  }

  /** The file the index names for a shard (none for a shard not saved yet). */
  fileOf(key: string): string | undefined {
    return this.entries[key]?.file || undefined;
  }

  shardContent(key: string): ShardFile {
    const { tickets, enrichment } = this.shard(key);
    return { version: MIRROR_VERSION, account: this.account, shard: key, tickets, enrichment };
  }

  isEmpty(key: string): boolean {
    return Object.keys(this.shard(key).tickets).length === 0;
  }

  /** The index naming `written` (shard → its new file); shards left empty are left out. */
  indexWith(written: Map<string, string | null>): IndexFile {
    this.refreshOldest();
    const shards: Record<string, ShardEntry> = {};
    for (const [key, entry] of Object.entries(this.entries)) {
      const file = written.has(key) ? written.get(key) : entry.file;
      if (file) shards[key] = { ...entry, file };
    }
    return { version: MIRROR_VERSION, account: this.account, mode: this.modeUsed, scopes: this.scopes, shards };
  }

  /** After a commit: the shards written are clean, and their entries name their new files. */
  committed(written: Map<string, string | null>): void {
    this.modeCommitted = this.modeUsed;
    for (const [key, file] of written) {
      this.shard(key).changed = false;
      if (file) this.entries[key]!.file = file;
      else {
        delete this.entries[key];
        this.loaded.delete(key);
      }
    }
  }

  /** Shards already read, handed on to the state read after another process's commit when their file is still the one named. */
  reusable(index: IndexFile): Map<string, LoadedShard> {
    const kept = new Map<string, LoadedShard>();
    for (const [key, shard] of this.loaded) if (!shard.changed && this.entries[key] && index.shards[key]?.file === this.entries[key]!.file) kept.set(key, shard);
    return kept;
  }

  adopt(shards: Map<string, LoadedShard>): void {
    for (const [key, shard] of shards) this.loaded.set(key, shard);
  }
}

interface Cached<T> {
  fetchedAt: string;
  value: T;
}

/**
 * The local copy of the account's tickets under DATA_DIR/mirror/: `index.json` (coverage per listing, and
 * for each client's shard its file and which ticket versions it holds) and `tickets/<client>-<unique>.json`
 * (one per client: its tickets and their time entries and CSAT; tickets of no client in `none-…`). A pull
 * for one client reads the index and that client's shard, plus the shard of any other ticket the listing
 * shows new or changed. See README.md ("The mirror's files") for why it is laid out so.
 *
 * A save writes each changed shard to a new file, then the index naming them (the commit), then removes the
 * files it replaced: a crash before the commit leaves the previous mirror whole (only unnamed files, removed
 * later), after it the new one. A save commits only if the index is still the one its state was read from
 * (checked under a lock); otherwise another process committed meanwhile, its mirror is kept, and what this
 * one fetched is fetched again next time. The state last loaded or saved is kept in memory while the index
 * is unchanged; a caller whose work failed after changing it must `forget()` it.
 */
export class TicketMirror {
  readonly directory: string;
  private readonly remedy: string;
  private current: MirrorState | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly account: string,
    private readonly logger: Logger = silentLogger,
  ) {
    this.directory = mirrorDirectory(dataDir);
    this.remedy = refetchRemedy(this.directory);
  }

  private file(name: string): string {
    return path.join(this.directory, name);
  }

  private stamp(): Promise<string> {
    return indexStamp(mirrorIndexFile(this.dataDir));
  }

  private readonly readShard: ShardReader = async (key, name) => {
    const file = mirrorShardFile(this.dataDir, name);
    const content = await readJsonData(file, this.remedy);
    if (content === undefined) {
      // Another process committed since this state was read and removed the file it replaced: its shard is
      // as good to read (this state's own save will not commit over that process's index).
      const index = await readIndex(mirrorIndexFile(this.dataDir), this.remedy);
      const now = index?.shards[key];
      if (index && !now) return emptyShard();
      if (now && now.file !== name) return this.readShard(key, now.file);
      throw new DataFileError(file, MISSING_SHARD, this.remedy);
    }
    checkShape(file, content, SHARD_SCHEMA, this.remedy);
    const shard = content as ShardFile;
    if (shard.version !== MIRROR_VERSION || shard.account !== this.account || shard.shard !== key) {
      throw new DataFileError(file, `is not the mirror shard the index names (client ${key})`, this.remedy);
    }
    return { tickets: shard.tickets, enrichment: shard.enrichment, changed: false };
  };

  /** The mirror, its tickets placed by `mode`; only the index is read (shards as the caller asks for them). */
  async load(mode: AccountMode): Promise<MirrorState> {
    const stamp = await this.stamp();
    if (this.current && this.current.base === stamp) {
      await this.current.placeBy(mode);
      return this.current;
    }
    const index = await readIndex(mirrorIndexFile(this.dataDir), this.remedy, stamp);
    if (index === undefined) {
      const converted = await this.convertLegacy(mode);
      if (converted) return converted;
    }
    const ours = index !== undefined && index.version === MIRROR_VERSION && index.account === this.account;
    const state = ours
      ? new MirrorState(this.account, index.mode, index, this.readShard, stamp)
      : new MirrorState(this.account, mode, { scopes: {}, shards: {} }, this.readShard, stamp);
    if (ours && this.current) state.adopt(this.current.reusable(index));
    await state.placeBy(mode);
    this.current = state;
    return state;
  }

  /**
   * A mirror in the layout before shards (`tickets.json` and `enrichment.json`) is placed in shards and
   * committed like any save; the old files are removed only after the new index names the new ones.
   */
  private async convertLegacy(mode: AccountMode): Promise<MirrorState | undefined> {
    const [tickets, enrichment] = await Promise.all([
      readJsonFile<LegacyTicketsFile>(this.file('tickets.json'), this.remedy),
      readJsonFile<LegacyEnrichmentFile>(this.file('enrichment.json'), this.remedy),
    ]);
    if (!tickets || tickets.version !== LEGACY_VERSION || tickets.account !== this.account) return undefined;
    const enriched = enrichment && enrichment.version === LEGACY_VERSION && enrichment.account === this.account ? enrichment.enrichment : {};
    const state = new MirrorState(this.account, mode, { scopes: tickets.scopes, shards: {} }, this.readShard, 'none');
    for (const ticket of Object.values(tickets.tickets)) {
      await state.upsert(ticket);
      const fetched = enriched[String(ticket.id)];
      if (fetched) state.setEnrichment(ticket.id, fetched);
    }
    await this.save(state, { index: true });
    return this.current === state ? state : this.load(mode);
  }

  /**
   * Writes the changed shards and, when `index` says so or a shard changed, commits the index naming them.
   * Answers false when another process committed since `state` was read: nothing of it is kept.
   */
  async save(state: MirrorState, changes: { index: boolean }): Promise<boolean> {
    const changed = state.changedShards();
    if (!changes.index && !state.placedAgain && changed.length === 0) return true;
    // A cheap look first, so that a save bound to lose the check under the lock writes nothing.
    if ((await this.stamp()) !== state.base) {
      this.forget();
      return false;
    }
    const written = new Map<string, string | null>();
    await Promise.all(
      changed.map(async (key) => {
        if (state.isEmpty(key)) {
          written.set(key, null);
          return;
        }
        const name = newShardName(key);
        await writeJsonAtomic(mirrorShardFile(this.dataDir, name), state.shardContent(key));
        written.set(key, name);
      }),
    );
    const index = state.indexWith(written);
    const replaced = changed.map((key) => state.fileOf(key)).filter((name): name is string => name !== undefined);
    // The new stamp is taken under the lock too: taken after it, it could be another process's commit.
    const committed = await withLockFile(this.file('index.lock'), STALE_LOCK_MS, async () => {
      if ((await this.stamp()) !== state.base) return undefined;
      await writeJsonAtomic(mirrorIndexFile(this.dataDir), index);
      return this.stamp();
    });
    if (committed === undefined) {
      await Promise.all([...written.values()].map((name) => (name ? fs.rm(mirrorShardFile(this.dataDir, name), { force: true }) : undefined)));
      this.forget();
      return false;
    }
    state.committed(written);
    state.base = committed;
    this.current = state;
    // The commit stands: files left now are removed by a later save.
    await this.removeUnnamed(index, replaced).catch((error: unknown) => this.logger.warn({ err: error, directory: this.directory }, 'Could not remove ticket mirror files no longer in use; a later save removes them'));
    return true;
  }

  /** The files the commit replaced, the layout before shards, and files no index named (or temporary files) for an hour. */
  private async removeUnnamed(index: IndexFile, replaced: string[]): Promise<void> {
    const named = new Set(Object.values(index.shards).map((entry) => entry.file));
    const [orphans, temporaries] = await Promise.all([
      entriesOlderThan(path.join(this.directory, SHARD_DIR), ORPHAN_AGE_MS, (name) => !named.has(name) && !replaced.includes(name)),
      entriesOlderThan(this.directory, ORPHAN_AGE_MS, (name) => name.endsWith('.tmp')),
    ]);
    const doomed = [...replaced.map((name) => mirrorShardFile(this.dataDir, name)), ...orphans, ...temporaries, ...LEGACY_FILES.map((name) => this.file(name))];
    await Promise.all(doomed.map((file) => fs.rm(file, { force: true })));
  }

  /** Drops the state kept in memory: the next load reads the files. */
  forget(): void {
    this.current = undefined;
  }

  /** A cached list (departments, form fields, requesters…) if younger than `ttlMs`. */
  async readCache<T>(name: string, ttlMs: number, now: Date): Promise<T | undefined> {
    const cached = await readJsonFile<Cached<T> & { account?: string }>(this.file(`${name}.json`), this.remedy);
    if (!cached || cached.account !== this.account) return undefined;
    const age = now.getTime() - Date.parse(cached.fetchedAt);
    return age >= 0 && age < ttlMs ? cached.value : undefined;
  }

  async writeCache<T>(name: string, value: T, now: Date): Promise<void> {
    await writeJsonAtomic(this.file(`${name}.json`), { account: this.account, fetchedAt: now.toISOString(), value });
  }
}
