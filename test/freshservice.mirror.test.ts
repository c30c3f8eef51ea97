import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { createFreshservice, type Freshservice } from '../src/freshservice/index.js';
import { brokenMirrorFile, mirrorIndexFile, TicketMirror } from '../src/freshservice/mirror.js';
import type { Logger } from '../src/logger.js';
import { DataFileError } from '../src/store/data-file.js';
import { parsePeriod } from '../src/period/period.js';
import { startFreshserviceSandbox, seedWorld, type FreshserviceSandbox } from '../src/sandbox/index.js';
import { mirrorFileContents, readMirror } from './support/mirror-files.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const ANCHOR = new Date('2026-11-20T12:00:00Z');
/** A Growth-plan account whose minute lasts 60 ms. */
const TIME_SCALE = 1000;
const HOUR = 60 * 60 * 1000;
const clock = fixedClock(ANCHOR.toISOString());
const world = seedWorld({ anchor: ANCHOR, profile: { seatScale: 0.2, months: 2 } });
const october = parsePeriod('2026-10', { timezone: 'UTC', now: ANCHOR });
const [acme, globex] = world.departments;
const dataDirs: string[] = [];
let sandbox: FreshserviceSandbox;

beforeAll(async () => {
  sandbox = await startFreshserviceSandbox({ world, clock, controls: { timeScale: TIME_SCALE } });
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await sandbox.close();
  await Promise.all(dataDirs.map((dir) => removeTempDir(dir)));
});

/** A new process over `dataDir`: nothing of the mirror in memory. */
function connect(dataDir: string): Freshservice {
  return createFreshservice({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, dataDir, clock, timeoutMs: 400, retry: { baseDelayMs: 5, maxDelayMs: 40 }, rateLimit: { maxConcurrent: 16, minuteMs: 60_000 / TIME_SCALE } });
}

async function pulledDataDir(): Promise<string> {
  const dataDir = await makeTempDir('integoreport-mirror-');
  dataDirs.push(dataDir);
  await connect(dataDir).puller.pull(acme!.id, october);
  return dataDir;
}

function perTicketRequests(): string[] {
  return sandbox.requests.filter((request) => /^\/api\/v2\/tickets\/\d+/.test(request.path)).map((request) => request.path);
}

/** A ticket of the department that matters for October, finished and with an answered survey. */
function answeredOctoberTicket(departmentId: number) {
  return world.tickets.find((ticket) => ticket.department_id === departmentId && [4, 5].includes(ticket.status) && !ticket.spam && !ticket.deleted && world.csat[ticket.id] && ticket.created_at >= '2026-10-02' && ticket.created_at < '2026-10-30')!;
}

