import path from 'node:path';
import { z } from 'zod';
import { JsonStore } from './json-store.js';

/** `ready`: a draft waiting for approval; the others are listed under "needs attention". */
export type DigestRowStatus = 'ready' | 'empty' | 'unlinked' | 'failed' | 'discarded';

/** The numbers the digest adds up across clients (from the report's metrics). */
export interface DigestNumbers {
  tickets: number;
  slaMet: number;
  slaMissed: number;
  csatPositive: number;
  csatResponses: number;
}

export interface DigestRow {
  clientId: number;
  clientName: string;
  status: DigestRowStatus;
  reportId?: string;
  numbers?: DigestNumbers;
  /** Why the row needs attention (link problem, pull failure). */
  reason?: string;
}

/** A message the digest posted: the platform's conversation and message id, as its ChatSurface names it. */
export interface PostedRef {
  target: string;
  id: string;
}

export interface DigestPost {
  platform: 'slack' | 'teams';
  /** The Slack channel or Teams conversation the digest went to. */
  target: string;
  header: PostedRef;
  /** Client id → the row's message (a thread reply under the header). */
  rows: Record<string, PostedRef>;
  postedAt: string;
}

export interface DigestRecord {
  /** `digest-<periodKey>`: one digest per period. */
  id: string;
  periodKey: string;
  periodLabel: string;
  createdAt: string;
  createdBy: string;
  rows: DigestRow[];
  posts: DigestPost[];
  /** What the one account-wide mirror refresh cost. */
  sync?: { calls: number; credits: number };
}

/** What `digests.json` must hold. */
export const DIGESTS_SCHEMA = z.looseObject({
  digests: z.record(
    z.string(),
    z.looseObject({
      id: z.string().min(1),
      periodKey: z.string().min(1),
      rows: z.array(z.looseObject({ clientId: z.number().int(), clientName: z.string(), status: z.enum(['ready', 'empty', 'unlinked', 'failed', 'discarded']) })),
      posts: z.array(z.looseObject({ platform: z.enum(['slack', 'teams']), target: z.string(), rows: z.record(z.string(), z.looseObject({})) })),
    }),
  ),
});

interface DigestsFile {
  digests: Record<string, DigestRecord>;
}

export function digestIdFor(periodKey: string): string {
  return `digest-${periodKey}`;
}

/** Monthly digests and where they were posted (`DATA_DIR/digests.json`). */
export class DigestStore {
  private readonly store: JsonStore<DigestsFile>;

  constructor(dataDir: string) {
    this.store = new JsonStore<DigestsFile>(path.join(dataDir, 'digests.json'), () => ({ digests: {} }), DIGESTS_SCHEMA);
  }

  async get(id: string): Promise<DigestRecord | undefined> {
    return (await this.store.read()).digests[id];
  }

  /** Saves the digest's rows, keeping the posts already recorded for it. */
  async saveRows(record: Omit<DigestRecord, 'posts'>): Promise<DigestRecord> {
    return this.store.update((data) => {
      const posts = data.digests[record.id]?.posts ?? [];
      const saved: DigestRecord = { ...record, posts };
      data.digests[record.id] = saved;
      return saved;
    });
  }

  /** Replaces one client's row (after its draft was generated again). */
  async updateRow(id: string, row: DigestRow): Promise<DigestRecord> {
    return this.store.update((data) => {
      const digest = data.digests[id];
      if (!digest) throw new Error(`There is no digest ${id}.`);
      digest.rows = digest.rows.map((entry) => (entry.clientId === row.clientId ? row : entry));
      return digest;
    });
  }

  /** Records a post (replacing an earlier one to the same platform and target). */
  async addPost(id: string, post: DigestPost): Promise<void> {
    await this.store.update((data) => {
      const digest = data.digests[id];
      if (!digest) throw new Error(`There is no digest ${id}.`);
      digest.posts = [...digest.posts.filter((entry) => !(entry.platform === post.platform && entry.target === post.target)), post];
    });
  }
}
