import type { ClientEntry } from '../clients/types.js';
import type { Puller, SyncResult } from '../freshservice/puller.js';

export interface MirrorSyncDeps {
  puller: Pick<Puller, 'syncMirror'>;
  listClients(): Promise<ClientEntry[]>;
}

/**
 * The ticket mirror brought up to date, enriched for the clients reports are made for (the linked ones in
 * the stored directory), so a later report or digest finds their finished tickets' time entries and survey
 * answers already there. `since` back-fills further into the past.
 */
export async function syncReportMirror(deps: MirrorSyncDeps, options: { since?: Date } = {}): Promise<SyncResult> {
  const linked = (await deps.listClients()).filter((client) => client.state === 'linked').map((client) => client.id);
  return deps.puller.syncMirror({ since: options.since, enrichClients: linked });
}
