import type { AxiosInstance, AxiosResponse } from 'axios';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import { createTextHttp } from '../text-http.js';
import { backoffMs, sleep } from '../pacing.js';
import { FreshserviceError, FreshserviceUnavailableError, errorForResponse } from './errors.js';
import { rateLimiterFor, type RateLimitOptions, type RateLimiter } from './rate-limiter.js';
import { endpointClass } from './rate-plans.js';
import { withoutUndefined } from '../collections.js';

export interface RetryOptions {
  /** Attempts in total for a GET (the first try included). */
  attempts?: number;
  /** First backoff delay; doubles per attempt, with full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How many 429s in a row one request tolerates before giving up. */
  rateLimitedAttempts?: number;
}

export interface FreshserviceClientOptions {
  /** Up to and including /api/v2 (see freshserviceBaseUrl in src/config.ts). */
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  rateLimit?: RateLimitOptions;
  retry?: RetryOptions;
  logger?: Logger;
}

export interface RequestOptions {
  params?: Record<string, string | number | boolean | undefined>;
  /** Requests with higher priority start first when the rate limiter queues (sequential list pages). */
  priority?: number;
}

export interface FreshserviceResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string>;
}

export interface CallStats {
  calls: number;
  credits: number;
}

const DEFAULT_RETRY: Required<RetryOptions> = { attempts: 6, baseDelayMs: 400, maxDelayMs: 8_000, rateLimitedAttempts: 30 };
const DEFAULT_RETRY_AFTER_SECONDS = 10;
const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'ERR_CANCELED', 'ERR_BAD_RESPONSE', 'EHOSTUNREACH', 'ENETUNREACH', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET']);

/** Credits Freshservice charges by rule: 1, plus 2 per include on a list or 1 per include on a single record. */
export function creditsByRule(path: string, params: RequestOptions['params'] = {}): number {
  const include = typeof params.include === 'string' ? params.include.split(',').filter(Boolean).length : 0;
  if (include === 0) return 1;
  const single = /\/\d+$/.test(stripQuery(path));
  return 1 + include * (single ? 1 : 2);
}

/** The `rel="next"` URL of a Link header, if any. */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * Freshservice API v2 over axios: Basic auth with the key, keep-alive, one process-wide rate limiter
 * per account, retries with backoff for GETs, typed errors, pagination by Link header, call accounting.
 */
export class FreshserviceClient {
  readonly baseUrl: string;
  readonly host: string;
  private readonly http: AxiosInstance;
  private readonly limiter: RateLimiter;
  private readonly retry: Required<RetryOptions>;
  private readonly logger: Logger;
  private counters: CallStats = { calls: 0, credits: 0 };

  constructor(options: FreshserviceClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.host = new URL(this.baseUrl).host;
    this.limiter = rateLimiterFor(this.baseUrl, options.rateLimit);
    this.retry = { ...DEFAULT_RETRY, ...withoutUndefined(options.retry ?? {}) };
    this.logger = options.logger ?? silentLogger;
    this.http = createTextHttp({
      baseURL: this.baseUrl,
      timeoutMs: options.timeoutMs ?? 30_000,
      maxSockets: 16,
      auth: { username: options.apiKey, password: 'X' },
      headers: { Accept: 'application/json' },
    });
  }

