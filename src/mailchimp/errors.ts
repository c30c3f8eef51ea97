import { UserFacingError } from '../errors.js';
/** One field problem Mailchimp lists on a 400 "Invalid Resource" (not in the spec schema, seen in practice). */
export interface MailchimpFieldError {
  field: string;
  message: string;
}

/**
 * A failed Mailchimp Marketing API call. `title` and `detail` are Mailchimp's own words from the
 * `application/problem+json` body; `status` is 0 when no response arrived (network error or timeout).
 */
export class MailchimpError extends UserFacingError {
  override name = 'MailchimpError';
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly instance: string;
  readonly type?: string;
  readonly errors?: MailchimpFieldError[];
  readonly method: string;
  readonly path: string;
  /** From Mailchimp's Retry-After header, when it sent one. */
  readonly retryAfterMs?: number;

  constructor(init: {
    status: number;
    title: string;
    detail: string;
    instance?: string;
    type?: string;
    errors?: MailchimpFieldError[];
    method: string;
    path: string;
    retryAfterMs?: number;
  }) {
    const fieldText = init.errors?.length ? ` (${init.errors.map((error) => `${error.field || 'field'}: ${error.message}`).join('; ')})` : '';
    super(`${init.title}: ${init.detail}${fieldText}`);
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.instance = init.instance ?? '';
    this.type = init.type;
    this.errors = init.errors;
    this.method = init.method;
    this.path = init.path;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** Throttling, server trouble, no answer or a garbled answer: worth another try if the request is idempotent. */
  /** Only a failure Mailchimp calls passing (no answer, busy, its own 5xx) may go away by trying again. */
  override get retryable(): boolean {
    return this.transient;
  }

  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500 || this.title === 'Malformed Response' || this.title === 'Throttled';
  }
}
