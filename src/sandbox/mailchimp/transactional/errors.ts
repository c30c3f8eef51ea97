import type { ApiResult } from '../api.js';

/**
 * Mailchimp Transactional's error body `{status:'error', code, name, message}`. Refusals of what was sent
 * are HTTP 400 (since July 2023; before, 500), a bad key 401, an unknown message id 404; 500 is left for
 * the service's own failures.
 */
export function transactionalError(code: number, name: string, message: string, status = 400): ApiResult {
  return { status, body: { status: 'error', code, name, message } };
}

export function invalidKey(): ApiResult {
  return transactionalError(-1, 'Invalid_Key', 'Invalid API key', 401);
}

/** Mailchimp Transactional's `ValidationError` (code -2) with the offending field in `detail`. */
export function validationError(detail: string): ApiResult {
  return transactionalError(-2, 'ValidationError', `Validation error: ${detail}`);
}
