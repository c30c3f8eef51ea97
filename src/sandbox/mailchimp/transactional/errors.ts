import type { ApiResult } from '../api.js';

/** Mandrill answers every error with HTTP 500 and `{status:'error', code, name, message}`. */
export function transactionalError(code: number, name: string, message: string, status = 500): ApiResult {
  return { status, body: { status: 'error', code, name, message } };
}

export function invalidKey(): ApiResult {
  return transactionalError(-1, 'Invalid_Key', 'Invalid API key');
}

/** Mandrill's `ValidationError` (code -2) with the offending field in `detail`. */
export function validationError(detail: string): ApiResult {
  return transactionalError(-2, 'ValidationError', `Validation error: ${detail}`);
}
