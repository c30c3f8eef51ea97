/** Clients in chat: the list and its pages, the fix form (open, check, submit) and a client's history. */
import type { Actor } from '../../app/ports.js';
import { describeMapping, type SourceMapping } from '../../app/sources.js';
import type { ClientEntry, ClientFix } from '../../clients/types.js';
import type { ChatAction, ChatSurface } from '../surface.js';
import { clientCardView, clientListView, errorView, fixFormView, historyView, noticeView } from '../views/builders.js';
import { formatWhen, typedCommand, type FixValue, type PageValue } from '../views/view.js';
import { parseJson, refused, reportCard, show, valueWithClient, type ListenerContext } from './context.js';

const EMAIL = /^[^\s@<>()"',;]+@[^\s@<>()"',;]+\.[^\s@<>()"',;]+$/;

/** A page of the client list, replacing the one the button sits on. */
export async function showClientPage(ctx: ListenerContext, value: string, surface: ChatSurface) {
  const page = parseJson<PageValue>(value);
  const clients = await ctx.services.listClients({ unlinkedOnly: Boolean(page?.unlinked) });
  await show(surface, clientListView(clients, { page: Number(page?.page) || 1, unlinkedOnly: Boolean(page?.unlinked) }));
}

export async function showHistory(ctx: ListenerContext, client: { id: number; name: string }, surface: ChatSurface) {
  await surface.ephemeral(historyView(client, await ctx.services.history(client.id)));
}

/** `contract <client> [hours]`: shows the monthly allowance, or sets it (approvers only; null removes it). */
export async function contract(ctx: ListenerContext, actor: Actor, client: { id: number; name: string }, hours: number | null | undefined, surface: ChatSurface) {
  if (hours === undefined) {
    const current = await ctx.services.contractOf(client.id);
    await surface.ephemeral(noticeView(current
      ? `${client.name}'s contract includes ${current.monthlyHours} billable hours a month (set by ${current.setBy}, ${formatWhen(current.setAt)}).`
      : `${client.name} has no monthly hours allowance; set one with "${typedCommand(surface.commandPrefix, `contract "${client.name}" <hours>`)}".`));
    return;
  }
  if (await refused(ctx, actor, 'contract', surface)) return;
  await ctx.services.setContract(actor, client.id, hours);
  await surface.reply(noticeView(hours === null
    ? `${actor.name} removed ${client.name}'s monthly hours allowance; reports show hours without it.`
    : `${actor.name} set ${client.name}'s monthly allowance to ${hours} billable hours; reports from now on show hours against it and any overage.`, 'success'));
}

/**
 * `map <client> [<source> <target>]`: shows the client's data-source mappings, or sets one (approvers only,
 * audited) and says what reports will show from now on.
 */
export async function mapClient(ctx: ListenerContext, actor: Actor, client: { id: number; name: string }, mapTo: { source: string; target: string } | undefined, surface: ChatSurface) {
  const lines = (mappings: SourceMapping[]) => mappings.map((mapping) => describeMapping(mapping, (example) => `"${typedCommand(surface.commandPrefix, example)}"`));
  if (!mapTo) {
    const mappings = await ctx.services.mappingsOf(client.id);
    await surface.ephemeral(noticeView(mappings.length > 0 ? `${client.name}'s data sources beside the helpdesk:` : `No data source beside the helpdesk is set up, so ${client.name}'s reports show the helpdesk alone.`, 'info', lines(mappings)));
    return;
  }
  if (await refused(ctx, actor, 'map', surface)) return;
  const mapping = await ctx.services.mapClient(actor, client.id, mapTo.source, mapTo.target);
  const now = mapping.target
    ? `${actor.name} mapped ${client.name} to ${mapping.source.label} ${mapping.source.targetNoun} ${mapping.target.name}; reports from now on include its section.`
    : `${actor.name} set ${client.name} to no ${mapping.source.label} ${mapping.source.targetNoun}; reports leave its section out.`;
  await surface.reply(noticeView(mapping.via === 'automatic' ? `${actor.name} set ${client.name} back to automatic ${mapping.source.label} mapping.` : now, 'success', lines([mapping])));
}

