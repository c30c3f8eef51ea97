import type { AxiosInstance, AxiosResponse } from 'axios';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { createTextHttp, parseJsonText } from '../text-http.js';
import { backoffMs, createPacer, retryAfterSeconds, sleep, type PaceOptions, type Pacer } from '../pacing.js';
import { parseCsv } from './csv.js';
import { M365Error, M365UnavailableError, graphError, tokenError } from './errors.js';

export const GRAPH_URL = 'https://graph.microsoft.com';
export const LOGIN_URL = 'https://login.microsoftonline.com';
const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
/** A token is renewed this long before Microsoft says it expires. */
const TOKEN_MARGIN_MS = 5 * 60_000;
/**
 * A report function allows 14 calls per 10 minutes per tenant, so a report read in the last 10 minutes is
 * used again (a digest, then a regeneration) rather than asked for twice.
 */
const REPORT_REUSE_MS = 10 * 60_000;
/** A wait Graph asks for beyond this fails the source's section instead of holding up the report. */
const MAX_WAIT_SECONDS = 120;

/**
 * Graph's limits are per app and tenant (reports: 14 calls per 10 minutes per report function; security: 150 a
 * minute and 4 at once); the shared one is 2000 requests a second per app. A report reads a tenant with under ten
 * calls, so the pace only keeps many tenants at once polite.
 */
export const GRAPH_PACE: PaceOptions = { perSecond: 50, concurrent: 8 };

export type UsageReport = 'getOffice365ActiveUserCounts' | 'getOffice365ServicesUserCounts' | 'getMailboxUsageDetail';
export type ReportPeriod = 'D7' | 'D30' | 'D90' | 'D180';

export interface GraphClientOptions {
  clientId: string;
  clientSecret: string;
  /** Overrides for the simulated services; the real ones by default. */
  loginUrl?: string;
  graphUrl?: string;
  timeoutMs?: number;
  pace?: PaceOptions;
  attempts?: number;
  rateLimitedAttempts?: number;
  baseDelayMs?: number;
  logger?: Logger;
  now?: () => number;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * Microsoft Graph app-only, one token per client tenant (client credentials, cached until shortly before it
 * expires, renewed once on a 401), JSON paged by `@odata.nextLink`, usage reports as CSV behind a 302 to a
 * pre-authenticated URL fetched without our token, 429/503 waited out by `Retry-After` (backing off without it).
 */
export class GraphClient {
  private readonly http: AxiosInstance;
  private readonly pacer: Pacer;
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private readonly reports = new Map<string, { at: number; rows: Promise<Array<Record<string, string>>> }>();
  private readonly loginUrl: string;
  private readonly graphUrl: string;
  private readonly logger: Logger;
  private readonly attempts: number;
  private readonly rateLimitedAttempts: number;
  private readonly baseDelayMs: number;
  private readonly now: () => number;
  private calls = 0;

  constructor(private readonly options: GraphClientOptions) {
    this.loginUrl = (options.loginUrl ?? LOGIN_URL).replace(/\/+$/, '');
    this.graphUrl = (options.graphUrl ?? GRAPH_URL).replace(/\/+$/, '');
    this.pacer = createPacer(options.pace ?? GRAPH_PACE);
    this.logger = options.logger ?? silentLogger;
    this.attempts = options.attempts ?? 4;
    this.rateLimitedAttempts = options.rateLimitedAttempts ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.http = createTextHttp({ timeoutMs: options.timeoutMs ?? 30_000, maxSockets: 8 });
  }

  stats(): { calls: number } {
    return { calls: this.calls };
  }

  /** The tenant's id for a domain it owns, from its public OpenID configuration (no token needed); undefined when none. */
  async tenantIdOf(domain: string): Promise<string | undefined> {
    const response = await this.send(() => this.http.get<string>(`${this.loginUrl}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`), `the sign-in configuration of ${domain}`);
    if (response.status !== 200) return undefined;
    const issuer = (parseJsonText(response.data) as { issuer?: unknown } | undefined)?.issuer;
    return typeof issuer === 'string' ? issuer.split('/')[3] : undefined;
  }

  /** One JSON resource, every page of it when it has `value` and `@odata.nextLink`. */
  async getAll<T>(tenant: string, path: string, what: string): Promise<T[]> {
    const items: T[] = [];
    let url: string | undefined = `${this.graphUrl}/v1.0${path}`;
    const seen = new Set<string>();
    while (url) {
      const body = (await this.graph(tenant, url, what)) as { value?: unknown; '@odata.nextLink'?: unknown };
      if (!Array.isArray(body.value)) throw new M365Error(`Microsoft Graph sent ${what} for tenant ${tenant} without its list.`);
      items.push(...(body.value as T[]));
      const next: unknown = body['@odata.nextLink'];
      url = typeof next === 'string' && !seen.has(next) ? next : undefined;
      if (url) {
        if (new URL(url).origin !== new URL(this.graphUrl).origin) throw new M365Error(`Microsoft Graph pointed the next page of ${what} at another host, so paging stopped.`);
        seen.add(url);
      }
    }
    return items;
  }

