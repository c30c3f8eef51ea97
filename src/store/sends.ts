import path from 'node:path';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { JsonStore } from './json-store.js';
import { readDataFile } from './data-file.js';
import type { AuditActor } from './audit.js';

/**
 * `requested → campaign-created → content-set → sent | failed`. Transactional sends go straight from
 * `requested` to `sent | failed`. Only `failed` may be attempted again under the same key.
 */
export type SendStatus = 'requested' | 'campaign-created' | 'content-set' | 'sent' | 'failed';
export type SendChannel = 'campaign' | 'transactional';

/** One delivery of one report version to one client: the ledger row that makes it happen at most once. */
export interface SendRecord {
  id: string;
  /** `ir:<clientId>:<periodKey>:v<version>` (plus `:r<n>` for a deliberate resend); unique in the ledger. */
  key: string;
  reportId: string;
  clientId: number;
  clientName: string;
  periodKey: string;
  periodLabel: string;
  version: number;
  /** The send this one deliberately repeats. */
  resendOf?: string;
  channel: SendChannel;
  status: SendStatus;
  /** The client's address first, then the internal copy. */
  to: string[];
  subject: string;
  requestedBy: AuditActor;
  requestedAt: string;
  /** Earliest creation time a remote copy of this send can have (the report's creation, less a margin). */
  searchSince: string;
  updatedAt: string;
  sentAt?: string;
  campaignId?: string;
  messageIds?: string[];
  error?: string;
  /** The last attempt ended without knowing whether Mailchimp acted; the next one reads Mailchimp first. */
  uncertain?: boolean;
  /** When the last Transactional send call left without a recorded answer; its search lags, so a resend waits. */
  sendAttemptedAt?: string;
  /** Things worth knowing that did not stop the send, e.g. the internal copy was rejected. */
  notes?: string[];
  attempts: number;
  /** Who is driving this row right now, and until when; absent when nobody is. */
  lease?: { owner: string; until: string };
  /** The chat message the send was pressed on, so a send finished later (at start-up) updates it. */
  card?: CardAddress;
}

/** A chat message as it can be updated outside the request that posted it. */
export interface CardAddress {
  platform: 'slack' | 'teams';
  /** The Slack channel or Teams conversation. */
  target: string;
  /** The message (Slack `<channel>|<ts>`, Teams activity id). */
  id: string;
}

export type Claim =
  | { kind: 'claimed'; record: SendRecord; resumed: boolean }
  | { kind: 'sent'; record: SendRecord }
  | { kind: 'busy'; record: SendRecord }
  /** The caller's precondition did not hold any more; nothing was claimed. */
  | { kind: 'stale'; reason: string };

/** The holder's lease ran out and someone else took the row over; the holder must stop. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

interface SendsFile {
  sends: SendRecord[];
}

/** What `sends.json` must hold: each row with the fields that decide whether it was sent. */
export const SENDS_SCHEMA = z.looseObject({
  sends: z.array(
    z.looseObject({
      id: z.string().min(1),
      key: z.string().min(1),
      reportId: z.string().min(1),
      clientId: z.number().int(),
      version: z.number().int(),
      channel: z.enum(['campaign', 'transactional']),
      status: z.enum(['requested', 'campaign-created', 'content-set', 'sent', 'failed']),
      to: z.array(z.string()),
      requestedAt: z.string(),
      attempts: z.number().int().min(0),
    }),
  ),
});

export function newSendId(): string {
  return `snd_${randomBytes(6).toString('hex')}`;
}

