import type { AxiosInstance, AxiosResponse } from 'axios';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { createTextHttp, parseJsonText } from '../text-http.js';
import { backoffMs, createPacer, retryAfterSeconds, sleep, type PaceOptions, type Pacer } from '../pacing.js';
import { SentinelOneError, SentinelOneUnavailableError, errorEntries, errorForAnswer } from './errors.js';

/** The most items a list call may ask for (`limit` 1–1000). */
export const SENTINELONE_PAGE_LIMIT = 1000;

/**
 * SentinelOne publishes no rate limits. We pace ourselves well below what integrations are seen to use:
 * five requests a second, two in flight, per console.
 */
export const SENTINELONE_PACE: PaceOptions = { perSecond: 5, concurrent: 2 };

export interface SentinelOneClientOptions {
  /** The console's address, e.g. https://acme.sentinelone.net (a trailing /web/api/v2.1 is accepted). */
  url: string;
  apiToken: string;
  timeoutMs?: number;
  pace?: PaceOptions;
  /** Attempts in total per request for 5xx and network failures (the first included). */
  attempts?: number;
  /** 429s in a row one request waits out before giving up. */
  rateLimitedAttempts?: number;
  /** First backoff delay when there is no Retry-After; doubles per attempt. */
  baseDelayMs?: number;
  logger?: Logger;
}

export type QueryParams = Record<string, string | number | boolean | undefined>;

interface Pagination {
  nextCursor?: string | null;
  totalItems?: number;
}

/** The API base for a console address: its origin plus /web/api/v2.1. */
export function sentinelOneApiBase(url: string): string {
  const parsed = new URL(url.trim());
  return `${parsed.origin}/web/api/v2.1`;
}

/**
 * SentinelOne Management API v2.1 over axios: `Authorization: ApiToken …`, cursor paging with limit=1000,
 * paced per console, 429s waited out (Retry-After when given, else backing off), 5xx and network failures
 * retried, typed errors (an `errors` body fails the call whatever its status), call accounting.
 */
export class SentinelOneClient {
  readonly baseUrl: string;
  readonly host: string;
  private readonly http: AxiosInstance;
  private readonly pacer: Pacer;
  private readonly logger: Logger;
  private readonly attempts: number;
  private readonly rateLimitedAttempts: number;
  private readonly baseDelayMs: number;
  private calls = 0;

  constructor(options: SentinelOneClientOptions) {
    this.baseUrl = sentinelOneApiBase(options.url);
    this.host = new URL(this.baseUrl).host;
    this.pacer = createPacer(options.pace ?? SENTINELONE_PACE);
    this.logger = options.logger ?? silentLogger;
    this.attempts = options.attempts ?? 4;
    this.rateLimitedAttempts = options.rateLimitedAttempts ?? 6;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.http = createTextHttp({
      baseURL: this.baseUrl,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxSockets: 4,
      headers: { Authorization: `ApiToken ${options.apiToken}`, Accept: 'application/json' },
    });
  }

  stats(): { calls: number } {
    return { calls: this.calls };
  }

  /** One answer's body, checked: a non-2xx status or any `errors` entry throws the typed error. */
  async get<T>(path: string, params: QueryParams = {}): Promise<T> {
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      let response: AxiosResponse<string> | undefined;
      let failure: unknown;
      try {
        response = await this.pacer.run(() => this.http.get<string>(path, { params }));
      } catch (error) {
        failure = error;
      }
      this.calls += 1;
      const body = response ? parseJsonText(response.data) : undefined;
      if (response?.status === 429) {
        rateLimited += 1;
        const seconds = retryAfterSeconds(response.headers['retry-after']);
        if (rateLimited >= this.rateLimitedAttempts) {
          throw errorForAnswer({ status: 429, resource: describe(path), host: this.host, errors: errorEntries(body), retryAfterSeconds: seconds });
        }
        const waitMs = seconds !== undefined ? seconds * 1000 : backoffMs(rateLimited, this.baseDelayMs, 30_000);
        this.pacer.pause(waitMs);
        this.logger.warn({ path, waitMs }, 'SentinelOne rate limit reached; pausing all requests');
        continue;
      }
      let error: SentinelOneError;
      let retryable: boolean;
      if (response) {
        const errors = errorEntries(body);
        const ok = response.status >= 200 && response.status < 300;
        if (ok && errors.length === 0 && body !== undefined) return body as T;
        if (ok && errors.length === 0) {
          error = new SentinelOneUnavailableError(`SentinelOne (${this.host}) sent an incomplete answer for ${describe(path)}; try again in a few minutes.`, { status: response.status });
          retryable = true;
        } else {
          error = errorForAnswer({ status: response.status, resource: describe(path), host: this.host, errors });
          retryable = response.status >= 500;
        }
      } else {
        error = this.networkError(failure);
        retryable = true;
      }
      failures += 1;
      if (!retryable || failures >= this.attempts) throw error;
      const delay = backoffMs(failures, this.baseDelayMs, 15_000);
      this.logger.warn({ path, attempt: failures, delayMs: delay, reason: error.message }, 'SentinelOne request failed; retrying');
      await sleep(delay);
    }
  }

  /**
   * Every item of a list, page by page: limit=1000 and `cursor` = the last page's `nextCursor` until it is
   * null (a last page may be empty). `items` picks the list out of `data` (sites nest it under `data.sites`).
   */
  async *pages<T>(path: string, params: QueryParams, items: (data: unknown) => unknown): AsyncGenerator<T[], void, undefined> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    do {
      const body = await this.get<{ data?: unknown; pagination?: Pagination }>(path, { ...params, limit: SENTINELONE_PAGE_LIMIT, cursor });
      const list = items(body.data);
      if (!Array.isArray(list)) throw new SentinelOneError(`SentinelOne (${this.host}) sent a page of ${describe(path)} without its list.`);
      yield list as T[];
      cursor = body.pagination?.nextCursor ?? undefined;
      if (cursor !== undefined) {
        if (seen.has(cursor)) throw new SentinelOneError(`SentinelOne (${this.host}) sent the same page of ${describe(path)} twice, so paging stopped.`);
        seen.add(cursor);
      }
    } while (cursor);
  }

  async all<T>(path: string, params: QueryParams, items: (data: unknown) => unknown = (data) => data): Promise<T[]> {
    const result: T[] = [];
    for await (const page of this.pages<T>(path, params, items)) result.push(...page);
    return result;
  }

  /** How many items a list has, from one one-item page's `pagination.totalItems`. */
  async count(path: string, params: QueryParams): Promise<number> {
    const body = await this.get<{ pagination?: Pagination }>(path, { ...params, limit: 1 });
    const total = body.pagination?.totalItems;
    if (typeof total !== 'number') throw new SentinelOneError(`SentinelOne (${this.host}) did not say how many ${describe(path)} there are.`);
    return total;
  }

  private networkError(failure: unknown): SentinelOneError {
    const code = (failure as { code?: string } | undefined)?.code ?? '';
    if (code === 'ENOTFOUND') return new SentinelOneUnavailableError(`IntegoReport could not reach ${this.host}: the name does not resolve, so check SENTINELONE_URL.`);
    return new SentinelOneUnavailableError(`IntegoReport could not reach SentinelOne at ${this.host} (${code || 'network error'}); try again in a few minutes.`);
  }
}

function describe(path: string): string {
  return `the ${path.split('?')[0]!.replace(/^\/+/, '').replace(/\//g, ' ')} list`;
}
