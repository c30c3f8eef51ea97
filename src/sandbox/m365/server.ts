/**
 * The simulated Microsoft identity platform and Graph v1.0 for the MSP's multi-tenant app, on 127.0.0.1:
 * `/login/{tenant}/oauth2/v2.0/token` (client credentials), `/login/{tenant}/v2.0/.well-known/openid-configuration`,
 * `/graph/v1.0/organization`, `/subscribedSkus`, `/reports/<usage report>(period='D…')` (a 302 to `/download/…`)
 * and `/security/secureScores`, over {@link seedM365Tenants}. Strict as Microsoft documents it: Entra's error body
 * and AADSTS codes (unknown tenant 90002, not consented 7000229, wrong secret 7000215, /common 9001023, a scope
 * other than .default 70011), Graph's `{"error":{code,message,innerError}}` (401 InvalidAuthenticationToken,
 * 403 S2SUnauthorized or Authorization_RequestDenied for a permission not granted), periods D7/D30/D90/D180 only,
 * no $filter on subscribedSkus, 90 days of Secure Score newest first, download URLs that expire after five minutes
 * and refuse an Authorization header, and the reports' limit: 14 calls per 10 minutes per app, tenant and report,
 * then 429 with Retry-After. Fault injection: 429 and 503 bursts, with or without Retry-After.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxTenant } from './world.js';
import { madeOnUse, type MadeOnUse } from '../made-on-use.js';

export const DEFAULT_M365_SANDBOX_APP = { clientId: '6f1c7a52-0d3e-4f8b-9a51-3c2e7d9b1a00', clientSecret: 'sandbox-m365-secret' };
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const REPORTS = ['getOffice365ActiveUserCounts', 'getOffice365ServicesUserCounts', 'getMailboxUsageDetail'] as const;
const REPORT_LIMIT = 14;
const REPORT_WINDOW_MS = 10 * 60_000;
const DOWNLOAD_TTL_MS = 5 * 60_000;
const SCORE_DAYS = 90;
const SCORE_PAGE = 50;

export type GraphPermission = 'Organization.Read.All' | 'Reports.Read.All' | 'SecurityEvents.Read.All';

export interface M365Controls {
  /** Divides the reports' 10-minute window: 60 makes it last 10 s. */
  timeScale: number;
  /** Application permissions granted in every tenant. */
  permissions: GraphPermission[];
  /** The next N Graph requests get 429. */
  rateLimitBurst: number;
  /** The next N Graph requests get 503. */
  serverErrorBurst: number;
  /** Whether those bursts carry Retry-After (some Graph services send none). */
  sendRetryAfter: boolean;
  retryAfterSeconds: number;
  /** Seconds an access token lives (Microsoft: about an hour). */
  tokenLifetimeSeconds: number;
}

export interface M365Request {
  method: string;
  path: string;
  authorization: boolean;
  status: number;
  at: number;
}

export interface M365Sandbox {
  /** For the Graph client: `loginUrl` and `graphUrl`. */
  loginUrl: string;
  graphUrl: string;
  clientId: string;
  clientSecret: string;
  controls: M365Controls;
  tenants: SandboxTenant[];
  requests: M365Request[];
  /** Makes every token issued so far invalid, as an expired one would be. */
  expireTokens(): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export function defaultM365Controls(): M365Controls {
  return { timeScale: 1, permissions: ['Organization.Read.All', 'Reports.Read.All', 'SecurityEvents.Read.All'], rateLimitBurst: 0, serverErrorBurst: 0, sendRetryAfter: true, retryAfterSeconds: 1, tokenLifetimeSeconds: 3599 };
}

function entraError(status: number, error: string, code: number, text: string): Reply {
  const trace = randomBytes(8).toString('hex');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: ${trace}\r\nCorrelation ID: ${trace}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: trace,
      correlation_id: trace,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

function graphError(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return { status, headers, body: { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomBytes(8).toString('hex') } } } };
}

const BOM = '\uFEFF';
const csv = (header: string[], rows: Array<Array<string | number>>) => `${BOM}${[header, ...rows].map((row) => row.join(',')).join('\r\n')}\r\n`;