/** A lease owner name, `host/pid/random`, so a restarted process can tell its dead predecessor's rows. */
export function leaseOwnerName(): string {
  return `${os.hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

/** Whether a lease still protects its row: not expired, and not held by a process on this host that has died. */
function isLive(lease: SendRecord['lease'], now: Date): boolean {
  if (!lease || new Date(lease.until).getTime() <= now.getTime()) return false;
  const [host, pidText] = lease.owner.split('/');
  const pid = Number(pidText);
  if (host !== os.hostname() || !Number.isInteger(pid) || pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPending(record: SendRecord): boolean {
  return record.status !== 'sent' && record.status !== 'failed';
}

/**
 * The send ledger (`DATA_DIR/sends.json`). Every state change is a locked read-modify-write, and a
 * row can only be changed by the holder of its lease, so it doubles as the lock around Mailchimp calls.
 */
export class SendLedger {
  private readonly store: JsonStore<SendsFile>;

  constructor(dataDir: string, private readonly leaseMs: number) {
    this.store = new JsonStore<SendsFile>(path.join(dataDir, 'sends.json'), () => ({ sends: [] }), SENDS_SCHEMA);
  }

  /**
   * Takes the row for `key` for `owner`: creates it when there is none, refuses when it is sent or
   * another live holder drives it, and takes it over when it failed or its holder went away.
   * `precondition` runs under the ledger's lock just before the row is created or taken; a sentence
   * from it means the send must not happen (what the person confirmed is no longer true).
   */
  async claim(
    key: string,
    owner: string,
    now: Date,
    create: () => SendRecord,
    refreshFailed?: (record: SendRecord) => void,
    precondition?: (rows: readonly SendRecord[]) => Promise<string | undefined>,
  ): Promise<Claim> {
    // Sent is final and a live lease only ends with its holder, so both answers are safe without the lock.
    const seen = (await this.snapshot()).find((record) => record.key === key);
    if (seen?.status === 'sent') return { kind: 'sent', record: seen };
    if (seen && isLive(seen.lease, now)) return { kind: 'busy', record: seen };
    return this.store.update(async (data) => {
      const existing = data.sends.find((record) => record.key === key);
      if (existing?.status === 'sent') return { kind: 'sent', record: structuredClone(existing) } as const;
      if (existing && isLive(existing.lease, now)) return { kind: 'busy', record: structuredClone(existing) } as const;
      const stale = await precondition?.(data.sends);
      if (stale) return { kind: 'stale', reason: stale } as const;
      const lease = this.lease(owner, now);
      if (!existing) {
        const record = { ...create(), lease };
        data.sends.push(record);
        return { kind: 'claimed', record: structuredClone(record), resumed: false } as const;
      }
      if (existing.status === 'failed') {
        refreshFailed?.(existing);
        existing.status = existing.campaignId ? 'campaign-created' : 'requested';
        existing.error = undefined;
      }
      existing.lease = lease;
      existing.attempts += 1;
      existing.updatedAt = now.toISOString();
      return { kind: 'claimed', record: structuredClone(existing), resumed: true } as const;
    });
  }

  /** Records progress while holding the lease, and extends it. Throws LeaseLostError when the lease is gone. */
  advance(id: string, owner: string, now: Date, patch: Partial<SendRecord>): Promise<SendRecord> {
    return this.change(id, owner, now, (record) => {
      Object.assign(record, patch);
      record.lease = this.lease(owner, now);
    });
  }

  /** Records the end of an attempt (sent, failed, or left uncertain) and gives the lease up. */
  release(id: string, owner: string, now: Date, patch: Partial<SendRecord>): Promise<SendRecord> {
    return this.change(id, owner, now, (record) => {
      Object.assign(record, patch);
      delete record.lease;
    });
  }

  async get(id: string): Promise<SendRecord | undefined> {
    return (await this.snapshot()).find((record) => record.id === id);
  }

  all(): Promise<SendRecord[]> {
    return this.snapshot();
  }

  /** The file as last written, read beside (not through) the writer, so reading never disturbs a write in progress. */
  private async snapshot(): Promise<SendRecord[]> {
    return (await readDataFile<SendsFile>(this.store.file, SENDS_SCHEMA))?.sends ?? [];
  }

  /** The last send of a client's period that reached the client, whichever report version it was. */
  async lastSentOfPeriod(clientId: number, periodKey: string): Promise<SendRecord | undefined> {
    return lastSent((await this.all()).filter((record) => record.clientId === clientId && record.periodKey === periodKey));
  }

  /** The client's sends, newest first. */
  async forClient(clientId: number): Promise<SendRecord[]> {
    return (await this.all()).filter((record) => record.clientId === clientId).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  }

  /** Rows nobody is driving that stopped before `sent` or `failed` (a crash, or an unanswered call). */
  async orphaned(now: Date): Promise<SendRecord[]> {
    return (await this.all()).filter((record) => isPending(record) && !isLive(record.lease, now));
  }

  private lease(owner: string, now: Date): NonNullable<SendRecord['lease']> {
    return { owner, until: new Date(now.getTime() + this.leaseMs).toISOString() };
  }

  private change(id: string, owner: string, now: Date, apply: (record: SendRecord) => void): Promise<SendRecord> {
    return this.store.update((data) => {
      const record = data.sends.find((candidate) => candidate.id === id);
      if (!record) throw new Error(`Send ${id} is not in the ledger.`);
      if (record.lease?.owner !== owner) throw new LeaseLostError(`Send ${id} is now handled elsewhere.`);
      apply(record);
      record.updatedAt = now.toISOString();
      return structuredClone(record);
    });
  }
}

/** The most recently sent of `rows` (in ledger order, the later row when two went out at the same instant). */
export function lastSent(rows: readonly SendRecord[]): SendRecord | undefined {
  let last: SendRecord | undefined;
  for (const record of rows) {
    if (record.status === 'sent' && (!last || (record.sentAt ?? '') >= (last.sentAt ?? ''))) last = record;
  }
  return last;
}
