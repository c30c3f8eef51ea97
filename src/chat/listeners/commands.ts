/** Typed commands (`/integoreport <command>` in Slack, `<command>` to the bot in Teams), one listener each. */
import type { Actor } from '../../app/ports.js';
import type { Command } from '../../app/commands.js';
import type { ClientEntry } from '../../clients/types.js';
import type { ChatSurface } from '../surface.js';
import { clientListView, helpView, statusView } from '../views/builders.js';
import type { PickValue } from '../views/view.js';
import { periodOrExplain, resolveClient, type ListenerContext } from './context.js';
import { contract, mapClient, openFix, showHistory } from './clients.js';
import { generate, showReportToSend } from './reports.js';
import { digestCommand } from './digest.js';

export async function runCommand(ctx: ListenerContext, actor: Actor, command: Command, surface: ChatSurface): Promise<void> {
  switch (command.name) {
    case 'help':
      return surface.ephemeral(helpView(surface.commandPrefix, command.topic));
    case 'status':
      return surface.ephemeral(statusView(await ctx.services.status()));
    case 'clients': {
      const clients = await ctx.services.listClients({ unlinkedOnly: command.unlinkedOnly });
      await surface.reply(clientListView(clients, { page: 1, unlinkedOnly: command.unlinkedOnly }));
      return;
    }
    case 'fix':
    case 'history':
    case 'generate':
    case 'send': {
      const period = 'period' in command ? command.period : undefined;
      if (period && !(await periodOrExplain(ctx, period, surface))) return;
      const client = await resolveClient(ctx, command.client, surface, command.name, period);
      if (client) await runForClient(ctx, actor, command.name, client, period, surface);
      return;
    }
    case 'digest':
      return digestCommand(ctx, actor, command, surface);
    case 'contract': {
      const client = await resolveClient(ctx, command.client, surface, 'contract', undefined, command.hours);
      if (client) await contract(ctx, actor, client, command.hours, surface);
      return;
    }
    case 'map': {
      const mapTo = command.source && command.target ? { source: command.source, target: command.target } : undefined;
      const client = await resolveClient(ctx, command.client, surface, 'map', undefined, undefined, mapTo);
      if (client) await mapClient(ctx, actor, client, mapTo, surface);
      return;
    }
  }
}

/** The rest of a command once its client is known (typed exactly, or picked from suggestions). */
export async function runForClient(ctx: ListenerContext, actor: Actor, command: PickValue['command'], client: ClientEntry, period: string | undefined, surface: ChatSurface, hours?: number | null, mapTo?: PickValue['mapTo']): Promise<void> {
  if (command === 'contract') return contract(ctx, actor, client, hours, surface);
  if (command === 'map') return mapClient(ctx, actor, client, mapTo, surface);
  if (command === 'generate') return generate(ctx, actor, client, period, surface);
  if (command === 'send') return showReportToSend(ctx, client, period, surface);
  if (command === 'fix') return openFix(ctx, actor, client, surface);
  return showHistory(ctx, client, surface);
}