describe('the ticket mirror kept in one shard per client', () => {
  it('reads only the index and the client\'s own shard for a pull; another client\'s broken shard stops a pull only once that client\'s tickets changed', async () => {
    const dataDir = await pulledDataDir();
    const before = await connect(dataDir).puller.pull(acme!.id, october);
    const mirror = await readMirror(dataDir);
    const globexShard = mirror.shardFiles[String(globex!.id)]!;
    await fs.writeFile(globexShard, '{"tickets": {');
    clock.advance(HOUR);

    const readFile = vi.spyOn(fs, 'readFile');
    const warm = await connect(dataDir).puller.pull(acme!.id, october);
    const reads = readFile.mock.calls.map(([file]) => String(file)).filter((file) => file === mirrorIndexFile(dataDir) || file.includes(`${path.sep}mirror${path.sep}tickets${path.sep}`));
    readFile.mockRestore();
    expect(warm.dataset.tickets).toEqual(before.dataset.tickets);
    expect(reads.sort()).toEqual([mirrorIndexFile(dataDir), mirror.shardFiles[String(acme!.id)]!].sort());

    const untouched = await mirrorFileContents(dataDir);
    const changed = world.tickets.find((ticket) => ticket.department_id === globex!.id && !ticket.spam && !ticket.deleted)!;
    sandbox.touchTicket(changed.id, { priority: 4 });
    clock.advance(HOUR);
    const failed = await connect(dataDir).puller.pull(acme!.id, october).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DataFileError);
    expect((failed as DataFileError).file).toBe(globexShard);
    expect(await mirrorFileContents(dataDir)).toEqual(untouched);
  });

  it('moves a ticket whose department changed to its new client\'s shard, with what was fetched for it', async () => {
    const dataDir = await pulledDataDir();
    const moving = answeredOctoberTicket(acme!.id);
    const held = await readMirror(dataDir);
    expect(held.enrichment[moving.id]?.csat).toEqual(world.csat[moving.id]);

    sandbox.touchTicket(moving.id, { department_id: globex!.id });
    clock.advance(HOUR);
    const acmeAfter = await connect(dataDir).puller.pull(acme!.id, october);
    expect(acmeAfter.dataset.tickets.map((ticket) => ticket.id)).not.toContain(moving.id);
    const moved = await readMirror(dataDir);
    expect(Object.keys(moved.tickets)).toHaveLength(Object.keys(held.tickets).length);
    const index = JSON.parse(await fs.readFile(mirrorIndexFile(dataDir), 'utf8')) as { shards: Record<string, { updatedAt: Record<string, string> }> };
    const holders = Object.entries(index.shards).filter(([, shard]) => shard.updatedAt[moving.id]).map(([key]) => key);
    expect(holders).toEqual([String(globex!.id)]);
    const globexShard = JSON.parse(await fs.readFile(moved.shardFiles[String(globex!.id)]!, 'utf8')) as { tickets: Record<string, unknown>; enrichment: Record<string, unknown> };
    expect(globexShard.enrichment[moving.id]).toEqual(held.enrichment[moving.id]);

    sandbox.resetRequests();
    const globexReport = await connect(dataDir).puller.pull(globex!.id, october);
    const ticket = globexReport.dataset.tickets.find((candidate) => candidate.id === moving.id)!;
    expect(ticket.department_id).toBe(globex!.id);
    expect(ticket.csat_response).toEqual(world.csat[moving.id]);
    // Its answered survey came along: only the new version's time entries are asked for.
    expect(perTicketRequests().filter((request) => request.startsWith(`/api/v2/tickets/${moving.id}/`))).toEqual([`/api/v2/tickets/${moving.id}/time_entries`]);
  });

  it('keeps the mirror another process committed meanwhile, and leaves nothing of a save that came second', async () => {
    const dataDir = await pulledDataDir();
    const { account } = JSON.parse(await fs.readFile(mirrorIndexFile(dataDir), 'utf8')) as { account: string };
    const [bot, commandLine] = [new TicketMirror(dataDir, account), new TicketMirror(dataDir, account)];
    const [botState, commandLineState] = await Promise.all([bot.load('esm'), commandLine.load('esm')]);
    const ticket = world.tickets.find((candidate) => candidate.department_id === acme!.id && !candidate.spam && !candidate.deleted)!;

    expect(await commandLineState.upsert({ ...ticket, priority: 4, updated_at: '2026-11-20T13:00:00Z' })).toBe(true);
    expect(await commandLine.save(commandLineState, { index: true })).toBe(true);
    const committed = await mirrorFileContents(dataDir);
    expect(await botState.upsert({ ...ticket, priority: 3, updated_at: '2026-11-20T13:30:00Z' })).toBe(true);
    expect(await bot.save(botState, { index: true })).toBe(false);

    expect(await mirrorFileContents(dataDir)).toEqual(committed);
    const reread = await bot.load('esm');
    await reread.loadShards([String(acme!.id)]);
    expect(reread.ticket(ticket.id)?.priority).toBe(4);
  });

  it('places the tickets again, by workspace, when the account turns out to be an MSP account', async () => {
    const dataDir = await pulledDataDir();
    const { account } = JSON.parse(await fs.readFile(mirrorIndexFile(dataDir), 'utf8')) as { account: string };
    const byDepartment = await readMirror(dataDir);
    const mirror = new TicketMirror(dataDir, account);
    const state = await mirror.load('msp');
    expect(await mirror.save(state, { index: false })).toBe(true);

    const byWorkspace = await readMirror(dataDir);
    expect(byWorkspace.tickets).toEqual(byDepartment.tickets);
    expect(byWorkspace.enrichment).toEqual(byDepartment.enrichment);
    const workspaces = [...new Set(Object.values(byDepartment.tickets).map((ticket) => String(ticket.workspace_id)))].sort();
    expect(Object.keys(byWorkspace.shardFiles).sort()).toEqual(workspaces);
  });

  it('converts a mirror in the former layout (tickets.json, enrichment.json) on first load, without fetching it again', async () => {
    const dataDir = await pulledDataDir();
    clock.advance(HOUR);
    const expected = await connect(dataDir).puller.pull(acme!.id, october);
    const sharded = await readMirror(dataDir);
    const index = JSON.parse(await fs.readFile(mirrorIndexFile(dataDir), 'utf8')) as { account: string };
    const mirrorDir = path.dirname(mirrorIndexFile(dataDir));
    await fs.writeFile(path.join(mirrorDir, 'tickets.json'), JSON.stringify({ version: 3, account: index.account, scopes: sharded.scopes, syncedAt: '2026-11-20T12:00:00.000Z', tickets: sharded.tickets }));
    await fs.writeFile(path.join(mirrorDir, 'enrichment.json'), JSON.stringify({ version: 3, account: index.account, enrichment: sharded.enrichment }));
    await fs.rm(mirrorIndexFile(dataDir));
    await fs.rm(path.join(mirrorDir, 'tickets'), { recursive: true });

    sandbox.resetRequests();
    const converted = await connect(dataDir).puller.pull(acme!.id, october);
    expect(converted.dataset.tickets).toEqual(expected.dataset.tickets);
    expect(perTicketRequests()).toEqual([]);
    const listing = sandbox.requests.filter((request) => request.path === '/api/v2/tickets');
    expect(listing).toHaveLength(1);
    expect(Date.parse(listing[0]!.query.updated_since!)).toBeGreaterThan(october.to.getTime());

    const files = await fs.readdir(mirrorDir);
    expect(files).not.toContain('tickets.json');
    expect(files).not.toContain('enrichment.json');
    const after = await readMirror(dataDir);
    expect(after.tickets).toEqual(sharded.tickets);
    expect(after.enrichment).toEqual(sharded.enrichment);
    expect(after.scopes).toEqual(sharded.scopes);
    expect(Object.keys(after.shardFiles).sort()).toEqual(Object.keys(sharded.shardFiles).sort());
  });
});

