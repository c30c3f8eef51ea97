import { syncReportMirror } from '../../app/mirror-sync.js';
import type { CommandContext } from '../context.js';

/** `integoreport sync`: the ticket mirror and the client directory, refreshed. */
export async function sync(context: CommandContext): Promise<void> {
  const runtime = await context.runtime();
  const directory = await runtime.clients.syncClients();
  const mirror = await syncReportMirror({ puller: runtime.puller, listClients: () => runtime.clients.listClients() });
  context.out.result({ mirror, directory }, () => [
    `Ticket mirror: ${mirror.changed} tickets added or changed, ${mirror.enriched} enriched, ${mirror.surveysAskedAgain} surveys asked for again, ${mirror.ticketsInMirror} in the mirror (${mirror.calls} calls, ${mirror.credits} credits).`,
    `Client directory: ${directory.clients} clients, ${directory.linked} linked, ${directory.members} audience members.`,
  ]);
}
