/**
 * A failure whose message is one sentence meant for the person who asked (Freshservice rejected the
 * API key, a period that is not one, who may approve…). Only these reach chat and the CLI; any other
 * error (a TypeError, an fs error naming a path, a library's own) stays in the log.
 */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
}

/** What a surface may show people about a failure: the first line of a {@link UserFacingError}, else nothing. */
export function userFacingMessage(error: unknown): string | undefined {
  if (!(error instanceof UserFacingError) || !error.message) return undefined;
  return error.message.split('\n')[0]!.slice(0, 500);
}
