/**
 * The simulated SentinelOne Management API v2.1 on 127.0.0.1: /web/api/v2.1/sites, /agents, /agents/count and
 * /threats over {@link SentinelOneWorld}. As strict as the published Swagger: `Authorization: ApiToken …` (401
 * 4010010 otherwise), `limit` 1–1000, `skip` 0–1000 and never with `cursor`, cursors only as the server handed
 * them out, `nextCursor: null` on the last page (which may be empty), unknown query parameters refused, sites
 * nested under `data.sites`, ids as strings, 403 4030010 for a permission the token's role lacks.
 * Not documented by SentinelOne, so assumed here: a per-token limit of `requestsPerSecond`, answered 429 with
 * `Retry-After` (real seconds) and `{"errors":[{"code":4290010,"title":"Too Many Requests"}]}`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRng } from '../rng.js';
import type { SentinelOneWorld } from './world.js';
import { madeOnUse, type MadeOnUse } from '../made-on-use.js';

export const DEFAULT_SENTINELONE_SANDBOX_TOKEN = 'sandbox-sentinelone-token';
const PREFIX = '/web/api/v2.1';
/** SentinelOne does not document a default page size; the simulator's is small so a client that forgets `limit` notices. */
const DEFAULT_LIMIT = 10;

export type SentinelOnePermission = 'Sites.view' | 'Endpoints.view' | 'Threats.view';

export interface SentinelOneControls {
  /** Requests a token may make per second (time-scaled); assumed, as SentinelOne publishes none. */
  requestsPerSecond: number;
  /** Divides the one-second window: 10 makes it last 100 ms. */
  timeScale: number;
  /** The next N requests get 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitBurst: number;
  /** Whether a 429 carries Retry-After at all (SentinelOne does not document it). */
  sendRetryAfter: boolean;
  retryAfterSeconds: number;
  /** The next N requests get 503. */
  serverErrorBurst: number;
  /** Fraction (0..1) of requests answered 500. */
  serverErrorRate: number;
  /** Permissions the token's role has. */
  permissions: SentinelOnePermission[];
  faultSeed: number;
}

export interface SentinelOneRequest {
  path: string;
  query: Record<string, string>;
  status: number;
  at: number;
}

export interface SentinelOneSandbox {
  /** The console's address, as SENTINELONE_URL takes it. */
  url: string;
  apiToken: string;
  controls: SentinelOneControls;
  world: SentinelOneWorld;
  requests: SentinelOneRequest[];
  close(): Promise<void>;
}

