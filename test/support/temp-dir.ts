import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A new empty folder under the system's temporary folder, its name starting with `prefix`. */
export function makeTempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Removes a folder made by `makeTempDir` with everything in it; a folder already gone is fine. */
export function removeTempDir(dir: string): Promise<void> {
  return fs.rm(dir, { recursive: true, force: true });
}
