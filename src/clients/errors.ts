import { UserFacingError } from '../errors.js';

/** A client-directory failure with one sentence a person in chat can act on; never carries a stack to the user. */
export class ClientError extends UserFacingError {
  override name = 'ClientError';
  /** What kind of refusal this is, so a form can name its own choice that helps. */
  readonly problem?: ClientProblem;

  /** A refusal of what was asked (retrying the same will not help) unless `retryable` says otherwise. */
  constructor(message: string, options?: { cause?: unknown; retryable?: boolean; problem?: ClientProblem }) {
    super(message, { cause: options?.cause, retryable: options?.retryable ?? false });
    this.problem = options?.problem;
  }
}

/** `not-in-audience`: the address is not a Mailchimp contact yet; `unreachable`: it cannot receive (unsubscribed, cleaned…). */
export type ClientProblem = 'not-in-audience' | 'unreachable';
