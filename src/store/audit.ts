import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { JsonStore } from './json-store.js';
import { readDataFile } from './data-file.js';
import { systemClock, type Clock } from '../clock.js';

/** Who did something: a chat user, an operator at the CLI, or the scheduler. */
export interface AuditActor {
  platform: string;
  id: string;
  name: string;
  /** For the command line: the operating-system account that ran it (`id` and `name` are what `--as` said). */
  osUser?: string;
}

/** What the trail keeps of someone acting: who they are, nothing else the platform said about them (their email). */
export function auditActor(actor: AuditActor): AuditActor {
  return { platform: actor.platform, id: actor.id, name: actor.name, ...(actor.osUser ? { osUser: actor.osUser } : {}) };
}

export type AuditOutcome = 'ok' | 'refused' | 'failed' | 'already-sent' | 'pending';

/** One line of the audit trail: who, when, what, to whom, with which Mailchimp ids, and how it ended. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: AuditActor;
  /** Dotted verb, e.g. `report.send`, `report.send-test`, `report.resend`, `client.fix`. */
  action: string;
  target?: { clientId?: number; reportId?: string; sendId?: string; key?: string };
  to?: string[];
  mailchimp?: { campaignId?: string; messageIds?: string[] };
  outcome: AuditOutcome;
  /** One sentence: Mailchimp's reason for a refusal, or what was done. */
  detail?: string;
}

export type AuditInput = Omit<AuditEntry, 'id' | 'at'> & { at?: string };

interface AuditFile {
  entries: AuditEntry[];
}

/** What `audit.json` must hold. */
export const AUDIT_SCHEMA = z.looseObject({
  entries: z.array(
    z.looseObject({
      id: z.string(),
      at: z.string(),
      actor: z.looseObject({ platform: z.string(), id: z.string(), name: z.string() }),
      action: z.string().min(1),
      outcome: z.enum(['ok', 'refused', 'failed', 'already-sent', 'pending']),
    }),
  ),
});

function auditFile(dataDir: string): string {
  return path.resolve(dataDir, 'audit.json');
}

/** Entries waiting for the next write of one audit file, and that write. */
interface AuditWriter {
  store: JsonStore<AuditFile>;
  waiting: AuditEntry[];
  write?: Promise<void>;
}

const writers = new Map<string, AuditWriter>();

/** One writer per audit file in this process (the JsonStore lock covers other processes). */
function auditWriter(dataDir: string): AuditWriter {
  const file = auditFile(dataDir);
  let writer = writers.get(file);
  if (!writer) {
    writer = { store: new JsonStore<AuditFile>(file, () => ({ entries: [] }), AUDIT_SCHEMA), waiting: [] };
    writers.set(file, writer);
  }
  return writer;
}

/**
 * Appends one entry to `DATA_DIR/audit.json`; entries are never changed or removed. Entries arriving
 * while a write is queued join it, so a burst (fifty clicks at once) costs one write, not fifty.
 */
export async function appendAudit(dataDir: string, input: AuditInput, clock: Clock = systemClock): Promise<AuditEntry> {
  const entry: AuditEntry = { id: randomUUID(), ...input, at: input.at ?? clock.now().toISOString() };
  const writer = auditWriter(dataDir);
  writer.waiting.push(entry);
  if (!writer.write) {
    const write = writer.store.update((data) => {
      data.entries.push(...writer.waiting);
      writer.waiting = [];
      writer.write = undefined;
    });
    writer.write = write;
    write.catch(() => {
      if (writer.write === write) writer.write = undefined;
    });
  }
  await writer.write;
  return entry;
}

export interface AuditFilter {
  clientId?: number;
  reportId?: string;
  action?: string;
}

/** Entries matching `filter`, oldest first. */
export async function readAudit(dataDir: string, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const entries = (await readDataFile<AuditFile>(auditFile(dataDir), AUDIT_SCHEMA))?.entries ?? [];
  return entries.filter(
    (entry) =>
      (filter.clientId === undefined || entry.target?.clientId === filter.clientId) &&
      (filter.reportId === undefined || entry.target?.reportId === filter.reportId) &&
      (filter.action === undefined || entry.action === filter.action),
  );
}
