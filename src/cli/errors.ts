import { UserFacingError } from '../errors.js';

/** 0 done, 1 a service or data failure, 2 a usage problem. */
export type ExitCode = 0 | 1 | 2;

/** What went wrong in how the command was called, as `error.code` in `--json` output. */
export type UsageCode =
  | 'usage'
  | 'unknown-command'
  | 'unknown-option'
  | 'missing-argument'
  | 'bad-argument'
  | 'unknown-client'
  | 'ambiguous-client'
  | 'bad-email'
  | 'bad-period'
  | 'no-such-file';

/** A mistake in how the CLI was called: one line on stderr, exit code 2. */
export class UsageError extends UserFacingError {
  override name = 'UsageError';

  constructor(
    message: string,
    readonly code: UsageCode = 'usage',
  ) {
    super(message);
  }
}

/** A command that ran but did not do what was asked (a send refused or failed): exit code 1. */
export class CommandFailed extends UserFacingError {
  override name = 'CommandFailed';

  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface Failure {
  code: string;
  message: string;
  exitCode: ExitCode;
}

/**
 * Failures by the error's name, so that telling them apart loads none of the modules they come from
 * (a command that failed has loaded its own; `help` loads none).
 */
const BY_NAME: Array<{ name: RegExp; code: string; exitCode: ExitCode }> = [
  { name: /^PeriodError$/, code: 'bad-period', exitCode: 2 },
  { name: /^FuturePeriodError$/, code: 'future-period', exitCode: 2 },
  { name: /^ConfigError$/, code: 'settings', exitCode: 2 },
  { name: /^DataFileError$/, code: 'data-file', exitCode: 1 },
  { name: /^Freshservice/, code: 'freshservice', exitCode: 1 },
  { name: /^(Mailchimp|Transactional)/, code: 'mailchimp', exitCode: 1 },
  { name: /^NotAllowedError$/, code: 'not-allowed', exitCode: 1 },
  { name: /^ClientError$/, code: 'refused', exitCode: 1 },
  { name: /^LogoError$/, code: 'brand', exitCode: 1 },
];

/** The code, sentence and exit code of any error a command ended with. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof UsageError) return { code: error.code, message: error.message, exitCode: 2 };
  if (error instanceof CommandFailed) return { code: error.code, message: error.message, exitCode: 1 };
  if (error instanceof UserFacingError) {
    const known = BY_NAME.find((entry) => entry.name.test(error.name));
    return { code: known?.code ?? 'failed', message: error.message, exitCode: known?.exitCode ?? 1 };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: `integoreport stopped on an unexpected error: ${message}`, exitCode: 1 };
}
