import type { ClientEntry, ClientLookup } from '../clients/types.js';
import { splitTrailingPeriod } from '../period/forms.js';
import { UsageError } from './errors.js';

/** The client a person typed (a name as they would say it, or its id); unknown or vague names are usage errors. */
export async function resolveClient(directory: { findClient(text: string): Promise<ClientLookup> }, text: string): Promise<ClientEntry> {
  if (!text.trim()) throw new UsageError('Name the client, e.g. "Acme" or its id.', 'missing-argument');
  const lookup = await directory.findClient(text);
  if (lookup.kind === 'found') return lookup.client;
  if (lookup.kind === 'ambiguous') {
    const candidates = lookup.candidates.map((entry) => `${entry.name} (${entry.id})`).join(', ');
    throw new UsageError(`"${text}" matches several clients: ${candidates}. Use the full name or the id.`, 'ambiguous-client');
  }
  const closest = lookup.suggestions.map((entry) => entry.name);
  throw new UsageError(`No client matches "${text}".${closest.length ? ` Closest: ${closest.join(', ')}.` : ''}`, 'unknown-client');
}

/** "<client words…> [period]" split with the same rule as chat commands. */
export function clientAndPeriod(words: readonly string[]): { clientText: string; periodText?: string } {
  const { rest, period } = splitTrailingPeriod([...words], (word) => word);
  return { clientText: rest.join(' '), periodText: period };
}
