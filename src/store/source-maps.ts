import path from 'node:path';
import { z } from 'zod';
import { JsonStore } from './json-store.js';

/**
 * A client's mapping to a data source's target, set by hand: a site or tenant (`targetId`), or null for
 * "this client has none" (no automatic mapping either). Survives every later automatic match.
 */
export interface SourceMapRecord {
  source: string;
  clientId: number;
  targetId: string | null;
  targetName: string | null;
  setBy: string;
  setAt: string;
}

/** What `source-maps.json` must hold. */
export const SOURCE_MAPS_SCHEMA = z.looseObject({
  maps: z.array(
    z.looseObject({ source: z.string(), clientId: z.number().int(), targetId: z.string().nullable(), targetName: z.string().nullable(), setBy: z.string(), setAt: z.string() }),
  ),
});

/** `DATA_DIR/source-maps.json`: the hand-made mappings, from chat or the command line. */
export class SourceMapStore {
  private readonly store: JsonStore<{ maps: SourceMapRecord[] }>;

  constructor(dataDir: string) {
    this.store = new JsonStore<{ maps: SourceMapRecord[] }>(path.join(dataDir, 'source-maps.json'), () => ({ maps: [] }), SOURCE_MAPS_SCHEMA);
  }

  async get(source: string, clientId: number): Promise<SourceMapRecord | undefined> {
    return (await this.store.read()).maps.find((map) => map.source === source && map.clientId === clientId);
  }

  /** Sets the mapping; `target` undefined removes it, so the automatic rule applies again. */
  async set(source: string, clientId: number, target: { id: string; name: string } | null | undefined, by: string, at: string): Promise<SourceMapRecord | undefined> {
    return this.store.update((data) => {
      data.maps = data.maps.filter((map) => !(map.source === source && map.clientId === clientId));
      if (target === undefined) return undefined;
      const record: SourceMapRecord = { source, clientId, targetId: target?.id ?? null, targetName: target?.name ?? null, setBy: by, setAt: at };
      data.maps.push(record);
      return record;
    });
  }
}