  async getOne<T>(tenant: string, path: string, what: string): Promise<T> {
    return (await this.graph(tenant, `${this.graphUrl}/v1.0${path}`, what)) as T;
  }

  /**
   * A usage report as rows: the function answers 302 with the download address in `Location`; that address is
   * pre-authenticated and short-lived, and is fetched with no Authorization header (sending ours gets an error).
   */
  usageReport(tenant: string, report: UsageReport, period: ReportPeriod): Promise<Array<Record<string, string>>> {
    const key = `${tenant}:${report}:${period}`;
    const cached = this.reports.get(key);
    if (cached && this.now() - cached.at < REPORT_REUSE_MS) return cached.rows;
    const rows = this.downloadReport(tenant, report, period);
    this.reports.set(key, { at: this.now(), rows });
    rows.catch(() => this.reports.delete(key));
    return rows;
  }

  private async downloadReport(tenant: string, report: UsageReport, period: ReportPeriod): Promise<Array<Record<string, string>>> {
    const what = `the ${report} report`;
    const location = await this.graph(tenant, `${this.graphUrl}/v1.0/reports/${report}(period='${period}')`, what, { redirect: true });
    const response = await this.send(() => this.http.get<string>(String(location), { headers: { Accept: 'text/csv, application/octet-stream' } }), what);
    if (response.status !== 200) throw graphError({ tenant, status: response.status, body: parseJsonText(response.data), what: `the download of ${what}` });
    return parseCsv(String(response.data ?? ''));
  }

  private token(tenant: string, renew = false): Promise<CachedToken> {
    const cached = this.tokens.get(tenant);
    if (cached && !renew) {
      return cached.then((token) => (token.expiresAt - TOKEN_MARGIN_MS > this.now() ? token : this.token(tenant, true)));
    }
    const request = this.requestToken(tenant);
    this.tokens.set(tenant, request);
    request.catch(() => this.tokens.delete(tenant));
    return request;
  }

  private async requestToken(tenant: string): Promise<CachedToken> {
    const form = new URLSearchParams({ client_id: this.options.clientId, client_secret: this.options.clientSecret, scope: GRAPH_SCOPE, grant_type: 'client_credentials' });
    const response = await this.send(
      () => this.http.post<string>(`${this.loginUrl}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`, form.toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
      `a token for tenant ${tenant}`,
    );
    const body = parseJsonText(response.data) as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (response.status !== 200 || typeof body?.access_token !== 'string') throw tokenError(tenant, response.status, body);
    const seconds = Number(body.expires_in);
    return { value: body.access_token, expiresAt: this.now() + (Number.isFinite(seconds) ? seconds : 3599) * 1000 };
  }

  /** A Graph GET with the tenant's token: the parsed body, or with `redirect` the 302's Location. */
  private async graph(tenant: string, url: string, what: string, options: { redirect?: boolean } = {}): Promise<unknown> {
    let renewed = false;
    for (;;) {
      const token = await this.token(tenant);
      const response = await this.send(() => this.http.get<string>(url, { headers: { Authorization: `Bearer ${token.value}`, Accept: 'application/json' } }), what);
      const body = parseJsonText(response.data);
      if (options.redirect && response.status === 302 && typeof response.headers.location === 'string') return new URL(response.headers.location, url).toString();
      if (response.status === 200 && !options.redirect && body !== undefined) return body;
      if (response.status === 401 && !renewed) {
        // A token can be revoked or expire early; one fresh token is worth a try.
        renewed = true;
        // Several requests may meet the same dead token; the first to notice asks for a new one, the others wait for it.
        const current = await this.tokens.get(tenant)?.catch(() => undefined);
        if (current?.value === token.value) this.tokens.delete(tenant);
        continue;
      }
      throw graphError({ tenant, status: response.status, body, what });
    }
  }

  /** Paces a request and waits out throttling (429, 503) and network failures; other answers go back to the caller. */
  private async send(request: () => Promise<AxiosResponse<string>>, what: string): Promise<AxiosResponse<string>> {
    let failures = 0;
    let throttled = 0;
    for (;;) {
      let response: AxiosResponse<string> | undefined;
      let failure: unknown;
      try {
        response = await this.pacer.run(request);
      } catch (error) {
        failure = error;
      }
      this.calls += 1;
      if (response && response.status !== 429 && response.status < 500) return response;
      const seconds = response ? retryAfterSeconds(response.headers['retry-after']) : undefined;
      if (response?.status === 429) throttled += 1;
      else failures += 1;
      if (throttled >= this.rateLimitedAttempts || failures >= this.attempts || (seconds ?? 0) > MAX_WAIT_SECONDS) {
        if (response) return response;
        const code = (failure as { code?: string } | undefined)?.code;
        throw new M365UnavailableError(`IntegoReport could not reach Microsoft for ${what} (${code ?? 'network error'}); try again in a few minutes.`);
      }
      const waitMs = seconds !== undefined ? seconds * 1000 : backoffMs(throttled + failures, this.baseDelayMs, 60_000);
      if (response?.status === 429) this.pacer.pause(waitMs);
      this.logger.warn({ what, status: response?.status, waitMs }, 'Microsoft Graph throttled or failed; waiting before retrying');
      await sleep(waitMs);
    }
  }
}
