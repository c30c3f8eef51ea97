import type { Actor } from '../app/ports.js';
import type { ClientEntry, LinkState } from '../clients/types.js';
import type { ClientUseCases } from '../app/clients.js';
import { ClientError } from '../clients/errors.js';

const STATE_LABELS: Record<LinkState, string> = {
  linked: '✔ linked',
  'to-add': '+ to add',
  'no-contact': '– no contact',
  problem: '! problem',
  ambiguous: '? ambiguous',
};

/** A plain-text table: id, name, state, email (or what to do), via. */
export function formatClientTable(entries: readonly ClientEntry[]): string {
  if (entries.length === 0) return 'No clients.';
  const rows = entries.map((entry) => [
    String(entry.id),
    entry.name,
    STATE_LABELS[entry.state],
    entry.email ?? (entry.contactToAdd ? `add ${entry.contactToAdd.email}` : ''),
    entry.via ?? '',
  ]);
  const header = ['ID', 'CLIENT', 'STATE', 'EMAIL', 'VIA'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  const notes = entries.filter((entry) => entry.state !== 'linked' && entry.reason).map((entry) => `  ${entry.name}: ${entry.reason}`);
  return [line(header), ...rows.map(line), ...(notes.length ? ['', 'Needs attention:', ...notes] : [])].join('\n');
}

export interface CliResult {
  output: string;
  exitCode: number;
}

/**
 * `integoreport sync | clients [--unlinked] [--json] | link <client> <email> | unlink <client>`.
 * `<client>` is an id or a name as a person would type it; a vague name is refused with the candidates.
 */
export async function runClientCommand(clients: ClientUseCases, actor: Actor, command: string, args: readonly string[]): Promise<CliResult> {
  try {
    switch (command) {
      case 'sync': {
        const summary = await clients.syncClients();
        return ok(`Synced ${summary.clients} clients with ${summary.members} audience members: ${summary.linked} linked.`);
      }
      case 'clients': {
        const unknown = args.filter((arg) => arg !== '--unlinked' && arg !== '--json');
        if (unknown.length) return usage(`Unknown option ${unknown[0]}; use clients [--unlinked] [--json].`);
        const entries = await clients.listClients({ unlinkedOnly: args.includes('--unlinked') });
        return ok(args.includes('--json') ? JSON.stringify(entries, null, 2) : formatClientTable(entries));
      }
      case 'link': {
        const email = args.at(-1);
        if (args.length < 2 || !email) return usage('Use: link <client> <email>.');
        const client = await resolveClient(clients, args.slice(0, -1).join(' '));
        const entry = await clients.fixClient(actor, client.id, { kind: 'email', email });
        return ok(`${entry.name} is now linked to ${entry.email}.`);
      }
      case 'unlink': {
        if (args.length === 0) return usage('Use: unlink <client>.');
        const client = await resolveClient(clients, args.join(' '));
        const entry = await clients.fixClient(actor, client.id, { kind: 'unlink' });
        return ok(`${client.name} was unlinked from ${client.email}. Now: ${STATE_LABELS[entry.state]}${entry.email ? ` ${entry.email}` : ''}.`);
      }
      default:
        return usage(`Unknown command ${command}.`);
    }
  } catch (error) {
    if (error instanceof ClientError) return { output: error.message, exitCode: 1 };
    throw error;
  }
}

async function resolveClient(clients: ClientUseCases, text: string): Promise<ClientEntry> {
  const lookup = await clients.findClient(text);
  if (lookup.kind === 'found') return lookup.client;
  if (lookup.kind === 'ambiguous') {
    throw new ClientError(`"${text}" matches several clients: ${lookup.candidates.map((entry) => `${entry.name} (${entry.id})`).join(', ')}; use the id.`);
  }
  const closest = lookup.suggestions.map((entry) => entry.name).join(', ');
  throw new ClientError(`No client matches "${text}"${closest ? `; closest: ${closest}` : ''}.`);
}

function ok(output: string): CliResult {
  return { output, exitCode: 0 };
}

function usage(output: string): CliResult {
  return { output, exitCode: 2 };
}
