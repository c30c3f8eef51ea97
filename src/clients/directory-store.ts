import path from 'node:path';
import type { ClientEntry } from './types.js';
import { z } from 'zod';
import { JsonStore } from '../store/json-store.js';
import type { AudienceMember, DirectoryClient, LinkRecord } from './linking.js';

/** An email a person unlinked from a client, so the rules do not pick it again. */
export interface Exclusion {
  email: string;
  by: string;
  at: string;
}

export interface FixRecord {
  clientId: number;
  kind: 'pick' | 'email' | 'add-to-audience' | 'unlink';
  /** The manual link after the fix, if any. */
  email?: string;
  by: string;
  /** `osUser`: the operating-system account, when the fix came from the command line. */
  actor: { platform: string; id: string; osUser?: string };
  at: string;
}

export interface SyncSummary {
  at: string;
  clients: number;
  members: number;
  linked: number;
  /** API requests the sync made, per service. */
  requests: { freshservice: number; mailchimp: number };
}

/** `DATA_DIR/clients.json`: what the last sync saw, the links it derived, and every link a person made. */
export interface DirectoryData {
  version: 1;
  clients: DirectoryClient[];
  /** The audience as of the last sync (updated by fixes), trimmed to what linking and suggestions use. */
  audience: AudienceMember[];
  /** The current state of every client, recomputed by each sync and each fix. */
  entries: ClientEntry[];
  /** Links the rules made, keyed by client id, so `linkedAt` stays the time the link first appeared. */
  autoLinks: Record<string, LinkRecord>;
  /** Links people made; they win over the rules and survive every sync. */
  manualLinks: Record<string, LinkRecord>;
  exclusions: Record<string, Exclusion[]>;
  /** Every fix a person made, oldest first. */
  fixes: FixRecord[];
  lastSync?: SyncSummary;
  lastSyncFailure?: { at: string; message: string };
}

const LINK_RECORD = z.looseObject({ email: z.string().min(1), via: z.enum(['prime-name', 'head-name', 'domain', 'manual']), by: z.string(), at: z.string() });

/** What `clients.json` must hold: every part a sync or a fix rewrites, so none is silently dropped. */
export const DIRECTORY_SCHEMA = z.looseObject({
  version: z.literal(1),
  clients: z.array(z.looseObject({ id: z.number().int(), name: z.string(), domains: z.array(z.string()) })),
  audience: z.array(z.looseObject({ email: z.string(), status: z.string(), firstName: z.string(), lastName: z.string() })),
  entries: z.array(z.looseObject({ id: z.number().int(), name: z.string(), state: z.enum(['linked', 'to-add', 'no-contact', 'problem', 'ambiguous']) })),
  autoLinks: z.record(z.string(), LINK_RECORD),
  manualLinks: z.record(z.string(), LINK_RECORD),
  exclusions: z.record(z.string(), z.array(z.looseObject({ email: z.string(), by: z.string(), at: z.string() }))),
  fixes: z.array(z.looseObject({ clientId: z.number().int(), kind: z.enum(['pick', 'email', 'add-to-audience', 'unlink']) })),
});

export type DirectoryStore = JsonStore<DirectoryData>;

export function emptyDirectory(): DirectoryData {
  return { version: 1, clients: [], audience: [], entries: [], autoLinks: {}, manualLinks: {}, exclusions: {}, fixes: [] };
}

export function openDirectoryStore(dataDir: string): DirectoryStore {
  return new JsonStore<DirectoryData>(path.join(dataDir, 'clients.json'), emptyDirectory, DIRECTORY_SCHEMA);
}
