import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** One window's log: what this process has read of it so far, and the first claim of each key in it. */
interface WindowLog {
  file: string;
  offset: number;
  /** Bytes of a record still being written when last read. */
  partial: string;
  /** Key hash → nonce of the first record of it in the file. */
  first: Map<string, string>;
  fd?: number;
  /** Read to the end after its window had passed: nobody appends to it any more. */
  settled?: boolean;
}

/**
 * Requests already handled, remembered in the data folder so that neither a restart nor a second
 * process on the same data folder runs one twice. Every process appends `<key hash> <nonce>` to the log
 * of the current time window and the first record of a key wins: no lock, and two processes claiming
 * the same key at the same moment both read the same first record. A key is remembered for at least
 * `keepMs` (the current and the previous window are read); older windows are deleted.
 *
 * The file calls are synchronous on purpose: an append or a read of the log's tail takes microseconds,
 * less than a round trip through the thread pool, and it keeps each check-and-claim in one piece.
 */
export class SeenRequests {
  private readonly windows = new Map<number, WindowLog>();

  constructor(
    readonly folder: string,
    private readonly keepMs: number,
  ) {}

  /** True for the first caller with this key (in any process on this data folder); false for every later one. */
  firstTime(key: string): boolean {
    const hash = createHash('sha256').update(key).digest('hex');
    const current = Math.floor(Date.now() / this.keepMs);
    this.forgetBefore(current - 1);
    const [previous, log] = [this.window(current - 1), this.window(current)];
    if (!previous.settled) {
      this.readNew(previous);
      previous.settled = true;
    }
    this.readNew(log);
    if (previous.first.has(hash) || log.first.has(hash)) return false;
    const nonce = randomBytes(6).toString('hex');
    log.fd ??= fs.openSync(log.file, 'a+');
    fs.writeSync(log.fd, `${hash} ${nonce}\n`);
    this.readNew(log);
    return log.first.get(hash) === nonce;
  }

  close(): void {
    for (const log of this.windows.values()) this.closeLog(log);
    this.windows.clear();
  }

  private window(index: number): WindowLog {
    let log = this.windows.get(index);
    if (!log) {
      fs.mkdirSync(this.folder, { recursive: true });
      log = { file: path.join(this.folder, `${index}.log`), offset: 0, partial: '', first: new Map() };
      this.windows.set(index, log);
    }
    return log;
  }

  /** Reads what was appended to the log since the last read (by any process). */
  private readNew(log: WindowLog): void {
    let fd: number;
    try {
      fd = log.fd ?? fs.openSync(log.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= log.offset) return;
      const buffer = Buffer.alloc(size - log.offset);
      const read = fs.readSync(fd, buffer, 0, buffer.length, log.offset);
      log.offset += read;
      const lines = (log.partial + buffer.subarray(0, read).toString('utf8')).split('\n');
      log.partial = lines.pop()!;
      for (const line of lines) {
        const [hash, nonce] = line.split(' ');
        if (hash && nonce && !log.first.has(hash)) log.first.set(hash, nonce);
      }
    } finally {
      if (fd !== log.fd) fs.closeSync(fd);
    }
  }

  /** Drops windows older than `oldest`, from memory and from the folder. */
  private forgetBefore(oldest: number): void {
    if ([...this.windows.keys()].every((index) => index >= oldest)) return;
    for (const [index, log] of this.windows) {
      if (index >= oldest) continue;
      this.closeLog(log);
      this.windows.delete(index);
    }
    for (const name of fs.readdirSync(this.folder)) {
      const index = Number(name.replace(/\.log$/, ''));
      if (name.endsWith('.log') && Number.isInteger(index) && index < oldest) fs.rmSync(path.join(this.folder, name), { force: true });
    }
  }

  private closeLog(log: WindowLog): void {
    if (log.fd !== undefined) fs.closeSync(log.fd);
    log.fd = undefined;
  }
}