function reportCsv(tenant: SandboxTenant, report: (typeof REPORTS)[number], days: number): string {
  const held = tenant.daily.slice(-days);
  const refresh = tenant.daily.at(-1)!.date;
  const period = String(days);
  if (report === 'getOffice365ActiveUserCounts') {
    return csv(
      ['Report Refresh Date', 'Office 365', 'Exchange', 'OneDrive', 'SharePoint', 'Skype For Business', 'Yammer', 'Teams', 'Report Date', 'Report Period'],
      [...held].reverse().map((entry) => [refresh, entry.office365, entry.exchange, entry.oneDrive, entry.sharePoint, '', '', entry.teams, entry.date, period]),
    );
  }
  const users = tenant.mailboxes.length;
  if (report === 'getOffice365ServicesUserCounts') {
    const peak = (key: 'exchange' | 'oneDrive' | 'sharePoint' | 'teams' | 'office365') => Math.min(users, Math.max(...held.map((entry) => entry[key])) + 1);
    const pair = (key: Parameters<typeof peak>[0]) => [peak(key), users - peak(key)];
    return csv(
      ['Report Refresh Date', 'Exchange Active', 'Exchange Inactive', 'OneDrive Active', 'OneDrive Inactive', 'SharePoint Active', 'SharePoint Inactive', 'Skype For Business Active', 'Skype For Business Inactive', 'Yammer Active', 'Yammer Inactive', 'Teams Active', 'Teams Inactive', 'Office 365 Active', 'Office 365 Inactive', 'Report Period'],
      [[refresh, ...pair('exchange'), ...pair('oneDrive'), ...pair('sharePoint'), '', '', '', '', ...pair('teams'), ...pair('office365'), period]],
    );
  }
  return csv(
    ['Report Refresh Date', 'User Principal Name', 'Display Name', 'Is Deleted', 'Deleted Date', 'Created Date', 'Last Activity Date', 'Item Count', 'Storage Used (Byte)', 'Issue Warning Quota (Byte)', 'Prohibit Send Quota (Byte)', 'Prohibit Send/Receive Quota (Byte)', 'Deleted Item Count', 'Deleted Item Size (Byte)', 'Deleted Item Quota (Byte)', 'Has Archive', 'Report Period'],
    tenant.mailboxes.map((box, index) => [refresh, box.upn, `"User ${index + 1}, Mailbox"`, 'False', '', '2024-01-15', refresh, box.items, box.storage, box.warningQuota, box.warningQuota + 500_000_000, box.warningQuota + 1_000_000_000, 10, 1000, 30_000_000_000, 'False', period]),
  );
}

