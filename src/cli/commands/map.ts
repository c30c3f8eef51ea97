import { mapWords } from '../../app/commands.js';
import { describeMapping } from '../../app/sources.js';
import { resolveClient } from '../arguments.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

/** `integoreport map <client> [<source> <target | none | auto>]`: show or set the client's data-source mappings. */
export async function map(context: CommandContext, words: readonly string[]): Promise<void> {
  const wanted = mapWords(words);
  if (!wanted.client) throw new UsageError('Which client? Give the client, then the source and its site or tenant, like: map Acme sentinelone "Acme Corp".', 'bad-argument');
  const runtime = await context.runtime();
  const client = await resolveClient(runtime.services, wanted.client);
  if (wanted.source && wanted.target) await runtime.services.mapClient(context.actor, client.id, wanted.source, wanted.target);
  const mappings = await runtime.services.mappingsOf(client.id);
  context.out.result({ client: { id: client.id, name: client.name }, mappings }, () =>
    mappings.length > 0
      ? [`${client.name}:`, ...mappings.map((mapping) => `  ${describeMapping(mapping, (example) => `integoreport ${example}`)}`)].join('\n')
      : `${client.name}: no data source beside the helpdesk is set up (SENTINELONE_URL and SENTINELONE_API_TOKEN add SentinelOne).`,
  );
}
