import { UserFacingError } from '../errors.js';

/** One entry of SentinelOne's error body: `{"errors":[{"code":4010010,"detail":null,"title":"Authentication Failed"}]}`. */
export interface SentinelOneErrorEntry {
  code?: number;
  title?: string;
  detail?: string | null;
}

/**
 * Base of every SentinelOne failure. `message` is one sentence a chat user can act on; `errors` carries
 * SentinelOne's own codes and words. Never holds the API token or request headers.
 */
export class SentinelOneError extends UserFacingError {
  override name = 'SentinelOneError';
  readonly status: number | undefined;
  readonly errors: SentinelOneErrorEntry[];

  constructor(message: string, details: { status?: number; errors?: SentinelOneErrorEntry[] } = {}) {
    super(message);
    this.status = details.status;
    this.errors = details.errors ?? [];
  }
}

export class SentinelOneAuthError extends SentinelOneError {
  override name = 'SentinelOneAuthError';
}

export class SentinelOnePermissionError extends SentinelOneError {
  override name = 'SentinelOnePermissionError';
}

export class SentinelOneRateLimitError extends SentinelOneError {
  override name = 'SentinelOneRateLimitError';
}

export class SentinelOneValidationError extends SentinelOneError {
  override name = 'SentinelOneValidationError';
}

export class SentinelOneUnavailableError extends SentinelOneError {
  override name = 'SentinelOneUnavailableError';
}

/** The `errors` array of a SentinelOne answer, or none. */
export function errorEntries(body: unknown): SentinelOneErrorEntry[] {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.filter((entry): entry is SentinelOneErrorEntry => Boolean(entry) && typeof entry === 'object');
}

function said(errors: SentinelOneErrorEntry[]): string {
  const words = errors
    .map((entry) => [entry.title, entry.detail].filter((part) => typeof part === 'string' && part.trim()).join(': '))
    .filter(Boolean)
    .join('; ');
  return words ? ` (SentinelOne said: "${words.replace(/\s+/g, ' ').slice(0, 200)}")` : '';
}

/** The typed error for an answer that failed: a non-2xx status, or errors in the body of any status. */
export function errorForAnswer(input: { status: number; resource: string; host: string; errors: SentinelOneErrorEntry[]; retryAfterSeconds?: number }): SentinelOneError {
  const { status, resource, host, errors } = input;
  const details = { status, errors };
  // The leading digits of SentinelOne's error code are the HTTP status it means (4010010 → 401).
  const meant = errors.length > 0 && typeof errors[0]!.code === 'number' && status < 400 ? Math.floor(errors[0]!.code / 10_000) : status;
  if (meant === 401) {
    return new SentinelOneAuthError(`SentinelOne rejected the API token (invalid or expired) for ${host}; check SENTINELONE_API_TOKEN.`, details);
  }
  if (meant === 403) {
    return new SentinelOnePermissionError(
      `SentinelOne refused access to ${resource} on ${host}${said(errors)}; the API token's user needs the Viewer role at Account scope.`,
      details,
    );
  }
  if (meant === 429) {
    const wait = input.retryAfterSeconds !== undefined ? ` and asked to wait ${input.retryAfterSeconds} s` : '';
    return new SentinelOneRateLimitError(`SentinelOne's rate limit for ${host} was reached${wait}; try again in a few minutes.`, details);
  }
  if (meant === 400 || meant === 422) {
    return new SentinelOneValidationError(`SentinelOne refused the request for ${resource}${said(errors)}.`, details);
  }
  if (meant >= 500) {
    return new SentinelOneUnavailableError(`SentinelOne (${host}) is not answering properly: it returned HTTP ${meant} several times in a row${said(errors)}.`, details);
  }
  if (meant === 404) {
    return new SentinelOneError(`SentinelOne answered "not found" for ${resource} on ${host}, so the console address looks wrong; check SENTINELONE_URL.`, details);
  }
  return new SentinelOneError(`SentinelOne answered HTTP ${meant} for ${resource} on ${host}${said(errors)}.`, details);
}
