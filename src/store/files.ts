import { promises as fs, type Stats } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { readJsonData } from './data-file.js';

/**
 * Writes `data` to `file` so that readers only ever see the old or the new content:
 * write a temporary file beside it, flush it to disk, then rename over the target.
 * `mode`: the new file's permissions (default 0o666 less the umask), set from its creation on.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: { mode?: number } = {}): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(temporary, 'w', options.mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/** The file's JSON, or undefined when there is none; a DataFileError naming the file when it cannot be read or parsed. */
export async function readJsonFile<T>(file: string, remedy?: string): Promise<T | undefined> {
  return (await readJsonData(file, remedy)) as T | undefined;
}

/** The paths of the entries of `dir` that `pick` picks by name and that were last changed more than `ageMs` ago. */
export async function entriesOlderThan(dir: string, ageMs: number, pick: (name: string) => boolean): Promise<string[]> {
  const now = Date.now();
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter(pick);
  const old = await Promise.all(
    names.map(async (name) => {
      const entry = path.join(dir, name);
      const stat = await fs.stat(entry).catch(() => undefined);
      return stat && now - stat.mtimeMs > ageMs ? entry : undefined;
    }),
  );
  return old.filter((entry): entry is string => entry !== undefined);
}

export async function writeJsonAtomic(file: string, value: unknown, options: { mode?: number } = {}): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value), options);
}

const LOCK_RETRY_MS = 5;

/**
 * Runs `work` while holding `lockFile` (created exclusively, holding a token of this holder), so that
 * processes sharing a data folder take turns. A lock older than `staleMs` was left by a process that died
 * holding it: it is moved aside (only one waiter wins the rename) and taking it is tried again. Releasing
 * removes the lock only while it still holds this holder's token.
 */
export async function withLockFile<T>(lockFile: string, staleMs: number, work: () => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(lockFile), { recursive: true });
  const token = `${process.pid}.${randomBytes(8).toString('hex')}`;
  for (;;) {
    try {
      await fs.writeFile(lockFile, token, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stat = await fs.stat(lockFile).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs > staleMs) await removeLockIf(lockFile, (_, aside) => Date.now() - aside.mtimeMs > staleMs);
      else await sleep(LOCK_RETRY_MS);
    }
  }
  try {
    return await work();
  } finally {
    await removeLockIf(lockFile, (held) => held === token);
  }
}

/**
 * Moves the lock aside under a unique name, so no other process's lock is ever removed by mistake, and
 * removes it if `ended` says so after all; otherwise puts it back (unless a new lock was taken meanwhile).
 */
async function removeLockIf(lockFile: string, ended: (token: string, stat: Stats) => boolean): Promise<void> {
  const aside = `${lockFile}.${process.pid}.${randomBytes(4).toString('hex')}.aside`;
  try {
    await fs.rename(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const [token, stat] = await Promise.all([fs.readFile(aside, 'utf8'), fs.stat(aside)]);
  if (!ended(token, stat)) await fs.link(aside, lockFile).catch(() => undefined);
  await fs.rm(aside, { force: true });
}