describe('a save of the ticket mirror', () => {
  it('never commits over a mirror another process committed just after its own commit', async () => {
    const dataDir = await pulledDataDir();
    const { account } = JSON.parse(await fs.readFile(mirrorIndexFile(dataDir), 'utf8')) as { account: string };
    const bot = new TicketMirror(dataDir, account);
    const botState = await bot.load('esm');
    const ticket = world.tickets.find((candidate) => candidate.department_id === acme!.id && !candidate.spam && !candidate.deleted)!;
    const other = world.tickets.find((candidate) => candidate.department_id === globex!.id && !candidate.spam && !candidate.deleted)!;
    expect(await botState.upsert({ ...ticket, priority: 3, updated_at: '2026-11-20T13:00:00Z' })).toBe(true);

    // The command line commits the moment the bot has released its commit lock.
    const rm = fs.rm.bind(fs);
    let interleaved = false;
    let commandLineCommitted: boolean | undefined;
    vi.spyOn(fs, 'rm').mockImplementation(async (file, options) => {
      await rm(file, options);
      if (interleaved || !String(file).includes('index.lock')) return;
      interleaved = true;
      const commandLine = new TicketMirror(dataDir, account);
      const commandLineState = await commandLine.load('esm');
      await commandLineState.upsert({ ...other, priority: 4, updated_at: '2026-11-20T13:00:00Z' });
      commandLineCommitted = await commandLine.save(commandLineState, { index: true });
    });
    expect(await bot.save(botState, { index: true })).toBe(true);
    expect(commandLineCommitted).toBe(true);
    vi.restoreAllMocks();
    const committed = await mirrorFileContents(dataDir);

    expect(await botState.upsert({ ...ticket, priority: 2, updated_at: '2026-11-20T14:00:00Z' })).toBe(true);
    expect(await bot.save(botState, { index: true })).toBe(false);
    expect(await mirrorFileContents(dataDir)).toEqual(committed);
  });

  it('writes no shard file when another process committed since its state was read', async () => {
    const dataDir = await pulledDataDir();
    const { account } = JSON.parse(await fs.readFile(mirrorIndexFile(dataDir), 'utf8')) as { account: string };
    const [bot, commandLine] = [new TicketMirror(dataDir, account), new TicketMirror(dataDir, account)];
    const [botState, commandLineState] = await Promise.all([bot.load('esm'), commandLine.load('esm')]);
    const ticket = world.tickets.find((candidate) => candidate.department_id === acme!.id && !candidate.spam && !candidate.deleted)!;
    await commandLineState.upsert({ ...ticket, priority: 4, updated_at: '2026-11-20T13:00:00Z' });
    expect(await commandLine.save(commandLineState, { index: true })).toBe(true);

    await botState.upsert({ ...ticket, priority: 3, updated_at: '2026-11-20T13:30:00Z' });
    const opened = vi.spyOn(fs, 'open');
    expect(await bot.save(botState, { index: true })).toBe(false);
    expect(opened).not.toHaveBeenCalled();
  });

  it('removes temporary files a crash left beside the index once they are an hour old', async () => {
    const dataDir = await pulledDataDir();
    const { account } = JSON.parse(await fs.readFile(mirrorIndexFile(dataDir), 'utf8')) as { account: string };
    const [old, recent] = ['index.json.4242.0a1b2c3d.tmp', 'index.json.4343.0a1b2c3d.tmp'].map((name) => path.join(path.dirname(mirrorIndexFile(dataDir)), name));
    for (const file of [old, recent]) await fs.writeFile(file, '{"version": 4');
    const twoHoursAgo = new Date(Date.now() - 2 * HOUR);
    await fs.utimes(old, twoHoursAgo, twoHoursAgo);

    const mirror = new TicketMirror(dataDir, account);
    expect(await mirror.save(await mirror.load('esm'), { index: true })).toBe(true);
    await expect(fs.stat(old)).rejects.toThrow();
    await expect(fs.stat(recent)).resolves.toBeDefined();
  });

  it('stands when the files it replaced cannot be removed, and says so in the log', async () => {
    const dataDir = await pulledDataDir();
    const { account } = JSON.parse(await fs.readFile(mirrorIndexFile(dataDir), 'utf8')) as { account: string };
    const warn = vi.fn();
    const mirror = new TicketMirror(dataDir, account, { warn } as unknown as Logger);
    const state = await mirror.load('esm');
    const ticket = world.tickets.find((candidate) => candidate.department_id === acme!.id && !candidate.spam && !candidate.deleted)!;
    await state.upsert({ ...ticket, priority: 4, updated_at: '2026-11-20T13:00:00Z' });
    const rm = fs.rm.bind(fs);
    vi.spyOn(fs, 'rm').mockImplementation(async (file, options) => {
      if (String(file).includes(`${path.sep}tickets${path.sep}`)) throw Object.assign(new Error('busy'), { code: 'EBUSY' });
      await rm(file, options);
    });
    expect(await mirror.save(state, { index: true })).toBe(true);
    vi.restoreAllMocks();
    expect(warn).toHaveBeenCalledOnce();
    expect((await readMirror(dataDir)).tickets[ticket.id]?.priority).toBe(4);
  });
});

