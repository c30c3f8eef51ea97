import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runCli } from '../../src/compose/cli.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command line run in this process, its stdout and stderr captured (as a script would see them). */
export async function cliInProcess(argv: readonly string[], env: Record<string, string | undefined>): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } }, env);
  return { code, stdout, stderr };
}

/**
 * The command line over a new data folder (sandbox mode, no Chromium) for the tests of the enclosing `describe`:
 * the folder is made before them and removed after them. `run` answers the exit code, and stdout and stderr together.
 */
export function cliOnNewDataFolder(prefix: string): { dataDir(): string; run(...argv: string[]): Promise<{ code: number; out: string }> } {
  let dataDir = '';
  beforeAll(async () => {
    dataDir = await makeTempDir(prefix);
  });
  afterAll(async () => {
    await removeTempDir(dataDir);
  });
  return {
    dataDir: () => dataDir,
    async run(...argv) {
      const { code, stdout, stderr } = await cliInProcess(argv, { DATA_DIR: dataDir, LOG_LEVEL: 'silent', CHROMIUM_PATH: '/nonexistent/chromium' });
      return { code, out: (stdout + stderr).trimEnd() };
    },
  };
}

export const CLI_BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'integoreport.js');

/** The installed command line (`npx integoreport`, the compiled build) in a new process; `shell` runs a shell line instead, with `$CLI` standing for it. */
export function cliProcess(command: { args: readonly string[] } | { shell: string }, env: Record<string, string | undefined>): Promise<CliResult> {
  const child =
    'args' in command
      ? spawn(process.execPath, [CLI_BIN, ...command.args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', command.shell], { env: { PATH: process.env.PATH, ...env, CLI: `${process.execPath} ${CLI_BIN}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
