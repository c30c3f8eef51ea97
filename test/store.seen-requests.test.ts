import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SeenRequests } from '../src/store/seen-requests.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

const KEEP_MS = 10 * 60_000;

describe('requests already handled, kept in the data folder', () => {
  let folder: string;
  const open: SeenRequests[] = [];
  const seenRequests = () => {
    const seen = new SeenRequests(folder, KEEP_MS);
    open.push(seen);
    return seen;
  };

  beforeEach(async () => {
    folder = path.join(await makeTempDir('integoreport-seen-'), 'slack-requests');
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-30T12:00:00Z') });
  });

  afterEach(async () => {
    vi.useRealTimers();
    for (const seen of open.splice(0)) seen.close();
    await removeTempDir(path.dirname(folder));
  });

  it('answers true once per key, in this process, after a restart and in another process', () => {
    const first = seenRequests();
    expect(first.firstTime('delivery:1.2.abc')).toBe(true);
    expect(first.firstTime('delivery:1.2.abc')).toBe(false);
    first.close();
    const restarted = seenRequests();
    const other = seenRequests();
    expect(restarted.firstTime('delivery:1.2.abc')).toBe(false);
    expect(other.firstTime('signature:v0=feed')).toBe(true);
    expect(restarted.firstTime('signature:v0=feed')).toBe(false);
  });

  it('two processes claiming the same key: exactly one wins, whichever checks first', () => {
    const [a, b] = [seenRequests(), seenRequests()];
    for (let index = 0; index < 50; index += 1) {
      const key = `delivery:${index}`;
      const answers = index % 2 === 0 ? [a.firstTime(key), b.firstTime(key)] : [b.firstTime(key), a.firstTime(key)];
      expect(answers.filter(Boolean)).toHaveLength(1);
    }
  });

  it('remembers a key for at least the kept time, then forgets it and deletes old logs', async () => {
    const seen = seenRequests();
    expect(seen.firstTime('delivery:old')).toBe(true);
    vi.setSystemTime(Date.now() + KEEP_MS);
    expect(seen.firstTime('delivery:old')).toBe(false);
    expect(seenRequests().firstTime('delivery:old')).toBe(false);
    vi.setSystemTime(Date.now() + 2 * KEEP_MS);
    expect(seen.firstTime('delivery:new')).toBe(true);
    expect(seen.firstTime('delivery:old')).toBe(true);
    expect((await fs.readdir(folder)).length).toBeLessThanOrEqual(2);
  });
});
