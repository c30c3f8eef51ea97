import { UserFacingError } from '../errors.js';

/**
 * Base of every Microsoft 365 failure. `message` is one sentence a chat user can act on; `code` is Graph's
 * (`InvalidAuthenticationToken`, `S2SUnauthorized`…) or Entra's (`invalid_client`, AADSTS numbers in
 * `aadsts`). Never holds the client secret, a token or request headers.
 */
export class M365Error extends UserFacingError {
  override name = 'M365Error';
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly aadsts: number[];

  constructor(message: string, details: { status?: number; code?: string; aadsts?: number[] } = {}) {
    super(message);
    this.status = details.status;
    this.code = details.code;
    this.aadsts = details.aadsts ?? [];
  }
}

/** Our app's own credentials are wrong or expired (every tenant fails alike). */
export class M365CredentialsError extends M365Error {
  override name = 'M365CredentialsError';
}

/** This tenant is unknown, or has not consented to our app. */
export class M365TenantError extends M365Error {
  override name = 'M365TenantError';
}

/** The tenant consented, but not to a permission this call needs. */
export class M365PermissionError extends M365Error {
  override name = 'M365PermissionError';
}

export class M365RateLimitError extends M365Error {
  override name = 'M365RateLimitError';
}

export class M365UnavailableError extends M365Error {
  override name = 'M365UnavailableError';
}

/** Entra's token error body: `{"error":"invalid_client","error_description":"AADSTS7000215: …","error_codes":[7000215]}`. */
export function tokenError(tenant: string, status: number, body: unknown): M365Error {
  const answer = (body ?? {}) as { error?: unknown; error_description?: unknown; error_codes?: unknown };
  const codes = Array.isArray(answer.error_codes) ? answer.error_codes.filter((code): code is number => typeof code === 'number') : [];
  const code = typeof answer.error === 'string' ? answer.error : undefined;
  const description = typeof answer.error_description === 'string' ? answer.error_description.split(/\r?\n/)[0]!.slice(0, 200) : '';
  const said = description ? ` (Microsoft said: "${description}")` : '';
  const details = { status, code, aadsts: codes };
  const has = (...wanted: number[]) => wanted.some((value) => codes.includes(value));
  if (has(7000215, 7000222)) return new M365CredentialsError(`Microsoft rejected our app's client secret (wrong or expired); check M365_CLIENT_SECRET${said}.`, details);
  if (has(700016, 7000229, 65001, 90094)) return new M365TenantError(`Microsoft 365 tenant ${tenant} has not consented to our app; a Global Administrator there must grant admin consent${said}.`, details);
  if (has(90002)) return new M365TenantError(`There is no Microsoft 365 tenant ${tenant}; check the tenant id${said}.`, details);
  if (status === 429 || status >= 500) return new M365UnavailableError(`Microsoft's sign-in service did not answer properly for tenant ${tenant} (HTTP ${status}); try again in a few minutes.`, details);
  if (code === 'invalid_client' || code === 'unauthorized_client') return new M365CredentialsError(`Microsoft rejected our app (M365_CLIENT_ID or M365_CLIENT_SECRET) for tenant ${tenant}${said}.`, details);
  return new M365Error(`Microsoft refused a token for tenant ${tenant}${said}.`, details);
}

/** Graph's error body: `{"error":{"code":"…","message":"…","innerError":{…}}}`; branch on `code`, never on `message`. */
export function graphError(input: { tenant: string; status: number; body: unknown; what: string; retryAfterSeconds?: number }): M365Error {
  const error = ((input.body ?? {}) as { error?: { code?: unknown; message?: unknown } }).error ?? {};
  const code = typeof error.code === 'string' ? error.code : undefined;
  const message = typeof error.message === 'string' ? ` (Microsoft said: "${error.message.replace(/\s+/g, ' ').slice(0, 200)}")` : '';
  const details = { status: input.status, code };
  if (input.status === 403) {
    return new M365PermissionError(`Microsoft 365 tenant ${input.tenant} refused ${input.what}${message}; grant our app the application permission it needs there (see the README's Data sources).`, details);
  }
  if (input.status === 429) {
    const wait = input.retryAfterSeconds !== undefined ? ` and asked to wait ${input.retryAfterSeconds} s` : '';
    return new M365RateLimitError(`Microsoft Graph throttled ${input.what} for tenant ${input.tenant}${wait}; try again in a few minutes.`, details);
  }
  if (input.status >= 500) return new M365UnavailableError(`Microsoft Graph is not answering properly for ${input.what} (HTTP ${input.status} several times in a row); try again in a few minutes.`, details);
  if (input.status === 401) return new M365CredentialsError(`Microsoft Graph did not accept our app's token for tenant ${input.tenant}${message}.`, details);
  return new M365Error(`Microsoft Graph answered HTTP ${input.status} for ${input.what} in tenant ${input.tenant}${message}.`, details);
}
