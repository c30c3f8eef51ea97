import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import type { FreshserviceTicket } from '../src/freshservice/types.js';
import { FIRST_CLIENT_WORKSPACE_ID, seedM365Tenants, seedSentinelOneWorld, seedWorld, startSandbox, type FreshserviceSandbox, type Sandbox } from '../src/sandbox/index.js';
import { DataFileError } from '../src/store/data-file.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const ANCHOR = '2026-11-25T12:00:00Z';
const LATER = '2026-12-02T09:00:00Z';
const PROFILE = { departments: 4, audienceMembers: 15, seatScale: 0.2 };
const MINUTE = 60_000;

async function call(sandbox: FreshserviceSandbox, pathAndQuery: string) {
  const response = await fetch(`${sandbox.baseUrl}${pathAndQuery}`, { headers: { Authorization: `Basic ${Buffer.from(`${sandbox.apiKey}:X`).toString('base64')}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The ids an incremental sync's listing answers, every page read. */
async function listedSince(sandbox: FreshserviceSandbox, since: string, workspaceId?: number): Promise<number[]> {
  const ids: number[] = [];
  for (let page = 1; ; page += 1) {
    const workspace = workspaceId === undefined ? '' : `&workspace_id=${workspaceId}`;
    const reply = await call(sandbox, `/tickets?updated_since=${since}&include=stats&per_page=100&order_type=asc&page=${page}${workspace}`);
    expect(reply.status).toBe(200);
    const tickets = reply.body.tickets as FreshserviceTicket[];
    ids.push(...tickets.map((ticket) => ticket.id));
    if (tickets.length < 100) return ids;
  }
}

/** What the same listing answers over the world as seeded, in memory. */
function expectedSince(tickets: FreshserviceTicket[], since: string, keep: (ticket: FreshserviceTicket) => boolean = () => true): number[] {
  return tickets
    .filter((ticket) => !ticket.spam && !ticket.deleted && Date.parse(ticket.updated_at) >= Date.parse(since) && keep(ticket))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id)
    .map((ticket) => ticket.id);
}

describe('the sandbox world kept on disk', () => {
  const seeded = seedWorld({ anchor: new Date(ANCHOR), profile: PROFILE });
  const newest = seeded.tickets.map((ticket) => ticket.updated_at).sort().at(-1)!;
  // What a warm sync asks: everything updated since ten minutes before the newest update it saw.
  const since = new Date(Date.parse(newest) - 10 * MINUTE).toISOString().replace(/\.\d{3}Z$/, 'Z');
  let dataDir: string;
  let sandbox: Sandbox | undefined;
  const sandboxDir = () => path.join(dataDir, 'sandbox');
  const start = async (at = LATER, mode: 'esm' | 'msp' = 'esm') => (sandbox = await startSandbox({ dataDir, clock: fixedClock(at), profile: PROFILE, freshserviceMode: mode }));
  const shardFiles = async () => {
    const folder = (await fs.readdir(sandboxDir())).find((name) => name.startsWith('tickets-'))!;
    return (await fs.readdir(path.join(sandboxDir(), folder))).sort().map((name) => path.join(sandboxDir(), folder, name));
  };

  beforeEach(async () => {
    dataDir = await makeTempDir('integoreport-stored-world-');
    await (await start(ANCHOR)).close();
    sandbox = undefined;
  });
  afterEach(async () => {
    await sandbox?.close();
    await removeTempDir(dataDir);
  });

  it('keeps the tickets out of world.json, in one file per week (from Monday, UTC) of last update', async () => {
    const stored = JSON.parse(await fs.readFile(path.join(sandboxDir(), 'world.json'), 'utf8'));
    expect(stored).not.toHaveProperty('tickets');
    expect(stored.departments).toEqual(seeded.departments);
    const mondayOf = (at: string) => {
      const day = new Date(at.slice(0, 10));
      day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
      return day.toISOString().slice(0, 10);
    };
    const weeks = [...new Set(seeded.tickets.map((ticket) => mondayOf(ticket.updated_at)))].sort();
    expect((await shardFiles()).map((file) => path.basename(file))).toEqual(weeks.map((week) => `${week}.json`));
    expect(weeks).toContain('2026-11-23');
  });

  it('answers a warm incremental listing from the newest week alone, and reads the rest when a request needs it', async () => {
    const files = await shardFiles();
    const older = files.slice(0, -1);
    const aside = path.join(dataDir, 'aside');
    await fs.mkdir(aside);
    for (const file of older) await fs.rename(file, path.join(aside, path.basename(file)));
    const { freshservice } = await start();
    expect(await listedSince(freshservice, since)).toEqual(expectedSince(seeded.tickets, since));
    expect(expectedSince(seeded.tickets, since).length).toBeGreaterThan(0);

    for (const file of older) await fs.rename(path.join(aside, path.basename(file)), file);
    const oldest = seeded.tickets.find((ticket) => !ticket.deleted)!;
    const shown = await call(freshservice, `/tickets/${oldest.id}?include=stats`);
    expect(shown.status).toBe(200);
    expect(shown.body.ticket).toMatchObject({ id: oldest.id, subject: oldest.subject, stats: oldest.stats });

    // Read once: the files are no longer needed.
    for (const file of files) await fs.rm(file);
    const entries = (await call(freshservice, `/tickets/${oldest.id}/time_entries`)).body.time_entries as Array<{ id: number }>;
    expect(entries.map((entry) => entry.id)).toEqual((seeded.timeEntries[oldest.id] ?? []).map((entry) => entry.id));
    expect(await listedSince(freshservice, since)).toEqual(expectedSince(seeded.tickets, since));
    expect(JSON.stringify(freshservice.world.tickets.map((ticket) => ticket.id))).toBe(JSON.stringify(seeded.tickets.map((ticket) => ticket.id)));
  });

  it('puts the tickets read for a listing into their workspaces', async () => {
    const { freshservice } = await start(LATER, 'msp');
    const acme = seeded.departments.find((department) => department.name === 'Acme Corporation')!;
    const acmeWorkspace = FIRST_CLIENT_WORKSPACE_ID + seeded.departments.indexOf(acme);
    const weekAgo = new Date(Date.parse(ANCHOR) - 7 * 86_400_000).toISOString();
    const listed = await listedSince(freshservice, weekAgo, acmeWorkspace);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed).toEqual(expectedSince(seeded.tickets, weekAgo, (ticket) => ticket.department_id === acme.id));
  });

  it('lists what tests change through the live world', async () => {
    const { freshservice } = await start();
    const old = freshservice.world.tickets.find((ticket) => !ticket.spam && !ticket.deleted && ticket.updated_at < '2026-03')!;
    const surveyed = freshservice.world.tickets.find((ticket) => !ticket.spam && !ticket.deleted && ticket.updated_at < '2026-03' && ticket.id !== old.id && ticket.status === 5)!;
    freshservice.touchTicket(old.id, { priority: 4 });
    freshservice.answerSurvey(surveyed.id, { ...Object.values(seeded.csat)[0]!, created_at: LATER });
    const listed = await call(freshservice, `/tickets?updated_since=${new Date(Date.parse(LATER) - MINUTE).toISOString()}&order_type=asc`);
    expect((listed.body.tickets as FreshserviceTicket[]).map((ticket) => [ticket.id, ticket.priority])).toEqual(
      [old, surveyed].sort((a, b) => a.created_at.localeCompare(b.created_at)).map((ticket) => [ticket.id, ticket.id === old.id ? 4 : ticket.priority]),
    );
  });

  it('derives the same SentinelOne and Microsoft 365 accounts without reading the tickets, from the clients as they were at start', async () => {
    const files = await shardFiles();
    for (const file of files) await fs.rm(file);
    const started = await start();
    const acme = started.freshservice.world.departments.find((department) => department.name === 'Acme Corporation')!;
    acme.name = 'Acme Renamed';
    expect(started.sentinelone.world).toEqual(seedSentinelOneWorld(seeded));
    expect(started.m365.tenants).toEqual(seedM365Tenants(seeded));
  });

  it('converts a world kept whole in world.json, keeping what it holds', async () => {
    const single = structuredClone(seeded) as Omit<typeof seeded, 'schemaVersion'> & { schemaVersion: number };
    single.schemaVersion = 2;
    const changed = single.tickets.find((ticket) => !ticket.spam && !ticket.deleted && ticket.updated_at < '2026-03')!;
    changed.subject = 'Printer on the third floor jams (edited)';
    await fs.rm(sandboxDir(), { recursive: true });
    await fs.mkdir(sandboxDir());
    await fs.writeFile(path.join(sandboxDir(), 'world.json'), JSON.stringify(single));

    const converted = JSON.stringify((await start()).freshservice.world);
    expect((await call(sandbox!.freshservice, `/tickets/${changed.id}`)).body.ticket).toMatchObject({ subject: 'Printer on the third floor jams (edited)' });
    await sandbox!.close();
    const stored = JSON.parse(await fs.readFile(path.join(sandboxDir(), 'world.json'), 'utf8'));
    expect(stored).toMatchObject({ schemaVersion: 4, anchor: '2026-11-25T12:00:00.000Z' });
    expect(stored).not.toHaveProperty('tickets');

    const { freshservice } = await start('2027-02-01T00:00:00Z');
    expect((await call(freshservice, `/tickets/${changed.id}`)).body.ticket).toMatchObject({ subject: 'Printer on the third floor jams (edited)' });
    expect(JSON.stringify(freshservice.world)).toBe(converted);
  });

  it('removes ticket folders world.json does not name once they are an hour old, when it writes a world', async () => {
    const named = (await fs.readdir(sandboxDir())).find((name) => name.startsWith('tickets-'))!;
    const [stale, recent] = ['tickets-stale', 'tickets-recent'].map((name) => path.join(sandboxDir(), name));
    for (const folder of [stale, recent]) {
      await fs.mkdir(folder);
      await fs.writeFile(path.join(folder, '2026-11-23.json'), '{}');
    }
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * MINUTE);
    await fs.utimes(stale, twoHoursAgo, twoHoursAgo);
    await fs.utimes(path.join(sandboxDir(), named), twoHoursAgo, twoHoursAgo);
    await fs.rm(path.join(sandboxDir(), 'world.json'));

    await start();
    const folders = (await fs.readdir(sandboxDir())).filter((name) => name.startsWith('tickets-'));
    expect(folders).toContain('tickets-recent');
    expect(folders).not.toContain('tickets-stale');
    expect(folders).not.toContain(named);
    expect(folders).toHaveLength(2);
  });

  it('stops at a broken world.json naming it and how to seed a new world, never a backup it does not have', async () => {
    await fs.writeFile(path.join(sandboxDir(), 'world.json'), '{"schemaVersion": 4, ');
    const failed = await start().catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DataFileError);
    expect((failed as DataFileError).message).toContain(`Data file ${path.join(sandboxDir(), 'world.json')} is not valid JSON`);
    expect((failed as DataFileError).message).toContain('stop the bot running on this data folder (if one is), run `integoreport sandbox reset`, and start it again');
    expect((failed as DataFileError).message).not.toContain('.bak');
  });

  it('seeds afresh when world.json is missing, whatever ticket files are left', async () => {
    await fs.rm(path.join(sandboxDir(), 'world.json'));
    const { freshservice } = await start('2027-02-01T00:00:00Z');
    expect(freshservice.world.anchor).toBe('2027-02-01T00:00:00.000Z');
    expect(freshservice.world.tickets.map((ticket) => ticket.updated_at).sort().at(-1)! > '2027-01-15').toBe(true);
    await sandbox!.close();
    const restarted = await start('2027-03-01T00:00:00Z');
    expect(restarted.freshservice.world.anchor).toBe('2027-02-01T00:00:00.000Z');
  });
});