  /** Calls made and credits spent since creation or the last `resetStats()`. */
  stats(): CallStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = { calls: 0, credits: 0 };
  }

  async get<T>(path: string, options: RequestOptions = {}): Promise<FreshserviceResponse<T>> {
    return this.request<T>('GET', path, undefined, options);
  }

  async post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<FreshserviceResponse<T>> {
    return this.request<T>('POST', path, body, options);
  }

  /**
   * Every page of a list, following `Link: <…>; rel="next"` until it is absent.
   * `key` names the array in the body (`tickets`, `departments`, …).
   */
  async *paginate<T>(path: string, options: RequestOptions & { key: string }): AsyncGenerator<T[], void, undefined> {
    let next: string | undefined = path;
    let params = options.params;
    while (next) {
      const response: FreshserviceResponse<Record<string, unknown>> = await this.get<Record<string, unknown>>(next, { params, priority: options.priority });
      const items = response.data?.[options.key];
      if (!Array.isArray(items)) {
        throw new FreshserviceError(`Freshservice (${this.host}) sent a page of ${path} without "${options.key}".`, { status: response.status });
      }
      yield items as T[];
      next = this.sameOriginPath(nextLink(response.headers.link));
      params = undefined;
    }
  }

  private sameOriginPath(link: string | undefined): string | undefined {
    if (!link) return undefined;
    const url = new URL(link, `${this.baseUrl}/`);
    if (url.origin !== new URL(this.baseUrl).origin) {
      throw new FreshserviceError(`Freshservice (${this.host}) pointed the next page at another host, so paging stopped.`);
    }
    const basePath = new URL(this.baseUrl).pathname.replace(/\/+$/, '');
    const pathname = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
    return `${pathname}${url.search}`;
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body: unknown, options: RequestOptions): Promise<FreshserviceResponse<T>> {
    const cost = creditsByRule(path, options.params ?? Object.fromEntries(new URL(path, 'http://x').searchParams));
    const endpoint = endpointClass(method, path);
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      const slot = await this.limiter.acquire(cost, options.priority ?? 0, endpoint);
      let response: AxiosResponse<string> | undefined;
      let failure: unknown;
      try {
        response = await this.http.request<string>({ method, url: path, params: options.params, data: body });
      } catch (error) {
        failure = error;
      }
      const used = response ? Number(response.headers['x-ratelimit-used-currentrequest']) : NaN;
      const credits = Number.isFinite(used) ? used : response ? cost : 0;
      // Without an answer we cannot know what was charged: the limiter keeps counting the full cost.
      slot.release(response ? credits : undefined);
      this.counters.calls += 1;
      this.counters.credits += credits;
      if (response) {
        this.limiter.observe(Number(response.headers['x-ratelimit-total']), endpoint);
        if (response.status !== 429) this.limiter.answered();
      }

      if (response && response.status === 429) {
        rateLimited += 1;
        const seconds = retryAfterSeconds(response.headers['retry-after']);
        const waitMs = sandboxRetryAfterMs(response.headers['x-sandbox-retry-after-ms']) ?? seconds * 1000 * this.limiter.retryAfterScale;
        this.limiter.rateLimited(waitMs);
        this.logger.warn({ path: stripQuery(path), waitMs }, 'Freshservice rate limit reached; pausing all requests');
        if (rateLimited >= this.retry.rateLimitedAttempts) {
          throw errorForResponse({ status: 429, path, host: this.host, body: bodyOf(response.data), isJson: true, retryAfterSeconds: seconds });
        }
        continue;
      }

      let outcome: { retryable: boolean; error: FreshserviceError } | { data: T };
      if (response) outcome = this.interpret<T>(response, path);
      else outcome = this.networkFailure(failure, path);

      if ('data' in outcome) {
        return { status: response!.status, data: outcome.data, headers: flatHeaders(response!.headers) };
      }
      failures += 1;
      if (method !== 'GET' || !outcome.retryable || failures >= this.retry.attempts) throw outcome.error;
      const delay = backoffMs(failures, this.retry.baseDelayMs, this.retry.maxDelayMs);
      this.logger.warn({ path: stripQuery(path), attempt: failures, delayMs: delay, reason: outcome.error.message }, 'Freshservice request failed; retrying');
      await sleep(delay);
    }
  }

  private interpret<T>(response: AxiosResponse<string>, path: string): { retryable: boolean; error: FreshserviceError } | { data: T } {
    const status = response.status;
    const contentType = String(response.headers['content-type'] ?? '');
    const parsed = parseJson(response.data);
    if (status >= 200 && status < 300) {
      if (status === 204 || response.data === '' || response.data === undefined) return { data: undefined as T };
      if (parsed.ok) return { data: parsed.value as T };
      return {
        retryable: true,
        error: new FreshserviceUnavailableError(`Freshservice (${this.host}) kept sending incomplete answers for ${stripQuery(path)}; try again in a few minutes.`, { status }),
      };
    }
    const isJson = parsed.ok && (contentType.includes('json') || typeof parsed.value === 'object');
    const error = errorForResponse({ status, path, host: this.host, body: parsed.ok ? parsed.value : undefined, isJson });
    return { retryable: status >= 500, error };
  }

  private networkFailure(failure: unknown, path: string): { retryable: boolean; error: FreshserviceError } {
    const code = (failure as { code?: string } | undefined)?.code ?? '';
    const cause = (failure as { cause?: { code?: string } } | undefined)?.cause?.code ?? '';
    if (code === 'ENOTFOUND' || cause === 'ENOTFOUND') {
      return { retryable: false, error: new FreshserviceUnavailableError(`IntegoReport could not reach ${this.host}: the name does not resolve, so check FRESHSERVICE_DOMAIN.`, { code: 'ENOTFOUND' }) };
    }
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(String((failure as Error | undefined)?.message ?? ''))) {
      return { retryable: true, error: new FreshserviceUnavailableError(`Freshservice (${this.host}) did not answer in time for ${stripQuery(path)}; try again in a few minutes.`, { code: 'ETIMEDOUT' }) };
    }
    const known = RETRYABLE_NETWORK_CODES.has(code) || RETRYABLE_NETWORK_CODES.has(cause);
    return {
      retryable: known || code === '' || code === 'ERR_NETWORK',
      error: new FreshserviceUnavailableError(`IntegoReport could not reach ${this.host} (${code || cause || 'network error'}); try again in a few minutes.`, { code: code || cause || undefined }),
    };
  }
}

function parseJson(text: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof text !== 'string') return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function bodyOf(text: unknown): unknown {
  const parsed = parseJson(text);
  return parsed.ok ? parsed.value : undefined;
}

function retryAfterSeconds(header: unknown): number {
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  if (typeof header === 'string') {
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, (at - Date.now()) / 1000);
  }
  return DEFAULT_RETRY_AFTER_SECONDS;
}

function sandboxRetryAfterMs(header: unknown): number | undefined {
  const ms = Number(header);
  return header !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function flatHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

function stripQuery(path: string): string {
  return path.split('?')[0]!;
}