export function defaultSentinelOneControls(): SentinelOneControls {
  return {
    requestsPerSecond: 10,
    timeScale: 1,
    rateLimitBurst: 0,
    sendRetryAfter: true,
    retryAfterSeconds: 1,
    serverErrorBurst: 0,
    serverErrorRate: 0,
    permissions: ['Sites.view', 'Endpoints.view', 'Threats.view'],
    faultSeed: 1,
  };
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const error = (status: number, code: number, title: string, detail: string | null = null): Reply => ({ status, body: { errors: [{ code, detail, title }] } });
const invalid = (detail: string) => error(400, 4000010, 'Validation Error', detail);

const PAGING = ['limit', 'skip', 'cursor', 'countOnly', 'skipCount', 'sortBy', 'sortOrder'];
const ENDPOINTS: Record<string, { permission: SentinelOnePermission; params: string[]; sortBy: string[]; paged: boolean }> = {
  '/sites': {
    permission: 'Sites.view',
    params: [...PAGING, 'siteIds', 'accountIds', 'name', 'name__contains', 'query', 'state', 'states', 'statesNin', 'siteType', 'sku'],
    sortBy: ['id', 'name', 'totalLicenses', 'expiration', 'siteType', 'state', 'suite', 'createdAt', 'updatedAt', 'activeLicenses', 'accountName', 'sku', 'description', 'usageType'],
    paged: true,
  },
  '/agents': {
    permission: 'Endpoints.view',
    params: [...PAGING, 'siteIds', 'accountIds', 'osTypes', 'isDecommissioned', 'isUninstalled', 'isActive', 'isUpToDate', 'infected', 'networkStatuses', 'computerName__contains', 'lastActiveDate__gte', 'lastActiveDate__lte'],
    sortBy: ['createdAt', 'updatedAt', 'id', 'computerName', 'groupId', 'osType', 'lastActiveDate', 'agentVersion'],
    paged: true,
  },
  '/agents/count': {
    permission: 'Endpoints.view',
    params: ['siteIds', 'accountIds', 'osTypes', 'isDecommissioned', 'isUninstalled', 'isActive', 'isUpToDate', 'infected', 'networkStatuses'],
    sortBy: [],
    paged: false,
  },
  '/threats': {
    permission: 'Threats.view',
    params: [
      ...PAGING,
      'siteIds', 'accountIds', 'createdAt__gte', 'createdAt__gt', 'createdAt__lte', 'createdAt__lt', 'updatedAt__gte', 'updatedAt__gt', 'updatedAt__lte', 'updatedAt__lt',
      'confidenceLevels', 'incidentStatuses', 'incidentStatusesNin', 'mitigationStatuses', 'classifications', 'analystVerdicts', 'resolved',
    ],
    sortBy: ['id', 'createdAt', 'updatedAt', 'mitigationStatus', 'siteId', 'siteName', 'agentComputerName', 'classification', 'createdDate'],
    paged: true,
  },
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const value = query.get(name);
  return value === null ? undefined : value.split(',').map((part) => part.trim()).filter(Boolean);
}

function booleanParam(query: URLSearchParams, name: string): boolean | undefined | 'invalid' {
  const value = query.get(name);
  if (value === null) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return 'invalid';
}

type Item = Record<string, unknown>;

/** Applies an endpoint's filters; a Reply when one is malformed. */
function filtered(endpoint: string, world: SentinelOneWorld, query: URLSearchParams): Item[] | Reply {
  const siteIds = listParam(query, 'siteIds');
  if (endpoint === '/sites') {
    const states = listParam(query, 'states') ?? (query.get('state') ? [query.get('state')!] : undefined);
    const name = query.get('name');
    return world.sites.filter((site) => (!siteIds || siteIds.includes(site.id)) && (!states || states.includes(site.state)) && (!name || site.name === name)) as unknown as Item[];
  }
  if (endpoint === '/agents' || endpoint === '/agents/count') {
    const flags = ['isDecommissioned', 'isUninstalled', 'isActive', 'isUpToDate', 'infected'] as const;
    const wanted: Partial<Record<(typeof flags)[number], boolean>> = {};
    for (const flag of flags) {
      const value = booleanParam(query, flag);
      if (value === 'invalid') return invalid(`${flag}: must be true or false`);
      if (value !== undefined) wanted[flag] = value;
    }
    const osTypes = listParam(query, 'osTypes');
    return world.agents.filter(
      (agent) =>
        (!siteIds || siteIds.includes(agent.siteId)) &&
        (!osTypes || osTypes.includes(agent.osType)) &&
        flags.every((flag) => wanted[flag] === undefined || Boolean(agent[flag]) === wanted[flag]),
    ) as unknown as Item[];
  }
  const bounds: Array<[string, (at: number, bound: number) => boolean]> = [
    ['createdAt__gte', (at, bound) => at >= bound],
    ['createdAt__gt', (at, bound) => at > bound],
    ['createdAt__lte', (at, bound) => at <= bound],
    ['createdAt__lt', (at, bound) => at < bound],
  ];
  const checks: Array<(at: number) => boolean> = [];
  for (const [name, test] of bounds) {
    const value = query.get(name);
    if (value === null) continue;
    if (!ISO_INSTANT.test(value)) return invalid(`${name}: not a valid date-time (example: "2018-02-27T04:49:26.257525Z")`);
    const bound = Date.parse(value);
    checks.push((at) => test(at, bound));
  }
  const incident = listParam(query, 'incidentStatuses');
  const confidence = listParam(query, 'confidenceLevels');
  const mitigation = listParam(query, 'mitigationStatuses');
  return world.threats.filter((threat) => {
    const at = Date.parse(threat.threatInfo.createdAt);
    return (
      (!siteIds || siteIds.includes(threat.agentRealtimeInfo.siteId ?? '')) &&
      checks.every((check) => check(at)) &&
      (!incident || incident.includes(threat.threatInfo.incidentStatus ?? '')) &&
      (!confidence || confidence.includes(threat.threatInfo.confidenceLevel ?? '')) &&
      (!mitigation || mitigation.includes(threat.threatInfo.mitigationStatus ?? ''))
    );
  }) as unknown as Item[];
}

function sortKey(item: Item, field: string): string {
  const value = item[field] ?? (item.threatInfo as Item | undefined)?.[field] ?? (item.agentRealtimeInfo as Item | undefined)?.[field];
  return value === undefined || value === null ? '' : String(value);
}

export async function startSentinelOneSandbox(options: {
  world: MadeOnUse<SentinelOneWorld>;
  apiToken?: string;
  controls?: Partial<SentinelOneControls>;
  port?: number;
}): Promise<SentinelOneSandbox> {
  const apiToken = options.apiToken ?? DEFAULT_SENTINELONE_SANDBOX_TOKEN;
  const world = madeOnUse(options.world);
  const controls: SentinelOneControls = { ...defaultSentinelOneControls(), ...options.controls };
  const requests: SentinelOneRequest[] = [];
  const cursors = new Map<string, { query: string; offset: number }>();
  const window = { startedAt: 0, used: 0 };
  let dice = { seed: controls.faultSeed, rng: createRng(controls.faultSeed) };
  let cursorSerial = 0;

  function throttle(): Reply | undefined {
    const lengthMs = 1000 / Math.max(controls.timeScale, 1e-9);
    const now = Date.now();
    if (now - window.startedAt >= lengthMs) Object.assign(window, { startedAt: now, used: 0 });
    const tooMany = (seconds: number): Reply => ({
      ...error(429, 4290010, 'Too Many Requests', 'Rate limit exceeded; retry later'),
      headers: controls.sendRetryAfter ? { 'Retry-After': String(seconds) } : {},
    });
    if (controls.rateLimitBurst > 0) {
      controls.rateLimitBurst -= 1;
      return tooMany(controls.retryAfterSeconds);
    }
    if (window.used >= controls.requestsPerSecond) return tooMany(Math.max(1, Math.ceil((window.startedAt + lengthMs - now) / 1000)));
    window.used += 1;
    return undefined;
  }

  function serve(method: string, url: URL, authorization: string | undefined): Reply {
    if (authorization !== `ApiToken ${apiToken}`) return error(401, 4010010, 'Authentication Failed');
    const limited = throttle();
    if (limited) return limited;
    if (dice.seed !== controls.faultSeed) dice = { seed: controls.faultSeed, rng: createRng(controls.faultSeed) };
    if (controls.serverErrorBurst > 0) {
      controls.serverErrorBurst -= 1;
      return error(503, 5030010, 'Service Unavailable');
    }
    if (controls.serverErrorRate > 0 && dice.rng.chance(controls.serverErrorRate)) return error(500, 5000010, 'Server Error');
    if (!url.pathname.startsWith(PREFIX)) return error(404, 4040010, 'Not Found');
    const endpoint = ENDPOINTS[url.pathname.slice(PREFIX.length)];
    if (!endpoint) return error(404, 4040010, 'Not Found');
    if (method !== 'GET') return error(405, 4050010, 'Method Not Allowed');
    if (!controls.permissions.includes(endpoint.permission)) return error(403, 4030010, 'Insufficient permissions', `Missing ${endpoint.permission}`);
    const query = url.searchParams;
    for (const name of query.keys()) if (!endpoint.params.includes(name)) return invalid(`${name}: unknown field`);

    const items = filtered(url.pathname.slice(PREFIX.length), world(), query);
    if (!Array.isArray(items)) return items;
    if (!endpoint.paged) return { status: 200, body: { data: { total: items.length } } };
    return page(url.pathname.slice(PREFIX.length), items, query, endpoint.sortBy);
  }

  function page(endpoint: string, items: Item[], query: URLSearchParams, sortable: string[]): Reply {
    const limitText = query.get('limit');
    const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
    if (!/^\d+$/.test(limitText ?? '10') || limit < 1 || limit > 1000) return invalid('limit: must be between 1 and 1000');
    const skipText = query.get('skip');
    const cursor = query.get('cursor');
    if (skipText !== null && (!/^\d+$/.test(skipText) || Number(skipText) > 1000)) return invalid('skip: must be between 0 and 1000; use "cursor" to iterate over more than 1000 items');
    if (skipText !== null && cursor !== null) return invalid('skip: cannot be combined with cursor');
    const sortBy = query.get('sortBy');
    if (sortBy !== null && !sortable.includes(sortBy)) return invalid(`sortBy: must be one of ${sortable.join(', ')}`);
    const sortOrder = query.get('sortOrder');
    if (sortOrder !== null && sortOrder !== 'asc' && sortOrder !== 'desc') return invalid('sortOrder: must be asc or desc');
    // What the query asks, cursor and limit aside: a cursor is only good for the query it was made for.
    const shape = [...query.entries()].filter(([name]) => name !== 'cursor' && name !== 'limit').sort().map(([name, value]) => `${name}=${value}`).join('&');
    let offset = skipText === null ? 0 : Number(skipText);
    if (cursor !== null) {
      const known = cursors.get(cursor);
      if (!known || known.query !== shape) return invalid('cursor: invalid or expired cursor');
      offset = known.offset;
    }
    const sorted = sortBy ? [...items].sort((a, b) => sortKey(a, sortBy).localeCompare(sortKey(b, sortBy)) * (sortOrder === 'desc' ? -1 : 1)) : items;
    const countOnly = query.get('countOnly') === 'true';
    const slice = countOnly ? [] : sorted.slice(offset, offset + limit);
    // Like the console, a page that ends exactly at the last item still hands out a cursor: the last page is then empty.
    let nextCursor: string | null = null;
    if (!countOnly && slice.length === limit) {
      cursorSerial += 1;
      nextCursor = Buffer.from(`${endpoint}:${cursorSerial}:${offset + limit}`).toString('base64url');
      cursors.set(nextCursor, { query: shape, offset: offset + limit });
    }
    const pagination = { nextCursor, ...(query.get('skipCount') === 'true' ? {} : { totalItems: items.length }) };
    const data = endpoint === '/sites' ? { allSites: { activeLicenses: world().agents.length, totalLicenses: world().agents.length + 100 }, sites: slice } : slice;
    return { status: 200, body: { data, pagination } };
  }

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const reply = serve(request.method ?? 'GET', url, request.headers.authorization);
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), status: reply.status, at: Date.now() });
    request.resume();
    response.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
    response.end(JSON.stringify(reply.body));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiToken,
    controls,
    get world() {
      return world();
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
