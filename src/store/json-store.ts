import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { z } from 'zod';
import { keepBackup, readDataFile } from './data-file.js';

const LOCK_STALE_MS = 15_000;
const LOCK_RETRY_MS = 5;

/**
 * One lowdb JSON file with one serialized writer. Every `update` re-reads the file under a lock
 * (in-process queue plus an O_EXCL lock file shared with other processes), applies the change and
 * writes atomically, so the bot and the CLI can run side by side without losing each other's writes.
 *
 * Every read checks the file against the store's schema: a file in the wrong shape stops the caller with
 * a DataFileError naming it, and nothing is written to it. Before each write the previous good version
 * is kept as `<file>.bak`.
 */
export class JsonStore<T extends object> {
  private readonly db: Low<T>;
  private readonly lockFile: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly defaults: () => T,
    private readonly schema: z.ZodType,
  ) {
    this.db = new Low<T>(new JSONFile<T>(file), defaults());
    this.lockFile = `${file}.lock`;
  }

  /** A fresh copy of the current content, read from the file and checked (never the object an update is changing). */
  async read(): Promise<T> {
    const stored = await readDataFile<Partial<T>>(this.file, this.schema);
    return { ...this.defaults(), ...(stored ?? {}) } as T;
  }

  /** Applies `change` to the latest content and persists it; returns what `change` returned. */
  update<R>(change: (data: T) => R | Promise<R>): Promise<R> {
    const run = this.queue.then(() => this.withFileLock(async () => {
      this.db.data = await this.read();
      const result = await change(this.db.data);
      await keepBackup(this.file);
      await this.db.write();
      return result;
    }));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Also creates the store's folder: the lock file sits beside the data file. */
  private async withFileLock<R>(work: () => Promise<R>): Promise<R> {
    await fs.mkdir(path.dirname(this.lockFile), { recursive: true });
    for (;;) {
      try {
        const handle = await fs.open(this.lockFile, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const stat = await fs.stat(this.lockFile).catch(() => undefined);
        if (stat && Date.now() - stat.mtimeMs > LOCK_STALE_MS) await fs.rm(this.lockFile, { force: true });
        await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
      }
    }
    try {
      return await work();
    } finally {
      await fs.rm(this.lockFile, { force: true });
    }
  }
}
