import path from 'node:path';
import type { z } from 'zod';
import { DataFileError, readDataFile } from '../store/data-file.js';
import { REPORTS_SCHEMA } from '../store/reports.js';
import { SENDS_SCHEMA } from '../store/sends.js';
import { CONVERSATIONS_SCHEMA } from '../store/conversations.js';
import { CONTRACTS_SCHEMA } from '../store/contracts.js';
import { SOURCE_MAPS_SCHEMA } from '../store/source-maps.js';
import { AUDIT_SCHEMA } from '../store/audit.js';
import { DIGESTS_SCHEMA } from '../store/digests.js';
import { JOBS_SCHEMA } from '../jobs/runs.js';
import { HOSTED_LOGOS_SCHEMA } from '../brand/hosted-logo.js';
import { DIRECTORY_SCHEMA } from '../clients/directory-store.js';
import { brokenMirrorFile } from '../freshservice/mirror.js';

/** Every store of the data folder: its file (relative to DATA_DIR) and the shape it must have. */
export const DATA_STORES: ReadonlyArray<{ file: string; schema: z.ZodType }> = [
  { file: 'clients.json', schema: DIRECTORY_SCHEMA },
  { file: 'reports.json', schema: REPORTS_SCHEMA },
  { file: 'sends.json', schema: SENDS_SCHEMA },
  { file: 'audit.json', schema: AUDIT_SCHEMA },
  { file: 'contracts.json', schema: CONTRACTS_SCHEMA },
  { file: 'source-maps.json', schema: SOURCE_MAPS_SCHEMA },
  { file: 'conversations.json', schema: CONVERSATIONS_SCHEMA },
  { file: 'digests.json', schema: DIGESTS_SCHEMA },
  { file: 'jobs.json', schema: JOBS_SCHEMA },
  { file: path.join('brand', 'hosted-logos.json'), schema: HOSTED_LOGOS_SCHEMA },
];

/** The stores of `dataDir` (and the ticket mirror's index and shard files) that cannot be trusted (unreadable, not JSON, or in the wrong shape); empty when all can. */
export async function brokenStores(dataDir: string): Promise<DataFileError[]> {
  const checks = await Promise.all([
    ...DATA_STORES.map(async (store) => {
      try {
        await readDataFile(path.join(dataDir, store.file), store.schema);
        return undefined;
      } catch (error) {
        if (error instanceof DataFileError) return error;
        throw error;
      }
    }),
    brokenMirrorFile(dataDir),
  ]);
  return checks.filter((check): check is DataFileError => check !== undefined);
}

/** Throws the first broken store's DataFileError, before a command reads or writes anything. */
export async function checkDataFolder(dataDir: string): Promise<void> {
  const [first] = await brokenStores(dataDir);
  if (first) throw first;
}
