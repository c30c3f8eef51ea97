import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { createSourceUseCases } from '../src/app/sources.js';
import { fixedClock } from '../src/clock.js';
import { parseApprovers } from '../src/approvers.js';
import { silentLogger } from '../src/logger.js';
import { parsePeriod, trailingMonths } from '../src/period/period.js';
import { startSentinelOneSandbox, type SentinelOneControls, type SentinelOneSandbox, type SentinelOneWorld } from '../src/sandbox/index.js';
import { SentinelOneAuthError, SentinelOnePermissionError, createSentinelOneSource, type SentinelOneAgent } from '../src/sentinelone/index.js';
import { readAudit } from '../src/store/audit.js';
import { SourceMapStore } from '../src/store/source-maps.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const FAST = { perSecond: 1000, concurrent: 2 };
const SITE = { id: '1392053568582758390', name: 'Acme Corporation' };
const OTHER = { id: '1392053568582758397', name: 'Globex - HQ' };

function agent(index: number, siteId = SITE.id): SentinelOneAgent & { siteName: string; accountId: string; createdAt: string } {
  return {
    id: String(1463801667584541849n + BigInt(index)),
    computerName: `ACME-LT-${index}`,
    siteId,
    siteName: siteId === SITE.id ? SITE.name : OTHER.name,
    accountId: '1',
    osType: index % 10 === 0 ? 'linux' : 'windows',
    isUpToDate: index % 4 !== 0,
    isDecommissioned: false,
    isUninstalled: false,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

function threat(index: number, createdAt: string, incidentStatus = 'resolved'): SentinelOneWorld['threats'][number] {
  return {
    id: String(1715718962991148224n + BigInt(index)),
    agentRealtimeInfo: { agentComputerName: `ACME-LT-${index % 3}`, agentId: '1', agentOsType: 'windows', siteId: SITE.id, siteName: SITE.name },
    agentDetectionInfo: { siteId: null },
    threatInfo: { threatName: 'x', confidenceLevel: 'malicious', mitigationStatus: 'mitigated', incidentStatus, createdAt },
    mitigationStatus: [],
  };
}

function world(agents: number): SentinelOneWorld {
  const site = (entry: typeof SITE) => ({ ...entry, accountId: '1', accountName: 'MSP', state: 'active' as const, siteType: 'Paid' as const, registrationToken: 'secret-install-token', createdAt: '2025-01-01T00:00:00Z' });
  return {
    sites: [site(SITE), site(OTHER)],
    agents: [...Array.from({ length: agents }, (_, index) => agent(index)), agent(agents, OTHER.id)],
    threats: [threat(1, '2026-10-03T10:00:00.000Z'), threat(2, '2026-10-31T23:59:59.000Z', 'unresolved'), threat(3, '2026-11-01T00:00:00.000Z', 'in_progress'), threat(4, '2026-09-15T00:00:00.000Z'), threat(5, '2025-06-01T00:00:00.000Z', 'unresolved')],
  };
}

let sandbox: SentinelOneSandbox | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  if (dataDir) await removeTempDir(dataDir);
  dataDir = undefined;
});

async function start(agents = 5, controls: Partial<SentinelOneControls> = {}) {
  sandbox = await startSentinelOneSandbox({ world: world(agents), controls });
  return sandbox;
}

const october = parsePeriod('2026-10', { timezone: 'UTC', now: new Date('2026-11-20T12:00:00Z') });
const request = (target = SITE) => ({ target, period: october, months: trailingMonths(october, 12), asOf: new Date('2026-11-20T12:00:00Z') });
const source = (service: SentinelOneSandbox, options: { apiToken?: string; baseDelayMs?: number; pace?: { perSecond: number; concurrent: number } } = {}) =>
  createSentinelOneSource({ url: service.url, apiToken: options.apiToken ?? service.apiToken, pace: options.pace ?? FAST, baseDelayMs: options.baseDelayMs ?? 20, logger: silentLogger });

