/**
 * Vitest global set-up: tests that start the real command line or bot run the compiled JavaScript in
 * dist/ and its bundle (what `npm ci` builds), so they are rebuilt first whenever a file under src/ is newer than the build.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const stamp = path.join(root, 'dist', '.tsbuildinfo');

async function newestSource(dir: string): Promise<number> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const times = await Promise.all(
    entries.map(async (entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? newestSource(full) : (await fs.stat(full)).mtimeMs;
    }),
  );
  return Math.max(0, ...times);
}

export default async function buildOnce(): Promise<void> {
  const built = await fs.stat(stamp).then((stat) => stat.mtimeMs, () => 0);
  if (built >= (await newestSource(path.join(root, 'src')))) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(root, 'dist', 'report', 'precompile-templates.js')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(root, 'dist', 'compose', 'bundle-cli.js')], { cwd: root, stdio: 'inherit' });
  const now = new Date();
  await fs.utimes(stamp, now, now);
}
