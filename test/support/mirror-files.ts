import { promises as fs } from 'node:fs';
import path from 'node:path';
import { mirrorIndexFile, mirrorShardFile, type ScopeCoverage, type TicketEnrichment } from '../../src/freshservice/mirror.js';
import type { FreshserviceTicket } from '../../src/freshservice/types.js';

/** The mirror's files as a test reads them: its index, and each client's shard by the client's id ("none": no client). */
export interface MirrorOnDisk {
  scopes: Record<string, ScopeCoverage>;
  shardFiles: Record<string, string>;
  tickets: Record<string, FreshserviceTicket>;
  enrichment: Record<string, TicketEnrichment>;
}

export async function readMirror(dataDir: string): Promise<MirrorOnDisk> {
  const index = JSON.parse(await fs.readFile(mirrorIndexFile(dataDir), 'utf8')) as { scopes: Record<string, ScopeCoverage>; shards: Record<string, { file: string }> };
  const mirror: MirrorOnDisk = { scopes: index.scopes, shardFiles: {}, tickets: {}, enrichment: {} };
  for (const [key, { file }] of Object.entries(index.shards)) {
    mirror.shardFiles[key] = mirrorShardFile(dataDir, file);
    const shard = JSON.parse(await fs.readFile(mirror.shardFiles[key]!, 'utf8')) as Pick<MirrorOnDisk, 'tickets' | 'enrichment'>;
    Object.assign(mirror.tickets, shard.tickets);
    Object.assign(mirror.enrichment, shard.enrichment);
  }
  return mirror;
}

/** The mirror's ticket files (the index and every file under mirror/tickets/, leftovers included), by path relative to mirror/. */
export async function mirrorFileContents(dataDir: string): Promise<Record<string, string>> {
  const root = path.dirname(mirrorIndexFile(dataDir));
  const shards = await fs.readdir(path.join(root, 'tickets'));
  const contents: Record<string, string> = {};
  for (const name of ['index.json', ...shards.sort().map((shard) => path.join('tickets', shard))]) contents[name] = await fs.readFile(path.join(root, name), 'utf8');
  return contents;
}
