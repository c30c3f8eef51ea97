import { contractHours } from '../../app/commands.js';
import { resolveClient } from '../arguments.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';

/** `integoreport contract <client> [hours | none]`: show or set the billable hours a client's contract includes a month. */
export async function contract(context: CommandContext, words: readonly string[]): Promise<void> {
  const hours = words.length > 1 ? contractHours(words.at(-1)!) : undefined;
  if (hours === false) throw new UsageError(`"${words.at(-1)}" is not a number of hours; give hours a month like 40 or 12.5, or none to remove the allowance.`, 'bad-argument');
  const runtime = await context.runtime();
  const client = await resolveClient(runtime.services, (hours === undefined ? words : words.slice(0, -1)).join(' '));
  if (hours !== undefined) await runtime.services.setContract(context.actor, client.id, hours);
  const current = await runtime.services.contractOf(client.id);
  context.out.result({ client: { id: client.id, name: client.name }, contract: current }, () =>
    current ? `${client.name}: ${current.monthlyHours} billable hours a month (set by ${current.setBy}, ${current.setAt}).` : `${client.name}: no monthly hours allowance.`,
  );
}