describe('the simulated SentinelOne refuses what the console refuses', () => {
  const get = (service: SentinelOneSandbox, path: string, headers: Record<string, string> = { Authorization: `ApiToken ${service.apiToken}` }) =>
    axios.get(`${service.url}/web/api/v2.1${path}`, { headers, validateStatus: () => true });

  it('answers a missing or wrong token with 401 Authentication Failed, and a role without the permission with 403', async () => {
    const service = await start(1, { permissions: ['Sites.view', 'Endpoints.view'] });
    for (const headers of [{}, { Authorization: "ApiToken wrong" }, { Authorization: `Bearer ${service.apiToken}` }] as Array<Record<string, string>>) {
      const response = await get(service, '/sites?limit=10', headers);
      expect(response.status).toBe(401);
      expect(response.data).toEqual({ errors: [{ code: 4010010, detail: null, title: 'Authentication Failed' }] });
    }
    expect((await get(service, '/threats?limit=10')).data.errors[0]).toMatchObject({ code: 4030010 });
  });

  it('holds limit to 1–1000, skip to 0–1000 and never with a cursor, and only takes cursors it handed out for the same query', async () => {
    const service = await start(1500);
    for (const query of ['limit=1001', 'limit=0', 'limit=10&skip=1001', 'limit=10&skip=0&cursor=abc', 'limit=10&cursor=made-up', 'limit=10&unknownFilter=1', 'limit=10&sortBy=nonsense']) {
      const response = await get(service, `/agents?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.data.errors[0].code, query).toBe(4000010);
    }
    const first = await get(service, '/agents?limit=1000&siteIds=' + SITE.id);
    expect(first.data.pagination).toEqual({ nextCursor: expect.any(String), totalItems: 1500 });
    expect((await get(service, `/agents?limit=1000&cursor=${first.data.pagination.nextCursor}`)).status).toBe(400);
    const second = await get(service, `/agents?limit=1000&siteIds=${SITE.id}&cursor=${first.data.pagination.nextCursor}`);
    expect(second.data.data).toHaveLength(500);
    expect(second.data.pagination.nextCursor).toBeNull();
  });

  it('nests sites under data.sites with ids as strings', async () => {
    const service = await start();
    const { data } = await get(service, '/sites?limit=1000&states=active');
    expect(data.data.sites.map((site: { id: unknown }) => site.id)).toEqual([SITE.id, OTHER.id]);
    expect(data.data.allSites).toBeDefined();
  });
});

describe('the SentinelOne client against the simulated console', () => {
  it('reads every page at limit 1000 by cursor, through an empty last page, and counts what a site has', async () => {
    const service = await start(2000);
    const contribution = await source(service).contribute(request());
    const agentCalls = service.requests.filter((entry) => entry.path.endsWith('/agents'));
    expect(agentCalls.map((entry) => [entry.query.limit, Boolean(entry.query.cursor)])).toEqual([['1000', false], ['1000', true], ['1000', true]]);
    expect(agentCalls.every((entry) => entry.status === 200)).toBe(true);
    expect(contribution.figures).toMatchObject({ endpoints: { protected: 2000, outOfDate: 500 }, threats: { inPeriod: 2, previous: 1, unresolvedNow: 3 } });
    expect(service.requests.find((entry) => entry.path.endsWith('/threats') && entry.query.createdAt__gte)!.query).toMatchObject({
      siteIds: SITE.id,
      createdAt__gte: '2025-11-01T00:00:00.000Z',
      createdAt__lt: '2026-11-01T00:00:00.000Z',
      limit: '1000',
    });
  });

  it('waits out 429s: Retry-After when the console sends it, backing off when it does not', async () => {
    const service = await start(3, { requestsPerSecond: 2 });
    const contribution = await source(service, { pace: { perSecond: 50, concurrent: 2 } }).contribute(request());
    expect(service.requests.some((entry) => entry.status === 429)).toBe(true);
    expect(contribution.figures).toMatchObject({ endpoints: { protected: 3 } });

    service.controls.requestsPerSecond = 100;
    service.controls.sendRetryAfter = false;
    service.controls.rateLimitBurst = 3;
    service.requests.length = 0;
    await source(service).contribute(request());
    expect(service.requests.filter((entry) => entry.status === 429)).toHaveLength(3);
    expect(service.requests.at(-1)!.status).toBe(200);
  }, 20_000);

  it('retries a console that answers 503 a few times, then succeeds', async () => {
    const service = await start(3, { serverErrorBurst: 2 });
    await expect(source(service).contribute(request())).resolves.toMatchObject({ headline: expect.stringContaining('3 endpoints protected') });
    expect(service.requests.filter((entry) => entry.status === 503)).toHaveLength(2);
  });

  it('says the token was rejected when it is wrong or expired, and which permission is missing', async () => {
    const service = await start();
    const rejected = source(service, { apiToken: 'expired-token' }).contribute(request());
    await expect(rejected).rejects.toBeInstanceOf(SentinelOneAuthError);
    await expect(rejected).rejects.toThrow(/^SentinelOne rejected the API token \(invalid or expired\) for 127\.0\.0\.1:\d+; check SENTINELONE_API_TOKEN\.$/);
    expect(service.requests.filter((entry) => entry.status === 401)).toHaveLength(1);

    service.controls.permissions = ['Sites.view', 'Endpoints.view'];
    const refused = source(service).contribute(request());
    await expect(refused).rejects.toBeInstanceOf(SentinelOnePermissionError);
    await expect(refused).rejects.toThrow(/Viewer role/);
  });

  it('maps clients to sites by name like the client directory, keeps no install token, and leaves an unnamed client unmapped', async () => {
    const service = await start();
    const s1 = source(service);
    expect(await s1.match({ id: 1, name: 'Acme Corporation' })).toEqual({ kind: 'matched', target: SITE });
    expect(JSON.stringify(await s1.find(SITE.id))).not.toContain('secret-install-token');
    expect(await s1.match({ id: 2, name: 'Globex' })).toEqual({ kind: 'matched', target: OTHER });
    expect(await s1.match({ id: 3, name: 'Initech' })).toEqual({ kind: 'none', reason: 'no SentinelOne site is named like "Initech"' });
    expect(service.requests.filter((entry) => entry.path.endsWith('/sites'))).toHaveLength(1);
  });
});

describe('mapping clients to SentinelOne sites', () => {
  const clock = fixedClock('2026-11-20T12:00:00Z');
  const approver = { platform: 'slack' as const, id: 'UAPPROVER', name: 'Ada' };
  const someone = { platform: 'slack' as const, id: 'UOTHER', name: 'Bob' };

  async function useCases() {
    const service = await start();
    dataDir = await makeTempDir('source-maps-');
    const sources = createSourceUseCases({
      sources: [source(service)],
      maps: new SourceMapStore(dataDir),
      clock,
      logger: silentLogger,
      approvers: parseApprovers('slack:UAPPROVER', { sandbox: false }).approvers,
      dataDir,
    });
    return { service, sources };
  }

  it('pulls nothing for a client without a site: no section, no call beyond the site list', async () => {
    const { service, sources } = await useCases();
    const outcomes = await sources.contributions({ id: 3, name: 'Initech' }, { period: october, months: trailingMonths(october, 12), asOf: clock.now() });
    expect(outcomes).toEqual([]);
    expect(service.requests.map((entry) => entry.path)).toEqual(['/web/api/v2.1/sites']);
  });

  it('lets an approver map by hand, to none, and back to automatic, each audited; others are refused', async () => {
    const { sources } = await useCases();
    const initech = { id: 3, name: 'Initech' };
    await expect(sources.map(someone, initech, 'sentinelone', 'Globex - HQ')).rejects.toThrow(/^Only approvers can map clients/);
    await expect(sources.map(approver, initech, 'sentinelone', 'Umbrella')).rejects.toThrow(/^SentinelOne has no site "Umbrella"\./);
    await expect(sources.map(approver, initech, 'jira', 'x')).rejects.toThrow('"jira" is not a data source here; use one of: sentinelone.');

    expect(await sources.map(approver, initech, 'SentinelOne', OTHER.id)).toMatchObject({ target: OTHER, via: 'manual', setBy: 'Ada' });
    const outcomes = await sources.contributions(initech, { period: october, months: trailingMonths(october, 12), asOf: clock.now() });
    expect(outcomes).toMatchObject([{ key: 'sentinelone', headline: '1 endpoint protected · no threats' }]);

    const acme = { id: 1, name: 'Acme Corporation' };
    expect(await sources.map(approver, acme, 'sentinelone', 'none')).toMatchObject({ target: null, via: 'manual' });
    expect(await sources.contributions(acme, { period: october, months: trailingMonths(october, 12), asOf: clock.now() })).toEqual([]);
    expect(await sources.map(approver, acme, 'sentinelone', 'auto')).toMatchObject({ target: SITE, via: 'automatic' });

    const audit = (await readAudit(dataDir!)).filter((entry) => entry.action === 'client.map');
    expect(audit.map((entry) => [entry.actor.name, entry.target, entry.detail])).toEqual([
      ['Ada', { clientId: 3, key: 'sentinelone' }, `SentinelOne: mapped to site Globex - HQ (${OTHER.id}).`],
      ['Ada', { clientId: 1, key: 'sentinelone' }, 'SentinelOne: mapped to no site.'],
      ['Ada', { clientId: 1, key: 'sentinelone' }, 'SentinelOne: back to automatic mapping.'],
    ]);
  });
});
