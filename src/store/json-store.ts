import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { z } from 'zod';
import { keepBackup, readDataFile } from './data-file.js';
import { withLockFile } from './files.js';

const LOCK_STALE_MS = 15_000;

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
    const run = this.queue.then(() => withLockFile(this.lockFile, LOCK_STALE_MS, async () => {
      this.db.data = await this.read();
      const result = await change(this.db.data);
      await keepBackup(this.file);
      await this.db.write();
      return result;
    }));
    this.queue = run.catch(() => undefined);
    return run;
  }
}