describe('a load of the ticket mirror', () => {
  it('stops at an index in the wrong shape with an error naming it, even without the data folder\'s check', async () => {
    const dataDir = await pulledDataDir();
    const index = mirrorIndexFile(dataDir);
    const { account } = JSON.parse(await fs.readFile(index, 'utf8')) as { account: string };
    await fs.writeFile(index, JSON.stringify({ version: 4, account, mode: 'esm', scopes: {}, shards: null }));
    const failed = await new TicketMirror(dataDir, account).load('esm').catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DataFileError);
    expect((failed as DataFileError).file).toBe(index);
    expect((failed as DataFileError).problem).toContain('shards');
  });
});

describe('a pull reading a client\'s shard', () => {
  it('stops at a shard file holding null, or tickets that are not an object, as not in the expected shape', async () => {
    const dataDir = await pulledDataDir();
    const shard = (await readMirror(dataDir)).shardFiles[String(acme!.id)]!;
    const original = JSON.parse(await fs.readFile(shard, 'utf8')) as Record<string, unknown>;
    for (const [content, wrong] of [['null', 'the whole file'], [JSON.stringify({ ...original, tickets: null }), 'tickets'], [JSON.stringify({ ...original, tickets: [] }), 'tickets']] as const) {
      await fs.writeFile(shard, content);
      const failed = await connect(dataDir).puller.pull(acme!.id, october).catch((error: unknown) => error);
      expect(failed, content.slice(0, 40)).toBeInstanceOf(DataFileError);
      expect((failed as DataFileError).file).toBe(shard);
      expect((failed as DataFileError).problem, content.slice(0, 40)).toContain(`is not in the expected shape: ${wrong}`);
    }
  });
});

describe('the data folder\'s check of the ticket mirror', () => {
  it('tells a shard file that cannot be looked at from one that is missing', async () => {
    const dataDir = await pulledDataDir();
    const shards = path.join(path.dirname(mirrorIndexFile(dataDir)), 'tickets');
    await fs.rename(shards, `${shards}.away`);
    await fs.writeFile(shards, '');
    const broken = await brokenMirrorFile(dataDir);
    expect(broken?.problem).toBe('cannot be read (ENOTDIR)');

    await fs.rm(shards);
    expect((await brokenMirrorFile(dataDir))?.problem).toBe('is missing although the mirror index names it');
    await fs.rename(`${shards}.away`, shards);
    expect(await brokenMirrorFile(dataDir)).toBeUndefined();
  });

  it('looks again for a missing shard file while other processes commit, a bounded number of times', async () => {
    const dataDir = await pulledDataDir();
    const index = mirrorIndexFile(dataDir);
    const stat = fs.stat.bind(fs);
    let commits = 0;
    const stats = vi.spyOn(fs, 'stat').mockImplementation(async (file) => {
      if (String(file) === index) return { ...(await stat(file)), ino: (commits += 1) } as Awaited<ReturnType<typeof stat>>;
      throw Object.assign(new Error('gone'), { code: 'ENOENT' });
    });
    expect((await brokenMirrorFile(dataDir))?.problem).toBe('is missing although the mirror index names it');
    expect(stats.mock.calls.filter(([file]) => String(file) === index)).toHaveLength(6);
  });
});
