/** A client-directory failure with one sentence a person in chat can act on; never carries a stack to the user. */
export class ClientError extends Error {
  override name = 'ClientError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
