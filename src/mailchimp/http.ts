import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import pLimit from 'p-limit';
import type { Logger } from '../logger.js';
import { MailchimpError, type MailchimpFieldError } from './errors.js';
import { withoutUndefined } from '../collections.js';

export { MailchimpError, type MailchimpFieldError };

export interface MailchimpHttpOptions {
  /** Base URL up to and including /3.0. */
  baseUrl: string;
  apiKey: string;
  logger: Logger;
  /** Mailchimp itself gives up after 120 s. */
  timeoutMs?: number;
  /** Simultaneous requests; Mailchimp allows 10 per key, shared with anything else using it. */
  concurrency?: number;
  /** Extra attempts for idempotent requests after a transient failure. */
  maxRetries?: number;
  /** First backoff delay; doubles each attempt. Retry-After wins when Mailchimp sends it. */
  retryBaseMs?: number;
}

export interface MailchimpHttpStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  failures: number;
}

export interface MailchimpHttp {
  get<T>(path: string, params?: Record<string, string | number | boolean | undefined>): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  stats(): MailchimpHttpStats;
}

type Method = 'GET' | 'PUT' | 'POST' | 'PATCH';

const DEFAULTS = { timeoutMs: 120_000, concurrency: 4, maxRetries: 4, retryBaseMs: 500 };
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The Mailchimp Marketing API over HTTP: Basic auth with the API key, at most `concurrency` requests
 * in flight, 204 read as "no body", problem+json read into MailchimpError, and retries with backoff
 * only where repeating the request cannot do anything twice (GET and PUT upserts; never POST).
 */
export function createMailchimpHttp(options: MailchimpHttpOptions): MailchimpHttp {
  const settings = { ...DEFAULTS, ...withoutUndefined(options) };
  const client: AxiosInstance = axios.create({
    baseURL: options.baseUrl.replace(/\/+$/, ''),
    timeout: settings.timeoutMs,
    headers: {
      Accept: 'application/json',
      'User-Agent': 'IntegoReport',
      // Basic auth: Mailchimp ignores the user name and reads the key from the password.
      Authorization: `Basic ${Buffer.from(`integoreport:${options.apiKey}`).toString('base64')}`,
    },
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
  });
  const limit = pLimit(settings.concurrency);
  const counters: MailchimpHttpStats = { requests: 0, retries: 0, failures: 0 };

  async function attempt(method: Method, path: string, params: unknown, body: unknown): Promise<unknown> {
    counters.requests += 1;
    const started = Date.now();
    let response: AxiosResponse<string>;
    try {
      response = await client.request<string>({
        method,
        url: path,
        params,
        data: body === undefined ? undefined : JSON.stringify(body),
        headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      });
    } catch (error) {
      const timedOut = axios.isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT');
      throw new MailchimpError({
        status: 0,
        title: timedOut ? 'Timeout' : 'Network Error',
        detail: timedOut
          ? `Mailchimp did not answer within ${settings.timeoutMs / 1000} s.`
          : `Mailchimp could not be reached (${axios.isAxiosError(error) ? error.code ?? error.message : String(error)}).`,
        method,
        path,
      });
    }
    options.logger.debug({ method, path, status: response.status, ms: Date.now() - started }, 'mailchimp request');
    return readResponse(method, path, response);
  }

  async function send(method: Method, path: string, params: unknown, body: unknown): Promise<unknown> {
    const retry = method === 'GET' || method === 'PUT';
    for (let attemptNumber = 0; ; attemptNumber += 1) {
      try {
        return await limit(() => attempt(method, path, params, body));
      } catch (error) {
        const canRetry = retry && error instanceof MailchimpError && error.transient && attemptNumber < settings.maxRetries;
        if (!canRetry) {
          counters.failures += 1;
          throw error;
        }
        counters.retries += 1;
        const delay = retryDelay(error, attemptNumber, settings.retryBaseMs);
        options.logger.warn({ method, path, status: error.status, title: error.title, delayMs: delay }, 'mailchimp request failed, retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  return {
    get: <T>(path: string, params?: Record<string, string | number | boolean | undefined>) => send('GET', path, params, undefined) as Promise<T>,
    put: <T>(path: string, body: unknown) => send('PUT', path, undefined, body) as Promise<T>,
    post: <T>(path: string, body?: unknown) => send('POST', path, undefined, body) as Promise<T>,
    patch: <T>(path: string, body: unknown) => send('PATCH', path, undefined, body) as Promise<T>,
    stats: () => ({ ...counters }),
  };
}

function readResponse(method: Method, path: string, response: AxiosResponse<string>): unknown {
  const text = typeof response.data === 'string' ? response.data : '';
  const status = response.status;
  if (status === 204 || (status >= 200 && status < 300 && text.trim() === '')) return undefined;
  let parsed: unknown;
  let parseFailed = false;
  try {
    parsed = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    parseFailed = true;
  }
  if (status >= 200 && status < 300) {
    if (parseFailed) {
      throw new MailchimpError({ status, title: 'Malformed Response', detail: 'Mailchimp answered with a body that is not valid JSON.', method, path });
    }
    return parsed;
  }
  throw problemToError(status, parsed, method, path, retryAfterMs(response.headers['retry-after']));
}

function retryAfterMs(header: unknown): number | undefined {
  const seconds = typeof header === 'string' && header.trim() !== '' ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : undefined;
}

function problemToError(status: number, body: unknown, method: string, path: string, retryAfter?: number): MailchimpError {
  const problem = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const errors = Array.isArray(problem.errors)
    ? problem.errors
        .filter((entry): entry is Record<string, unknown> => !!entry && typeof entry === 'object')
        .map((entry) => ({ field: text(entry.field) ?? '', message: text(entry.message) ?? '' }))
    : undefined;
  // At very high volume Mailchimp answers 403 (or 429) with no JSON body: that is throttling, not a refusal.
  const throttled = status === 403 && body === undefined;
  return new MailchimpError({
    status,
    title: text(problem.title) ?? (throttled ? 'Throttled' : `HTTP ${status}`),
    detail: text(problem.detail) ?? (throttled ? 'Mailchimp refused the request without explanation, which usually means too many requests.' : 'Mailchimp gave no details.'),
    instance: text(problem.instance),
    type: text(problem.type),
    errors: errors?.length ? errors : undefined,
    method,
    path,
    retryAfterMs: retryAfter,
  });
}

function retryDelay(error: MailchimpError, attemptNumber: number, baseMs: number): number {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  const exponential = baseMs * 2 ** attemptNumber;
  return exponential / 2 + Math.random() * (exponential / 2);
}