/** The fix form, as a dialog where the platform has one; `back` says where the form was opened from. */
export async function openFix(ctx: ListenerContext, actor: Actor, client: ClientEntry, surface: ChatSurface, back?: Omit<FixValue, 'clientId'>) {
  if (await refused(ctx, actor, 'fix', surface)) return;
  const suggestions = await ctx.services.suggestContacts(client.id);
  const form = fixFormView(client, suggestions, back);
  if (surface.openForm) await surface.openForm(form);
  else await surface.reply(form);
}

/** Field errors of a fix form by input id, or undefined when it can be submitted. */
export function fixFormErrors(inputs: ChatAction['inputs']): Record<string, string> | undefined {
  const choice = inputs?.contact ?? '';
  const email = inputs?.email?.trim() ?? '';
  const needsEmail = choice === 'email' || choice === 'add-email' || (!choice && email !== '');
  if (!choice && !email) return { contact: 'Choose who receives the report, or type an email address below.' };
  if (needsEmail && !EMAIL.test(email)) return { email: 'Enter an email address like jane@acme.com.' };
  return undefined;
}

/** A fix from the form's choice and email input; undefined when the choice needs an email that is missing. */
function fixFromInputs(client: ClientEntry, inputs: Record<string, string | undefined>): ClientFix | undefined {
  const choice = inputs.contact?.trim() ?? '';
  const email = inputs.email?.trim() ?? '';
  if (choice.startsWith('pick:')) return { kind: 'pick', email: choice.slice(5) };
  if (choice.startsWith('add:')) {
    const person = client.contactToAdd;
    const address = choice.slice(4);
    return person && person.email === address
      ? { kind: 'add-to-audience', email: address, firstName: person.firstName, lastName: person.lastName }
      : { kind: 'add-to-audience', email: address };
  }
  if (choice === 'unlink') return { kind: 'unlink' };
  if (!EMAIL.test(email)) return undefined;
  return choice === 'add-email' ? { kind: 'add-to-audience', email } : { kind: 'email', email };
}

/** Saves the fix, then refreshes what the form came from: the report card, the list page, or the client's card. */
export async function submitFix(ctx: ListenerContext, actor: Actor, action: ChatAction, surface: ChatSurface) {
  if (await refused(ctx, actor, 'fix', surface)) return;
  const found = await valueWithClient<FixValue>(ctx, action.value, surface);
  if (!found) return;
  const { value, client } = found;
  const fix = fixFromInputs(client, action.inputs ?? {});
  if (!fix) {
    await surface.ephemeral(errorView('That choice needs an email address like jane@acme.com.', `Try again with ${typedCommand(surface.commandPrefix, `fix "${client.name}"`)}.`));
    return;
  }
  const updated = await ctx.services.fixClient(actor, client.id, fix);
  const note = updated.state === 'linked' ? `Linked to ${updated.email ?? 'the contact'} by ${actor.name}.` : `Saved by ${actor.name}.`;
  if (value.reportId && surface.origin) {
    const report = await ctx.services.getReport(value.reportId);
    if (report) {
      await surface.update(surface.origin, reportCard(report));
      await surface.ephemeral(noticeView(`${updated.name}: ${note}`, 'success'));
      return;
    }
  }
  if (value.page !== undefined && surface.origin) {
    const clients = await ctx.services.listClients({ unlinkedOnly: Boolean(value.unlinked) });
    await surface.update(surface.origin, clientListView(clients, { page: value.page, unlinkedOnly: Boolean(value.unlinked) }));
    await surface.ephemeral(noticeView(`${updated.name}: ${note}`, 'success'));
    return;
  }
  await show(surface, clientCardView(updated, note));
}
