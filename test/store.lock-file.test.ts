import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { withLockFile } from '../src/store/files.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const STALE_MS = 1000;
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => removeTempDir(dir)));
});

async function lockFileIn(): Promise<string> {
  const dir = await makeTempDir('integoreport-lock-');
  dirs.push(dir);
  return path.join(dir, 'store.lock');
}

async function makeStale(lockFile: string): Promise<void> {
  const past = new Date(Date.now() - 10 * STALE_MS);
  await fs.utimes(lockFile, past, past);
}

describe('the lock file processes sharing a data folder take turns by', () => {
  it('lets one waiter at a time through when several find the same lock left by a dead process', async () => {
    const lockFile = await lockFileIn();
    await fs.writeFile(lockFile, 'a process that died');
    await makeStale(lockFile);
    let holders = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        withLockFile(lockFile, STALE_MS, async () => {
          holders += 1;
          most = Math.max(most, holders);
          await sleep(20);
          holders -= 1;
        }),
      ),
    );
    expect(most).toBe(1);
    await expect(fs.readdir(path.dirname(lockFile))).resolves.toEqual([]);
  });

  it('leaves the next holder\'s lock in place when a holder slower than the stale timeout releases', async () => {
    const lockFile = await lockFileIn();
    let nextHolds!: () => void;
    const nextHolding = new Promise<void>((resolve) => (nextHolds = resolve));
    let finishNext!: () => void;
    const nextMayFinish = new Promise<void>((resolve) => (finishNext = resolve));
    let next: Promise<void> | undefined;
    await withLockFile(lockFile, STALE_MS, async () => {
      await makeStale(lockFile);
      next = withLockFile(lockFile, STALE_MS, async () => {
        nextHolds();
        await nextMayFinish;
      });
      await nextHolding;
    });
    let third = false;
    const waiting = withLockFile(lockFile, STALE_MS, async () => {
      third = true;
    });
    await sleep(50);
    expect(third).toBe(false);
    finishNext();
    await Promise.all([next, waiting]);
    expect(third).toBe(true);
    await expect(fs.readdir(path.dirname(lockFile))).resolves.toEqual([]);
  });
});
