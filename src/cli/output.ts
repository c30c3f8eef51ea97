import { withoutControlCharacters } from '../collections.js';
import type { Failure } from './errors.js';

/** Where the command line writes: the process's stdout and stderr, or a test's. */
export interface CliStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** C1 controls and DEL, which JSON.stringify leaves as they are (it escapes only U+0000–U+001F). */
const UNESCAPED_CONTROLS = /[\u007F-\u009F]/g;

/** JSON whose text has no raw control character: what a string held is kept, written as `\u…`. */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(UNESCAPED_CONTROLS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * What a command prints. Results go to stdout (JSON alone with `--json`); errors, notices and progress
 * to stderr. Nothing from outside reaches the terminal with its control characters.
 */
export class Output {
  private progressShown = false;

  constructor(
    private readonly streams: CliStreams,
    readonly json: boolean,
  ) {}

  /** The command's result: `value` as JSON with `--json`, else the lines `text` gives. */
  result(value: unknown, text: () => string | readonly string[]): void {
    this.clearProgress();
    if (this.json) {
      this.streams.stdout.write(`${terminalSafeJson(value)}\n`);
      return;
    }
    const lines = text();
    this.streams.stdout.write(`${withoutControlCharacters(typeof lines === 'string' ? lines : lines.join('\n'))}\n`);
  }

  /** A sentence for the person at the terminal that is not the result (stderr; never in the way of JSON). */
  notice(text: string): void {
    this.clearProgress();
    this.streams.stderr.write(`${withoutControlCharacters(text)}\n`);
  }

  /** The one line a failed command ends with: `{"error":{"code","message"}}` with `--json`. */
  failure(failure: Pick<Failure, 'code' | 'message'>): void {
    this.clearProgress();
    const message = withoutControlCharacters(failure.message);
    this.streams.stderr.write(this.json ? `${JSON.stringify({ error: { code: failure.code, message } })}\n` : `${message}\n`);
  }

  /** A progress line rewritten in place, only on a terminal and never with `--json`. */
  progress(): ((text: string) => void) | undefined {
    if (this.json || !this.streams.stderr.isTTY) return undefined;
    return (text) => {
      this.progressShown = true;
      this.streams.stderr.write(`\r${withoutControlCharacters(text).padEnd(60)}`);
    };
  }

  private clearProgress(): void {
    if (!this.progressShown) return;
    this.progressShown = false;
    this.streams.stderr.write(`\r${' '.repeat(60)}\r`);
  }
}
