import { promises as nodeFs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { createRuntime, type Runtime } from '../src/compose/runtime.js';
import { startEmbeddedSandbox } from '../src/compose/sandbox.js';
import { createDigestWiring } from '../src/compose/digest.js';
import { generateReport, reportDataStart } from '../src/app/generate-report.js';
import { syncReportMirror } from '../src/app/mirror-sync.js';
import { SCHEDULER_ACTOR } from '../src/jobs/jobs.js';
import { parsePeriod } from '../src/period/period.js';
import { readJsonFile } from '../src/store/files.js';
import { readMirror } from './support/mirror-files.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

/** Tuesday 1 December 2026, 02:00 UTC: the nightly sync before the month's digest. */
const NIGHT = '2026-12-01T02:00:00Z';
const period = parsePeriod('2026-11', { timezone: 'UTC', now: new Date(NIGHT) });
const PER_TICKET = /^\/api\/v2\/tickets\/\d+/;
const dataDirs: string[] = [];
const runtimes: Runtime[] = [];

/** A bot process over the sandbox world kept in `dataDir` (seeded the same way for every data folder). */
async function start(dataDir?: string): Promise<Runtime> {
  const dir = dataDir ?? (await makeTempDir('integoreport-enriched-mirror-'));
  if (!dataDir) dataDirs.push(dir);
  const clock = fixedClock(NIGHT);
  const config = loadConfig({ DATA_DIR: dir, TIMEZONE: 'UTC', LOG_LEVEL: 'silent', CHROMIUM_PATH: '/nonexistent/chromium' });
  const runtime = await createRuntime({
    config,
    logger: silentLogger,
    clock,
    sandbox: await startEmbeddedSandbox(config, clock, { profile: { seatScale: 0.1 }, anchor: new Date(NIGHT), controls: { timeScale: 1000 } }),
  });
  runtimes.push(runtime);
  await runtime.clients.syncClients();
  return runtime;
}

function perTicketCalls(runtime: Runtime): string[] {
  return runtime.sandbox!.freshservice.requests.filter((request) => PER_TICKET.test(request.path)).map((request) => request.path);
}

/** The time-entry requests a report still makes: one for each of its tickets still open (time can be logged on them any day). */
function openTicketsTimeEntries(runtime: Runtime): string[] {
  const sandbox = runtime.sandbox!.freshservice;
  return sandbox.world.tickets.filter((ticket) => ![4, 5].includes(ticket.status)).map((ticket) => `/api/v2/tickets/${ticket.id}/time_entries`);
}

describe('reports and the digest read an enriched mirror', () => {
  let nightly: Runtime;
  let linked: Array<{ id: number; name: string }>;

  beforeAll(async () => {
    nightly = await start();
    linked = (await nightly.services.listClients()).filter((client) => client.state === 'linked').map(({ id, name }) => ({ id, name }));
    await syncReportMirror({ puller: nightly.freshservice.puller, listClients: () => nightly.services.listClients() }, { since: reportDataStart(period) });
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    for (const runtime of runtimes) await runtime.close();
    await Promise.all(dataDirs.map((dir) => removeTempDir(dir)));
  });

  it('makes a report whose only per-ticket calls are its open tickets\' time entries, with the same figures as a report pulled from scratch', async () => {
    const client = linked[0]!;
    nightly.sandbox!.freshservice.resetRequests();
    const enriched = await generateReport(nightly.generation, SCHEDULER_ACTOR, { client, period });
    const calls = perTicketCalls(nightly);
    expect(calls.length).toBeGreaterThan(0);
    expect(openTicketsTimeEntries(nightly)).toEqual(expect.arrayContaining(calls));

    const fresh = await start();
    fresh.sandbox!.freshservice.resetRequests();
    const pulled = await generateReport(fresh.generation, SCHEDULER_ACTOR, { client, period });
    expect(perTicketCalls(fresh).length).toBeGreaterThan(calls.length);

    expect(enriched.metrics.tickets.created).toBeGreaterThan(0);
    expect(enriched.metrics).toEqual(pulled.metrics);
    expect(enriched.record.figures).toEqual(pulled.record.figures);
    expect(await readJsonFile(enriched.record.files.metrics)).toEqual(await readJsonFile(pulled.record.files.metrics));
  });

  it('drafts the digest for every linked client reading the mirror files once', async () => {
    expect(linked.length).toBeGreaterThan(2);
    // A new process over the same data folder: nothing of the mirror in memory yet.
    const restarted = await start(nightly.config.dataDir);
    const mirrorFiles = path.join(nightly.config.dataDir, 'mirror');
    const shards = Object.values((await readMirror(nightly.config.dataDir)).shardFiles);
    const readFile = vi.spyOn(nodeFs, 'readFile');
    restarted.sandbox!.freshservice.resetRequests();

    const snapshot = await createDigestWiring(restarted).publisher.preview(SCHEDULER_ACTOR, period);

    const reads = readFile.mock.calls.map(([file]) => String(file)).filter((file) => file.startsWith(mirrorFiles));
    readFile.mockRestore();
    expect(snapshot.digest.rows.filter((row) => row.reportId)).toHaveLength(linked.length);
    // The index and every client's shard as the nightly sync left them, each once.
    expect(shards.length).toBeGreaterThan(linked.length);
    expect(reads.filter((file) => file.endsWith('index.json'))).toHaveLength(1);
    expect(reads.filter((file) => file.includes(`${path.sep}tickets${path.sep}`)).sort()).toEqual(shards.sort());
    // Only open tickets' time entries, each once; a report made after the digest needs none.
    const calls = perTicketCalls(restarted);
    expect(calls.length).toBeGreaterThan(0);
    expect(new Set(calls).size).toBe(calls.length);
    expect(openTicketsTimeEntries(restarted)).toEqual(expect.arrayContaining(calls));
    restarted.sandbox!.freshservice.resetRequests();
    await generateReport(restarted.generation, SCHEDULER_ACTOR, { client: linked[1]!, period });
    expect(perTicketCalls(restarted)).toEqual([]);
  });
});
