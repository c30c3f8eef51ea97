import { UserFacingError } from '../errors.js';

/** A client-directory failure with one sentence a person in chat can act on; never carries a stack to the user. */
export class ClientError extends UserFacingError {
  override name = 'ClientError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
