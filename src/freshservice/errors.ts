import type { FreshserviceErrorBody } from './types.js';
import { UserFacingError } from '../errors.js';

export interface FreshserviceFieldError {
  field?: string;
  message: string;
  code?: string;
}

/**
 * Base of every Freshservice failure. `message` is one sentence a chat user can act on;
 * `description`/`errors` carry Freshservice's own words. Never holds the API key or request headers.
 */
export class FreshserviceError extends UserFacingError {
  override name = 'FreshserviceError';
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly description: string | undefined;
  readonly errors: FreshserviceFieldError[];

  constructor(message: string, details: { status?: number; code?: string; description?: string; errors?: FreshserviceFieldError[] } = {}) {
    super(message);
    this.status = details.status;
    this.code = details.code;
    this.description = details.description;
    this.errors = details.errors ?? [];
  }
}

export class FreshserviceAuthError extends FreshserviceError {
  override name = 'FreshserviceAuthError';

  override get retryable(): boolean {
    return false;
  }
}

export class FreshservicePermissionError extends FreshserviceError {
  override name = 'FreshservicePermissionError';

  override get retryable(): boolean {
    return false;
  }
}

export class FreshserviceNotFoundError extends FreshserviceError {
  override name = 'FreshserviceNotFoundError';

  override get retryable(): boolean {
    return false;
  }
}

export class FreshserviceRateLimitError extends FreshserviceError {
  override name = 'FreshserviceRateLimitError';
}

export class FreshserviceValidationError extends FreshserviceError {
  override name = 'FreshserviceValidationError';
}

export class FreshserviceUnavailableError extends FreshserviceError {
  override name = 'FreshserviceUnavailableError';
}

/** "tickets/12/time_entries" → "the time entries of ticket 12"; used inside user-facing sentences. */
export function describeResource(path: string): string {
  const parts = path.split('?')[0]!.replace(/^\/+|\/+$/g, '').replace(/^api\/v2\//, '').split('/');
  const singular = (name: string) => name.replace(/_/g, ' ').replace(/ies$/, 'y').replace(/s$/, '');
  if (parts.length >= 3 && /^\d+$/.test(parts[1]!)) {
    return `the ${parts.slice(2).join(' ').replace(/_/g, ' ')} of ${singular(parts[0]!)} ${parts[1]}`;
  }
  if (parts.length === 2 && /^\d+$/.test(parts[1]!)) return `${singular(parts[0]!)} ${parts[1]}`;
  return `the ${parts.join(' ').replace(/_/g, ' ')} list`;
}

function bodyDetails(body: unknown): { code?: string; description?: string; errors?: FreshserviceFieldError[] } {
  if (!body || typeof body !== 'object') return {};
  const error = body as FreshserviceErrorBody;
  const errors = Array.isArray(error.errors)
    ? error.errors.filter((entry) => entry && typeof entry.message === 'string').map((entry) => ({ field: entry.field, message: entry.message, code: entry.code }))
    : [];
  return {
    code: typeof error.code === 'string' ? error.code : errors.find((entry) => entry.code)?.code,
    description: typeof error.description === 'string' ? error.description : typeof error.message === 'string' ? error.message : undefined,
    errors,
  };
}

function sentence(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * The typed error for a non-2xx answer. `host` names the account; `isJson` tells a Freshservice
 * API answer apart from a web page (a 404 page means the domain itself is wrong).
 */
export function errorForResponse(input: { status: number; path: string; host: string; body: unknown; isJson: boolean; retryAfterSeconds?: number }): FreshserviceError {
  const { status, path, host } = input;
  const details = { status, ...bodyDetails(input.body) };
  const said = details.description ? ` (Freshservice said: "${details.description}")` : '';
  const resource = describeResource(path);
  if (status === 401) {
    return new FreshserviceAuthError(
      sentence(`Freshservice rejected the API key for ${host}${said}; check FRESHSERVICE_API_KEY (Profile settings → API key)`),
      details,
    );
  }
  if (status === 403) {
    return new FreshservicePermissionError(
      sentence(`Freshservice refused access to ${resource} on ${host}${said}; the API key's agent needs permission to view it`),
      details,
    );
  }
  if (status === 404) {
    if (!input.isJson) {
      return new FreshserviceNotFoundError(
        sentence(`Freshservice answered "not found" for ${host}, so the domain looks wrong; check FRESHSERVICE_DOMAIN`),
        details,
      );
    }
    return new FreshserviceNotFoundError(sentence(`Freshservice could not find ${resource} on ${host}${said}`), details);
  }
  if (status === 429) {
    const wait = input.retryAfterSeconds !== undefined ? ` and asked to wait ${input.retryAfterSeconds} s` : '';
    return new FreshserviceRateLimitError(sentence(`Freshservice's rate limit for ${host} was reached${wait}; try again in a minute`), details);
  }
  if (status === 400 || status === 422) {
    const fields = (details.errors ?? []).map((entry) => (entry.field ? `${entry.field}: ${entry.message}` : entry.message)).join('; ');
    return new FreshserviceValidationError(
      sentence(`Freshservice refused the request for ${resource}${fields ? ` (${fields})` : said}`),
      details,
    );
  }
  if (status >= 500) {
    return new FreshserviceUnavailableError(sentence(`Freshservice (${host}) is not answering properly: it returned HTTP ${status} several times in a row${said}`), details);
  }
  if (status >= 300 && status < 400) {
    return new FreshserviceNotFoundError(sentence(`Freshservice redirected the request for ${host} elsewhere, so the domain looks wrong; check FRESHSERVICE_DOMAIN`), details);
  }
  return new FreshserviceError(sentence(`Freshservice answered HTTP ${status} for ${resource} on ${host}${said}`), details);
}
