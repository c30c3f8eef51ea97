import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.js';
import { createFreshservice, type Freshservice } from '../src/freshservice/index.js';
import type { FreshserviceTicket } from '../src/freshservice/types.js';
import { parsePeriod, type Period } from '../src/period/period.js';
import { computeMetrics } from '../src/report/metrics.js';
import { FIRST_CLIENT_WORKSPACE_ID, startFreshserviceSandbox, seedWorld, type FreshserviceSandbox } from '../src/sandbox/index.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

/**
 * "Open at the end of the month" for every sandbox client and each of the last six months, three ways:
 * after a `sync` then `generate`, from `generate` on a fresh data folder, and counted straight from the
 * simulated Freshservice's own tickets. All three must agree, with the account in Employee Support Mode
 * (clients are departments, tickets in two workspaces) and, for the last two months, as an MSP (clients
 * are client workspaces).
 */

const ANCHOR = new Date('2026-11-20T12:00:00Z');
const TIMEZONE = 'UTC';
/** A Growth-plan account whose minute lasts 60 ms: its limits are real, but never slow a test down. */
const TIME_SCALE = 1000;
const MONTHS = ['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];
const clock = fixedClock(ANCHOR.toISOString());
const world = seedWorld({ anchor: ANCHOR });
const dataDirs: string[] = [];

/** A client as the account's mode has it, and which of the sandbox's tickets are its own. */
interface SandboxClient {
  id: number;
  name: string;
  owns(ticket: FreshserviceTicket): boolean;
}

function clientsOf(sandbox: FreshserviceSandbox): SandboxClient[] {
  if (sandbox.layout.mode === 'esm') return sandbox.world.departments.map(({ id, name }) => ({ id, name, owns: (ticket) => ticket.department_id === id }));
  return sandbox.layout.workspaces.filter((workspace) => workspace.id >= FIRST_CLIENT_WORKSPACE_ID).map(({ id, name }) => ({ id, name, owns: (ticket) => ticket.workspace_id === id }));
}

async function connect(sandbox: FreshserviceSandbox): Promise<Freshservice> {
  const dataDir = await makeTempDir('integoreport-open-at-end-');
  dataDirs.push(dataDir);
  return createFreshservice({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, dataDir, clock, rateLimit: { maxConcurrent: 16, minuteMs: 60_000 / TIME_SCALE }, enrichConcurrency: 32 });
}

/** Open at `end`: created before it, and not Resolved or Closed now, or resolved (else closed) at or after it. */
function openAtEndInSandbox(ticket: FreshserviceTicket, end: Date): boolean {
  if (ticket.spam || ticket.deleted || Date.parse(ticket.created_at) >= end.getTime()) return false;
  if (ticket.status !== 4 && ticket.status !== 5) return true;
  return Date.parse(ticket.stats!.resolved_at ?? ticket.stats!.closed_at!) >= end.getTime();
}

async function openAtEndPerClient(freshservice: Freshservice, clients: SandboxClient[], period: Period): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const { id, name } of clients) {
    const { dataset } = await freshservice.puller.pull({ id, name }, period);
    figures[name] = computeMetrics(dataset, { asOf: ANCHOR }).tickets.openAtEnd;
  }
  return figures;
}

const sandboxes = new Map<'esm' | 'msp', FreshserviceSandbox>();

beforeAll(async () => {
  for (const mode of ['esm', 'msp'] as const) {
    sandboxes.set(mode, await startFreshserviceSandbox({ world: structuredClone(world), clock, controls: { timeScale: TIME_SCALE }, mode }));
  }
});

afterAll(async () => {
  await Promise.all([...sandboxes.values()].map((sandbox) => sandbox.close()));
  await Promise.all(dataDirs.map((dir) => removeTempDir(dir)));
});

describe('open at the end of a month', () => {
  // Every month for the sandbox as it starts (Employee Support Mode); the last two as an MSP too.
  it.each([...MONTHS.map((month) => ['esm', month] as const), ...MONTHS.slice(-2).map((month) => ['msp', month] as const)])(
    'is the same after sync + generate, on a fresh data folder and in the sandbox, for every client (%s, %s)',
    async (mode, month) => {
      const sandbox = sandboxes.get(mode)!;
      const clients = clientsOf(sandbox);
      const period = parsePeriod(month, { timezone: TIMEZONE, now: ANCHOR });
      const inSandbox = Object.fromEntries(clients.map(({ name, owns }) => [name, sandbox.world.tickets.filter((ticket) => owns(ticket) && openAtEndInSandbox(ticket, period.to)).length]));

      const synced = await connect(sandbox);
      await synced.puller.syncMirror();
      const afterSync = await openAtEndPerClient(synced, clients, period);
      const fresh = await openAtEndPerClient(await connect(sandbox), clients, period);

      expect(clients).toHaveLength(world.departments.length);
      expect(afterSync).toEqual(inSandbox);
      expect(fresh).toEqual(inSandbox);
    },
    // Two full pulls of every client: about 15 s on an idle machine, twice that on a busy one.
    120_000,
  );

  it('is worth checking: some client ends one of these months with more open tickets than one filter page holds', () => {
    const openAtEnds = MONTHS.flatMap((month) => {
      const end = parsePeriod(month, { timezone: TIMEZONE, now: ANCHOR }).to;
      return world.departments.map((department) => world.tickets.filter((ticket) => ticket.department_id === department.id && openAtEndInSandbox(ticket, end)).length);
    });
    expect(Math.max(...openAtEnds)).toBeGreaterThan(30);
  });
});
