/**
 * A failure whose message is one sentence meant for the person who asked (Freshservice rejected the
 * API key, a period that is not one, who may approve…). Only these reach chat and the CLI; any other
 * error (a TypeError, an fs error naming a path, a library's own) stays in the log.
 */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
  /**
   * Whether asking again later can help: true when a service did not answer or was busy; false when something
   * must change first, and then the message says what.
   */
  get retryable(): boolean {
    return this.retry ?? true;
  }

  private readonly retry: boolean | undefined;

  constructor(message?: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retry = options?.retryable;
  }
}

/** Whether trying the same again can help: only for failures that say so (a service that did not answer). */
export function isRetryable(error: unknown): boolean {
  return error instanceof UserFacingError && error.retryable;
}

/** What a surface may show people about a failure: the first line of a {@link UserFacingError}, else nothing. */
export function userFacingMessage(error: unknown): string | undefined {
  if (!(error instanceof UserFacingError) || !error.message) return undefined;
  return error.message.split('\n')[0]!.slice(0, 500);
}
