import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixedClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { createRuntime } from '../src/compose/runtime.js';
import { startEmbeddedSandbox } from '../src/compose/sandbox.js';
import { createFreshservice } from '../src/freshservice/index.js';
import { generateReport } from '../src/app/generate-report.js';
import { createDigestWiring } from '../src/compose/digest.js';
import { SCHEDULER_ACTOR } from '../src/jobs/jobs.js';
import { parsePeriod } from '../src/period/period.js';
import { ReportStore } from '../src/store/reports.js';
import { ContractStore } from '../src/store/contracts.js';
import { startFreshserviceSandbox, seedWorld, type RecordedRequest } from '../src/sandbox/index.js';

/** The naive baseline compares pulls, so neither side prints. */
const noPdf = { unavailable: () => 'not printed in this benchmark', print: () => Promise.reject(new Error('not printed')) };

const ANCHOR = '2026-12-01T08:00:00Z';
const PROFILE = { departments: 100, audienceMembers: 900, months: 6 };
const CREDITS_PER_MINUTE = 200;
const TIME_SCALE = Number(process.env.DIGEST_BENCH_TIME_SCALE ?? 240);
const LATENCY_MS = 20;

const PER_TICKET = /^\/api\/v2\/tickets\/\d+/;

function split(requests: RecordedRequest[]) {
  const ok = requests.filter((request) => request.status !== 429);
  const perTicket = ok.filter((request) => PER_TICKET.test(request.path));
  const lists = ok.filter((request) => !PER_TICKET.test(request.path));
  const sum = (items: RecordedRequest[]) => items.reduce((total, request) => total + request.credits, 0);
  const ticketPaths = perTicket.map((request) => `${request.path}?${new URLSearchParams(request.query).toString()}`);
  return {
    listCalls: lists.length,
    listCredits: sum(lists),
    ticketCalls: perTicket.length,
    ticketCredits: sum(perTicket),
    repeatedTicketCalls: ticketPaths.length - new Set(ticketPaths).size,
    credits: sum(ok),
    rateLimited: requests.length - ok.length,
  };
}

/**
 * The monthly digest for 100 clients (a seeded sandbox world with 100 departments), ours — one
 * account-wide mirror refresh, then every draft served from the mirror — against the naive way:
 * each client's draft generated on its own fresh data dir, so each one lists the account's tickets
 * for the two months itself. Both on their own simulated Growth-plan account (200 credits/min, time
 * scaled), both generating the same drafts (pull, metrics, render) for the same linked clients.
 */
export async function run(): Promise<Record<string, unknown>> {
  const clock = fixedClock(ANCHOR);
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'integoreport-digest-bench-'));
    dirs.push(dir);
    return dir;
  };
  const controls = { rateLimitPerWindow: CREDITS_PER_MINUTE, windowMs: 60_000, timeScale: TIME_SCALE, latencyMs: LATENCY_MS };
  const period = parsePeriod('last-month', { timezone: 'UTC', now: new Date(ANCHOR) });

  const config = loadConfig({ DATA_DIR: await tempDir(), TIMEZONE: 'UTC', LOG_LEVEL: 'silent' });
  const runtime = await createRuntime({
    config,
    logger: silentLogger,
    clock,
    sandbox: await startEmbeddedSandbox(config, clock, { profile: PROFILE, anchor: new Date(ANCHOR), controls }),
  });
  const naiveSandbox = await startFreshserviceSandbox({ world: seedWorld({ anchor: new Date(ANCHOR), profile: PROFILE }), clock, controls });
  try {
    await runtime.clients.syncClients();
    const ticketsInWorld = runtime.sandbox!.freshservice.world.tickets.length;
    console.log(`digest.setup clients=${PROFILE.departments} tickets(${PROFILE.months} full months)=${ticketsInWorld} period=${period.key} limit=${CREDITS_PER_MINUTE} credits/min timeScale=${TIME_SCALE} latency=${LATENCY_MS}ms`);

    const oursSandbox = runtime.sandbox!.freshservice;
    oursSandbox.resetRequests();
    let started = Date.now();
    const snapshot = await createDigestWiring(runtime).publisher.preview(SCHEDULER_ACTOR, period);
    const oursMs = Date.now() - started;
    const ours = split(oursSandbox.requests);
    const drafted = snapshot.digest.rows.filter((row) => row.reportId);

    const reports = new ReportStore(await tempDir());
    started = Date.now();
    for (const row of drafted) {
      const freshservice = createFreshservice({
        baseUrl: naiveSandbox.baseUrl,
        apiKey: naiveSandbox.apiKey,
        dataDir: await tempDir(),
        clock,
        rateLimit: { minuteMs: 60_000 / TIME_SCALE },
      });
      await generateReport(
        { puller: freshservice.puller, reports, clock, logger: silentLogger, brand: async () => ({ name: 'Bench MSP', color: '#17324d' }), reportUrl: (id) => `http://127.0.0.1/reports/${id}`, historyCreditBudget: 1_000, pdf: noPdf, paper: 'a4', contracts: new ContractStore(reports.dataDir), people: async () => null },
        SCHEDULER_ACTOR,
        { client: { id: row.clientId, name: row.clientName }, period },
      );
    }
    const naiveMs = Date.now() - started;
    const naive = split(naiveSandbox.requests);

    const listRatio = ours.listCredits / naive.listCredits;
    console.log(`digest.drafts ours=${drafted.length} naive=${drafted.length} (linked clients; ${snapshot.digest.rows.length - drafted.length} unlinked skipped)`);
    console.log(`digest.list.credits ours=${ours.listCredits} (${ours.listCalls} calls) naive=${naive.listCredits} (${naive.listCalls} calls) ratio=${listRatio.toFixed(3)} (target ≤ 0.05)`);
    console.log(`digest.ticket.credits ours=${ours.ticketCredits} (${ours.ticketCalls} calls, repeated=${ours.repeatedTicketCalls}) naive=${naive.ticketCredits} (${naive.ticketCalls} calls, repeated=${naive.repeatedTicketCalls})`);
    console.log(`digest.total.credits ours=${ours.credits} naive=${naive.credits} ratio=${(ours.credits / naive.credits).toFixed(3)}`);
    console.log(`digest.wall ours=${oursMs}ms naive=${naiveMs}ms ratio=${(oursMs / naiveMs).toFixed(3)} (429s ours=${ours.rateLimited} naive=${naive.rateLimited})`);

    return {
      clients: PROFILE.departments,
      drafts: drafted.length,
      listCreditsOurs: ours.listCredits,
      listCreditsNaive: naive.listCredits,
      listCreditRatio: Number(listRatio.toFixed(4)),
      ticketCreditsOurs: ours.ticketCredits,
      ticketCreditsNaive: naive.ticketCredits,
      repeatedTicketCallsOurs: ours.repeatedTicketCalls,
      totalCreditsOurs: ours.credits,
      totalCreditsNaive: naive.credits,
      wallMsOurs: oursMs,
      wallMsNaive: naiveMs,
      pass: listRatio <= 0.05 && ours.repeatedTicketCalls === 0,
    };
  } finally {
    await naiveSandbox.close();
    await runtime.close();
    await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  }
}
