import { problem, type ApiResult } from './api.js';
import { invalidKey } from './transactional/errors.js';

/** Marketing API key with a data-centre suffix (`…-us1`). */
export const MARKETING_KEY = `sandbox${'0'.repeat(25)}-us1`;
export const TRANSACTIONAL_KEY = 'sandbox-transactional0';

/** Marketing accepts Basic (any user, the key as password), `Bearer` or `apikey`; undefined when the key is right. */
export function marketingAuthFailure(header: string | undefined): ApiResult | undefined {
  if (!header) return problem(401, 'API Key Invalid', 'Your request did not include an API key.');
  const [scheme = '', credentials = ''] = header.trim().split(/\s+/, 2);
  let key = '';
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    key = decoded.slice(decoded.indexOf(':') + 1);
  } else if (scheme.toLowerCase() === 'bearer' || scheme.toLowerCase() === 'apikey') {
    key = credentials;
  }
  if (key === MARKETING_KEY) return undefined;
  return problem(401, 'API Key Invalid', "Your API key may be invalid, or you've attempted to access the wrong datacenter.");
}

/** Transactional takes `key` in the body or the `X-MC-ApiKey` header. */
export function transactionalAuthFailure(body: unknown, headerKey: string | string[] | undefined): ApiResult | undefined {
  const key = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).key : undefined;
  return key === TRANSACTIONAL_KEY || headerKey === TRANSACTIONAL_KEY ? undefined : invalidKey();
}
