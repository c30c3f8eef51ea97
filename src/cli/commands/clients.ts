import type { Actor } from '../../app/ports.js';
import type { ClientUseCases } from '../../app/clients.js';
import type { ClientEntry, LinkState } from '../../clients/types.js';
import { isEmailAddress } from '../../clients/names.js';
import { resolveClient } from '../arguments.js';
import { UsageError } from '../errors.js';
import type { Output } from '../output.js';

const STATE_LABELS: Record<LinkState, string> = {
  linked: '✔ linked',
  'to-add': '+ to add',
  'no-contact': '– no contact',
  problem: '! problem',
  ambiguous: '? ambiguous',
};

/** A plain-text table: id, name, state, email (or what to do), via; then the reasons of those needing attention. */
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

/** `integoreport clients [--unlinked]`. */
export async function listClients(out: Output, clients: ClientUseCases, options: { unlinked?: boolean }): Promise<void> {
  const entries = await clients.listClients({ unlinkedOnly: options.unlinked });
  out.result(entries, () => formatClientTable(entries));
}

/**
 * `integoreport link <client> <email> [--add]`: the last word is the email, the words before it the
 * client ("Tyrell Corp" quoted or not). `--add` adds the contact to the audience first, as the chat fix does.
 */
export async function link(out: Output, clients: ClientUseCases, actor: Actor, words: readonly string[], options: { add?: boolean }): Promise<void> {
  const email = words.at(-1) ?? '';
  const clientText = words.slice(0, -1).join(' ');
  if (!clientText) throw new UsageError('Use: integoreport link <client> <email> [--add].', 'missing-argument');
  if (!isEmailAddress(email)) throw new UsageError(`"${email}" is not an email address.`, 'bad-email');
  const client = await resolveClient(clients, clientText);
  const entry = await clients.fixClient(actor, client.id, options.add ? { kind: 'add-to-audience', email } : { kind: 'email', email });
  out.result(entry, () => `${entry.name} is now linked to ${entry.email}${options.add ? ', added to the audience' : ''}.`);
}

/** `integoreport unlink <client>`. */
export async function unlink(out: Output, clients: ClientUseCases, actor: Actor, words: readonly string[]): Promise<void> {
  const client = await resolveClient(clients, words.join(' '));
  const entry = await clients.fixClient(actor, client.id, { kind: 'unlink' });
  out.result(entry, () => `${client.name} was unlinked from ${client.email}. Now: ${STATE_LABELS[entry.state]}${entry.email ? ` ${entry.email}` : ''}.`);
}
