import { promises as fs } from 'node:fs';
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
export async function readJsonFile<T>(file: string): Promise<T | undefined> {
  return (await readJsonData(file)) as T | undefined;
}

export async function writeJsonAtomic(file: string, value: unknown, options: { mode?: number } = {}): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value), options);
}
