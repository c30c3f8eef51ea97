/**
 * What bin/integoreport.js starts before the command line's own code loads: for a command that prints, its
 * printing thread, which loads playwright-core meanwhile. Judged from the words alone: a wrong guess
 * (`generate --help`, a client called "demo") costs a thread that is never used and ends with the process.
 */
import type { Worker } from 'node:worker_threads';
import { startPrintingThread } from '../pdf/threaded-printer.js';

/** The commands whose entry in the command table (src/cli/program.ts) says they print. */
const PRINTING_COMMANDS = new Set(['generate', 'demo']);

export interface EarlyStart {
  printingThread?: Worker;
}

export function startEarly(argv: readonly string[]): EarlyStart {
  const asksHelp = argv.some((word) => word === '--help' || word === '-h' || word === 'help');
  return !asksHelp && argv.some((word) => PRINTING_COMMANDS.has(word)) ? { printingThread: startPrintingThread() } : {};
}
