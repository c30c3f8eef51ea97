import type { CommandContext } from '../context.js';

/** `integoreport sync`: the ticket mirror and the client directory, refreshed. */
export async function sync(context: CommandContext): Promise<void> {
  const runtime = await context.runtime();
  const mirror = await runtime.puller.syncMirror();
  const directory = await runtime.clients.syncClients();
  context.out.result({ mirror, directory }, () => [
    `Ticket mirror: ${mirror.changed} tickets added or changed, ${mirror.ticketsInMirror} in the mirror (${mirror.calls} calls, ${mirror.credits} credits).`,
    `Client directory: ${directory.clients} clients, ${directory.linked} linked, ${directory.members} audience members.`,
  ]);
}
