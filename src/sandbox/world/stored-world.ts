/**
 * The world as kept in `DATA_DIR/sandbox`: `world.json` holds everything but the tickets, plus an index of
 * ticket shards; each shard (`tickets-<set>/<yyyy-mm-dd>.json`) holds the tickets last updated in the week
 * (UTC, Monday to Sunday) starting that day, with their time entries and CSAT responses. A start reads
 * `world.json` only. The one request a warm sync makes, the incremental listing (`updated_since`), reads only
 * the shards updated at or after its `since`; anything else that needs tickets reads every shard once, and
 * from then on the world holds them as plain arrays (what tests and benchmarks change in place).
 */
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FreshserviceCsatResponse, FreshserviceTicket, FreshserviceTimeEntry } from '../../freshservice/types.js';
import { entriesOlderThan, readJsonFile, writeJsonAtomic } from '../../store/files.js';
import { sandboxDir, sandboxFiles } from '../paths.js';
import { WORLD_SCHEMA_VERSION, type SandboxWorld } from './world.js';

/** The last world kept in one file (tickets included); such a world.json is converted when it is loaded. */
const SINGLE_FILE_SCHEMA_VERSION = 2;

interface TicketShardEntry {
  /** In the set's folder: `<yyyy-mm-dd>.json`, the Monday (UTC) starting the week of the tickets' `updated_at`. */
  file: string;
  tickets: number;
  newestUpdatedAt: string;
  oldestCreatedAt: string;
}

type WorldWithoutTickets = Omit<SandboxWorld, 'tickets' | 'timeEntries' | 'csat'>;

interface StoredWorld extends WorldWithoutTickets {
  /** A new folder for every world written, named by world.json only once all its shards are in place. */
  ticketShards: { folder: string; shards: TicketShardEntry[] };
}

interface TicketShard {
  tickets: FreshserviceTicket[];
  /** Where each ticket stands in the world's `tickets`, so that reading every shard gives back the same order. */
  positions: number[];
  timeEntries: Record<number, FreshserviceTimeEntry[]>;
  csat: Record<number, FreshserviceCsatResponse>;
}

type Placement = (ticket: FreshserviceTicket, timeEntries: FreshserviceTimeEntry[] | undefined) => void;

/** The tickets of a world loaded from disk while (some of) its shards are still there only. */
interface ShelvedTickets {
  folder: string;
  shards: TicketShardEntry[];
  read: Map<string, TicketShard>;
  placement?: Placement;
  /** Set once every shard is read and the world holds its tickets as plain arrays. */
  loaded: boolean;
}

const shelves = new WeakMap<SandboxWorld, ShelvedTickets>();

/** What to do about a broken world file: the world is simulated, so a new one is seeded rather than mended. */
const RESEED = 'the sandbox world is simulated: to seed a new one, stop the bot running on this data folder (if one is), run `integoreport sandbox reset`, and start it again';

const DAY_MS = 86_400_000;
/** A ticket folder world.json does not name (a write cut short, or overtaken by another process's) is removed once this old. */
const LEFTOVER_FOLDER_AGE_MS = 60 * 60 * 1000;