export async function startM365Sandbox(options: { tenants: MadeOnUse<SandboxTenant[]>; controls?: Partial<M365Controls>; port?: number }): Promise<M365Sandbox> {
  const tenants = madeOnUse(options.tenants);
  const controls: M365Controls = { ...defaultM365Controls(), ...options.controls };
  const app = DEFAULT_M365_SANDBOX_APP;
  const requests: M365Request[] = [];
  const tokens = new Map<string, { tenant: string; expiresAt: number }>();
  const downloads = new Map<string, { csv: string; expiresAt: number }>();
  const reportCalls = new Map<string, number[]>();
  let origin = '';

  const tenantBy = (text: string) => {
    const wanted = decodeURIComponent(text).toLowerCase();
    return tenants().find((tenant) => tenant.id === wanted || tenant.verifiedDomains.some((domain) => domain.name.toLowerCase() === wanted));
  };

  function token(tenantText: string, body: string): Reply {
    if (tenantText === 'common' || tenantText === 'consumers' || tenantText === 'organizations') {
      return entraError(400, 'invalid_request', 9001023, "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.");
    }
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') return entraError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    const tenant = tenantBy(tenantText);
    if (!tenant) return entraError(400, 'invalid_request', 90002, `Tenant '${tenantText}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    if (form.get('client_id') !== app.clientId) return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant.displayName}'.`);
    if (!tenant.consented) return entraError(401, 'invalid_client', 7000229, `The client application ${app.clientId} is missing service principal in the tenant ${tenant.id}.`);
    if (form.get('client_secret') !== app.clientSecret) return entraError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    if (form.get('scope') !== GRAPH_SCOPE) return entraError(400, 'invalid_scope', 70011, "The provided value for the input parameter 'scope' is not valid.");
    const value = `eyJ0eXAiOiJKV1QifQ.${randomBytes(24).toString('base64url')}`;
    tokens.set(value, { tenant: tenant.id, expiresAt: Date.now() + controls.tokenLifetimeSeconds * 1000 });
    return { status: 200, body: { token_type: 'Bearer', expires_in: controls.tokenLifetimeSeconds, ext_expires_in: controls.tokenLifetimeSeconds, access_token: value } };
  }

  function throttled(): Reply | undefined {
    const retry = controls.sendRetryAfter ? { 'Retry-After': String(controls.retryAfterSeconds) } : undefined;
    if (controls.rateLimitBurst > 0) {
      controls.rateLimitBurst -= 1;
      return graphError(429, 'TooManyRequests', 'Too many requests. Please try again later.', retry);
    }
    if (controls.serverErrorBurst > 0) {
      controls.serverErrorBurst -= 1;
      return graphError(503, 'serviceNotAvailable', 'Service unavailable.', retry);
    }
    return undefined;
  }

  function graph(url: URL, authorization: string | undefined): Reply {
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const session = bearer ? tokens.get(bearer) : undefined;
    if (!session) return graphError(401, 'InvalidAuthenticationToken', bearer ? 'Access token validation failure. Invalid audience.' : 'Access token is empty.');
    if (session.expiresAt <= Date.now()) return graphError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
    const tenant = tenants().find((candidate) => candidate.id === session.tenant)!;
    const limited = throttled();
    if (limited) return limited;
    const path = decodeURIComponent(url.pathname.replace(/^\/graph\/v1\.0/, ''));
    const query = url.searchParams;
    const refuse = (permission: GraphPermission, code: string, message: string) => (controls.permissions.includes(permission) ? undefined : graphError(403, code, message));
    const unknownOption = (allowed: string[]) => [...query.keys()].find((name) => !allowed.includes(name));

    if (path === '/organization') {
      const denied = refuse('Organization.Read.All', 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      if (denied) return denied;
      if (unknownOption(['$select'])) return graphError(400, 'BadRequest', `Query option '${unknownOption(['$select'])}' is not allowed.`);
      return { status: 200, body: { value: [{ id: tenant.id, displayName: tenant.displayName, verifiedDomains: tenant.verifiedDomains }] } };
    }
    if (path === '/subscribedSkus') {
      const denied = refuse('Organization.Read.All', 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
      if (denied) return denied;
      const option = unknownOption(['$select']);
      if (option) return graphError(400, 'Request_UnsupportedQuery', `Query option '${option.replace('$', '')}' is not allowed for this resource.`);
      return { status: 200, body: { value: tenant.skus } };
    }
    const report = /^\/reports\/(\w+)\(period='([^']*)'\)$/.exec(path);
    if (report && (REPORTS as readonly string[]).includes(report[1]!)) {
      const denied = refuse('Reports.Read.All', 'S2SUnauthorized', 'Invalid permission.');
      if (denied) return denied;
      const days = { D7: 7, D30: 30, D90: 90, D180: 180 }[report[2]!];
      if (!days) return graphError(400, 'BadRequest', `Invalid period '${report[2]}'; use D7, D30, D90 or D180.`);
      const key = `${tenant.id}:${report[1]}`;
      const windowMs = REPORT_WINDOW_MS / controls.timeScale;
      const recent = (reportCalls.get(key) ?? []).filter((at) => at > Date.now() - windowMs);
      if (recent.length >= REPORT_LIMIT) {
        reportCalls.set(key, recent);
        return graphError(429, 'TooManyRequests', 'Too many requests. Please try again later.', { 'Retry-After': String(Math.max(1, Math.ceil((recent[0]! + windowMs - Date.now()) / 1000))) });
      }
      reportCalls.set(key, [...recent, Date.now()]);
      const id = randomBytes(12).toString('base64url');
      downloads.set(id, { csv: reportCsv(tenant, report[1] as (typeof REPORTS)[number], days), expiresAt: Date.now() + DOWNLOAD_TTL_MS });
      return { status: 302, text: '', headers: { Location: `${origin}/download/${id}`, 'Content-Type': 'text/plain' } };
    }
    if (path === '/security/secureScores') {
      const denied = refuse('SecurityEvents.Read.All', 'Forbidden', 'Insufficient privileges to complete the operation.');
      if (denied) return denied;
      const option = unknownOption(['$top', '$skip', '$filter', '$count', '$select']);
      if (option) return graphError(400, 'BadRequest', `Query option '${option}' is not allowed.`);
      const top = query.get('$top');
      if (top !== null && !/^\d+$/.test(top)) return graphError(400, 'BadRequest', 'Invalid $top value.');
      const skip = Number(query.get('$skip') ?? 0);
      const held = tenant.scores.slice(0, SCORE_DAYS).map((score) => ({ id: `${tenant.id}_${score.createdDateTime.slice(0, 10)}`, azureTenantId: tenant.id, ...score, activeUserCount: 0, licensedUserCount: tenant.mailboxes.length, enabledServices: ['HasExchange', 'HasSharePoint'], averageComparativeScores: [{ basis: 'AllTenants', averageScore: 37 }], controlScores: [], vendorInformation: { provider: 'SecureScore', vendor: 'Microsoft' } }));
      // Server-driven paging, as Graph may do on any list: at most SCORE_PAGE items, the rest behind @odata.nextLink.
      const wanted = held.slice(skip, top === null ? undefined : skip + Number(top));
      const page = wanted.slice(0, SCORE_PAGE);
      const next = new URL(url.toString());
      next.searchParams.set('$skip', String(skip + SCORE_PAGE));
      if (top !== null) next.searchParams.set('$top', String(Number(top) - SCORE_PAGE));
      return { status: 200, body: { value: page, ...(wanted.length > SCORE_PAGE ? { '@odata.nextLink': `${origin}${next.pathname}${next.search}` } : {}) } };
    }
    return graphError(404, 'Request_ResourceNotFound', `Resource '${path}' does not exist.`);
  }

  function download(id: string, authorization: string | undefined): Reply {
    const file = downloads.get(id);
    // A pre-authenticated download with an Authorization header added answers an error page, not the report.
    if (authorization) return { status: 401, text: '<html><body><h1>Unauthorized</h1><p>This download link does not take an Authorization header.</p></body></html>', headers: { 'Content-Type': 'text/html' } };
    if (!file || file.expiresAt <= Date.now()) return { status: 404, text: '<html><body><h1>Not found</h1><p>The download link expired.</p></body></html>', headers: { 'Content-Type': 'text/html' } };
    return { status: 200, text: file.csv, headers: { 'Content-Type': 'application/octet-stream' } };
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      const method = request.method ?? 'GET';
      const login = /^\/login\/([^/]+)\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration)$/.exec(url.pathname);
      let reply: Reply;
      if (login && login[2] === 'oauth2/v2.0/token' && method === 'POST') reply = token(decodeURIComponent(login[1]!), body);
      else if (login && method === 'GET') {
        const tenant = tenantBy(login[1]!);
        reply = tenant
          ? { status: 200, body: { issuer: `https://login.microsoftonline.com/${tenant.id}/v2.0`, token_endpoint: `https://login.microsoftonline.com/${tenant.id}/oauth2/v2.0/token` } }
          : entraError(400, 'invalid_tenant', 90002, `Tenant '${decodeURIComponent(login[1]!)}' not found.`);
      } else if (url.pathname.startsWith('/graph/v1.0/') && method === 'GET') reply = graph(url, request.headers.authorization);
      else if (url.pathname.startsWith('/download/') && method === 'GET') reply = download(url.pathname.slice('/download/'.length), request.headers.authorization);
      else reply = graphError(404, 'Request_ResourceNotFound', 'Not found.');
      requests.push({ method, path: url.pathname, authorization: Boolean(request.headers.authorization), status: reply.status, at: Date.now() });
      response.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
      response.end(reply.text ?? JSON.stringify(reply.body));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    loginUrl: `${origin}/login`,
    graphUrl: `${origin}/graph`,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    controls,
    get tenants() {
      return tenants();
    },
    requests,
    expireTokens: () => {
      for (const session of tokens.values()) session.expiresAt = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
