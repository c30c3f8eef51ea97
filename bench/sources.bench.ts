import pLimit from 'p-limit';
import { silentLogger } from '../src/logger.js';
import { createM365Source, GRAPH_PACE } from '../src/m365/index.js';
import { parsePeriod, trailingMonths } from '../src/period/period.js';
import { seedM365Tenants, seedSentinelOneWorld, seedWorld, startM365Sandbox, startSentinelOneSandbox } from '../src/sandbox/index.js';
import { createSentinelOneSource, SENTINELONE_PACE } from '../src/sentinelone/index.js';
import type { DataSource } from '../src/sources/source.js';

const ANCHOR = new Date('2026-11-20T12:00:00Z');
const CLIENTS = 100;
/** SentinelOne publishes no limit: the floor is our own pace (5 requests a second); the bench runs it ten times faster. */
const TIME_SCALE = 10;
/** Clients pulled at once, as the digest does. */
const CONCURRENCY = 8;
/** Per report: the site's agents, its threats, the unresolved count; the site list once for all. */
const S1_CALLS_PER_CLIENT = 3;
/** Per tenant: a token, the licences, three reports each with its download, the Secure Scores. */
const GRAPH_CALLS_PER_CLIENT = 9;

/**
 * Both sources pulled for 100 clients' month, as a digest does: every client mapped (SentinelOne by site name,
 * Microsoft 365 by tenant id), eight at a time. Prints the calls each service answered against the fewest a
 * month needs, and the wall time against the floor each service's limits allow.
 */
export async function run(): Promise<Record<string, unknown>> {
  const world = seedWorld({ anchor: ANCHOR, profile: { departments: CLIENTS, audienceMembers: 200, months: 13, seatScale: 1 } });
  const s1World = seedSentinelOneWorld(world);
  const tenants = seedM365Tenants(world);
  const s1Service = await startSentinelOneSandbox({ world: s1World, controls: { timeScale: TIME_SCALE } });
  const m365Service = await startM365Sandbox({ tenants, controls: { timeScale: TIME_SCALE } });
  try {
    const october = parsePeriod('2026-10', { timezone: 'UTC', now: ANCHOR });
    const months = trailingMonths(october, 12);
    const s1 = createSentinelOneSource({ url: s1Service.url, apiToken: s1Service.apiToken, pace: { ...SENTINELONE_PACE, perSecond: SENTINELONE_PACE.perSecond * TIME_SCALE }, logger: silentLogger });
    const m365 = createM365Source({ clientId: m365Service.clientId, clientSecret: m365Service.clientSecret, loginUrl: m365Service.loginUrl, graphUrl: m365Service.graphUrl, pace: GRAPH_PACE, logger: silentLogger });

    const pullAll = async (source: DataSource, targets: Array<{ id: string; name: string }>) => {
      const limit = pLimit(CONCURRENCY);
      const started = performance.now();
      await Promise.all(targets.map((target) => limit(() => source.contribute({ target, period: october, months, asOf: ANCHOR }))));
      return performance.now() - started;
    };

    const sites = [];
    for (const department of world.departments) {
      const match = await s1.match({ id: department.id, name: department.name });
      if (match.kind === 'matched') sites.push(match.target);
    }
    s1Service.requests.length = 0;
    const s1Ms = await pullAll(s1, sites);
    const s1Calls = s1Service.requests.length;
    const s1Floor = { calls: sites.length * S1_CALLS_PER_CLIENT, ms: ((sites.length * S1_CALLS_PER_CLIENT) / (SENTINELONE_PACE.perSecond * TIME_SCALE)) * 1000 };

    const consented = tenants.filter((tenant) => tenant.consented).map((tenant) => ({ id: tenant.id, name: tenant.displayName }));
    m365Service.requests.length = 0;
    const m365Ms = await pullAll(m365, consented);
    const m365Calls = m365Service.requests.length;
    // Graph limits each tenant on its own and the app at 2000 requests a second; a tenant's critical path is a token, then a report and its download.
    const m365Floor = { calls: consented.length * GRAPH_CALLS_PER_CLIENT, ms: Math.max((consented.length * GRAPH_CALLS_PER_CLIENT) / 2000, (consented.length * GRAPH_CALLS_PER_CLIENT) / (GRAPH_PACE.perSecond)) * 1000 };

    const figures = {
      clients: CLIENTS,
      sentinelone: {
        mappedClients: sites.length,
        calls: s1Calls,
        floorCalls: s1Floor.calls,
        callRatio: Number((s1Calls / s1Floor.calls).toFixed(2)),
        rateLimited: s1Service.requests.filter((entry) => entry.status === 429).length,
        wallMs: Math.round(s1Ms),
        floorMs: Math.round(s1Floor.ms),
        timeRatio: Number((s1Ms / s1Floor.ms).toFixed(2)),
        realPaceSeconds: Math.round((s1Ms * TIME_SCALE) / 1000),
      },
      m365: {
        mappedClients: consented.length,
        calls: m365Calls,
        floorCalls: m365Floor.calls,
        callRatio: Number((m365Calls / m365Floor.calls).toFixed(2)),
        rateLimited: m365Service.requests.filter((entry) => entry.status === 429).length,
        downloadsWithAuthorization: m365Service.requests.filter((entry) => entry.path.startsWith('/download/') && entry.authorization).length,
        wallMs: Math.round(m365Ms),
        floorMs: Math.round(m365Floor.ms),
        timeRatio: Number((m365Ms / m365Floor.ms).toFixed(2)),
      },
    };
    console.log(JSON.stringify(figures, null, 2));
    return figures;
  } finally {
    await Promise.all([s1Service.close(), m365Service.close()]);
  }
}