function weekOf(timestamp: string): string {
  const day = Math.floor(Date.parse(timestamp) / DAY_MS);
  // Day 0 (1 January 1970) was a Thursday.
  const monday = day - ((((day + 3) % 7) + 7) % 7);
  return new Date(monday * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Writes `world` into DATA_DIR/sandbox: its shards into a new folder first, then world.json naming them, each
 * file atomically, so a world cut short by a crash is never read as one (the next start still finds the
 * previous world.json, or none).
 */
export async function writeStoredWorld(dataDir: string, world: SandboxWorld): Promise<void> {
  const byWeek = new Map<string, TicketShard & { entry: TicketShardEntry }>();
  const shardOfTicket = new Map<number, TicketShard>();
  world.tickets.forEach((ticket, position) => {
    const file = `${weekOf(ticket.updated_at)}.json`;
    let shard = byWeek.get(file);
    if (!shard) {
      shard = { entry: { file, tickets: 0, newestUpdatedAt: ticket.updated_at, oldestCreatedAt: ticket.created_at }, tickets: [], positions: [], timeEntries: {}, csat: {} };
      byWeek.set(file, shard);
    }
    shard.tickets.push(ticket);
    shard.positions.push(position);
    shard.entry.tickets += 1;
    if (Date.parse(ticket.updated_at) > Date.parse(shard.entry.newestUpdatedAt)) shard.entry.newestUpdatedAt = ticket.updated_at;
    if (Date.parse(ticket.created_at) < Date.parse(shard.entry.oldestCreatedAt)) shard.entry.oldestCreatedAt = ticket.created_at;
    shardOfTicket.set(ticket.id, shard);
  });
  const shards = [...byWeek.values()].sort((a, b) => a.entry.file.localeCompare(b.entry.file));
  // Entries of a ticket the world does not hold (only a hand-edited world has any) go with the newest week, so nothing is lost.
  const shardFor = (id: string) => shardOfTicket.get(Number(id)) ?? shards.at(-1);
  for (const [id, entries] of Object.entries(world.timeEntries)) {
    const shard = shardFor(id);
    if (shard) shard.timeEntries[Number(id)] = entries;
  }
  for (const [id, response] of Object.entries(world.csat)) {
    const shard = shardFor(id);
    if (shard) shard.csat[Number(id)] = response;
  }

  const folder = `tickets-${randomBytes(4).toString('hex')}`;
  await Promise.all(shards.map(({ entry, ...shard }) => writeJsonAtomic(path.join(sandboxDir(dataDir), folder, entry.file), shard)));
  const { tickets: _tickets, timeEntries: _timeEntries, csat: _csat, ...rest } = world;
  const stored: StoredWorld = { ...rest, schemaVersion: WORLD_SCHEMA_VERSION, ticketShards: { folder, shards: shards.map((shard) => shard.entry) } };
  await writeJsonAtomic(sandboxFiles(dataDir).world, stored);
  await removeLeftoverTicketFolders(sandboxDir(dataDir), folder);
}

async function removeLeftoverTicketFolders(dir: string, named: string): Promise<void> {
  const leftovers = await entriesOlderThan(dir, LEFTOVER_FOLDER_AGE_MS, (name) => name.startsWith('tickets-') && name !== named);
  await Promise.all(leftovers.map((folder) => fs.rm(folder, { recursive: true, force: true })));
}

/**
 * The world kept in DATA_DIR/sandbox, its tickets left on disk until needed; undefined when there is none or
 * it is of a schema too old to keep (the caller seeds a new one). A world.json of the single-file schema is
 * converted (it may hold changes, so it is kept, not reseeded) and returned whole.
 */
export async function readStoredWorld(dataDir: string): Promise<SandboxWorld | undefined> {
  const stored = await readJsonFile<{ schemaVersion?: number }>(sandboxFiles(dataDir).world, RESEED);
  if (stored?.schemaVersion === SINGLE_FILE_SCHEMA_VERSION) {
    const world: SandboxWorld = { ...(stored as unknown as SandboxWorld), schemaVersion: WORLD_SCHEMA_VERSION };
    await writeStoredWorld(dataDir, world);
    return world;
  }
  if (stored?.schemaVersion !== WORLD_SCHEMA_VERSION) return undefined;
  return shelvedWorld(sandboxDir(dataDir), stored as StoredWorld);
}

/** A world whose `tickets`, `timeEntries` and `csat` read every shard at first use (get or set), in the keys' usual order. */
function shelvedWorld(dir: string, stored: StoredWorld): SandboxWorld {
  const shelf: ShelvedTickets = { folder: path.join(dir, stored.ticketShards.folder), shards: stored.ticketShards.shards, read: new Map(), loaded: false };
  const { seed, anchor, departments, requesters, agents, groups, formFields, audience } = stored;
  const world: SandboxWorld = {
    schemaVersion: WORLD_SCHEMA_VERSION,
    seed,
    anchor,
    departments,
    requesters,
    agents,
    groups,
    get tickets() {
      return loadEveryShard(world, shelf).tickets;
    },
    set tickets(tickets) {
      loadEveryShard(world, shelf).tickets = tickets;
    },
    get timeEntries() {
      return loadEveryShard(world, shelf).timeEntries;
    },
    set timeEntries(timeEntries) {
      loadEveryShard(world, shelf).timeEntries = timeEntries;
    },
    get csat() {
      return loadEveryShard(world, shelf).csat;
    },
    set csat(csat) {
      loadEveryShard(world, shelf).csat = csat;
    },
    formFields,
    audience,
  };
  shelves.set(world, shelf);
  return world;
}

function readShard(shelf: ShelvedTickets, entry: TicketShardEntry): TicketShard {
  const cached = shelf.read.get(entry.file);
  if (cached) return cached;
  const file = path.join(shelf.folder, entry.file);
  let shard: TicketShard;
  try {
    shard = JSON.parse(readFileSync(file, 'utf8')) as TicketShard;
  } catch (error) {
    throw new Error(`The sandbox world's ticket file ${file} cannot be read (${(error as Error).message}); ${RESEED}.`);
  }
  if (shard.tickets?.length !== entry.tickets) throw new Error(`The sandbox world's ticket file ${file} does not hold the tickets its world.json lists; ${RESEED}.`);
  if (shelf.placement) for (const ticket of shard.tickets) shelf.placement(ticket, shard.timeEntries[ticket.id]);
  shelf.read.set(entry.file, shard);
  return shard;
}

/** Reads the shards not read yet and turns the world's accessors into the plain arrays and records they give. */
function loadEveryShard(world: SandboxWorld, shelf: ShelvedTickets): SandboxWorld {
  if (shelf.loaded) return world;
  const shards = shelf.shards.map((entry) => readShard(shelf, entry));
  const tickets = new Array<FreshserviceTicket>(shards.reduce((sum, shard) => sum + shard.tickets.length, 0));
  for (const shard of shards) shard.tickets.forEach((ticket, index) => (tickets[shard.positions[index]!] = ticket));
  const plain = (value: unknown) => ({ value, writable: true, enumerable: true, configurable: true });
  Object.defineProperties(world, {
    tickets: plain(tickets),
    timeEntries: plain(Object.assign({}, ...shards.map((shard) => shard.timeEntries))),
    csat: plain(Object.assign({}, ...shards.map((shard) => shard.csat))),
  });
  shelf.loaded = true;
  shelf.read.clear();
  return world;
}

/** The world's tickets updated at or after `sinceMs`; while they are on disk, read from the shards that can hold one only. */
export function ticketsUpdatedSince(world: SandboxWorld, sinceMs: number): FreshserviceTicket[] {
  const updatedSince = (ticket: FreshserviceTicket) => Date.parse(ticket.updated_at) >= sinceMs;
  const shelf = shelves.get(world);
  if (!shelf || shelf.loaded) return world.tickets.filter(updatedSince);
  return shelf.shards.filter((entry) => Date.parse(entry.newestUpdatedAt) >= sinceMs).flatMap((entry) => readShard(shelf, entry).tickets.filter(updatedSince));
}

/** When the world's first ticket was created (ms); undefined for a world without tickets. */
export function firstTicketCreatedMs(world: SandboxWorld): number | undefined {
  const shelf = shelves.get(world);
  const created = !shelf || shelf.loaded ? world.tickets.map((ticket) => ticket.created_at) : shelf.shards.map((entry) => entry.oldestCreatedAt);
  return created.reduce<number | undefined>((first, at) => Math.min(first ?? Infinity, Date.parse(at)), undefined);
}

/**
 * Applies `place` to each of the world's tickets (with its time entries): now to those in memory, and to
 * those still on disk as they are read. A later placement replaces an earlier one.
 */
export function placeEveryTicket(world: SandboxWorld, place: Placement): void {
  const shelf = shelves.get(world);
  if (shelf && !shelf.loaded) {
    shelf.placement = place;
    for (const shard of shelf.read.values()) for (const ticket of shard.tickets) place(ticket, shard.timeEntries[ticket.id]);
    return;
  }
  for (const ticket of world.tickets) place(ticket, world.timeEntries[ticket.id]);
}
