/** Clients in chat: the list and its pages, the fix form (open, check, submit) and a client's history. */
import type { Actor } from '../../app/ports.js';
import { describeMapping, type SourceMapping } from '../../app/sources.js';
import type { ClientEntry, ClientFix } from '../../clients/types.js';
import { ClientError } from '../../clients/errors.js';
import { personalAddressWarning } from '../../clients/free-mail.js';
import { isRetryable, userFacingMessage } from '../../errors.js';
import type { ChatAction, ChatSurface } from '../surface.js';
import { clientCardView, clientListView, FIX_CHOICES, fixFormView, fixRefusedView, historyView, noticeView, personalAddressView } from '../views/builders.js';
import { formatWhen, typedCommand, type FixTyped, type FixValue, type PageValue } from '../views/view.js';
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
function fixFromInputs(client: ClientEntry, typed: FixTyped): ClientFix | undefined {
  const choice = typed.contact?.trim() ?? '';
  const email = typed.email?.trim() ?? '';
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

/** What to do after a refused fix: whether trying again can help, else the form's own choice that does. */
function fixAdvice(error: unknown): string {
  if (isRetryable(error)) return 'Mailchimp did not answer properly; trying again in a minute can help.';
  if (error instanceof ClientError && error.problem === 'not-in-audience') return `Trying again will not help: choose "${FIX_CHOICES.addEmail}" to add it and link it, or pick another contact.`;
  if (error instanceof ClientError && error.problem === 'unreachable') return 'Trying again will not help: Mailchimp will not send to this address; pick another contact or type another address.';
  return 'Trying the same again will not help; change the choice or the address first.';
}

/**
 * Saves the fix, then refreshes what the form came from: the report card, the list page, or the client's card.
 * A refusal says why and whether retrying helps, and opens the form again with what was typed; a personal
 * address for a company waits for the approver to confirm it (`client.fix.confirm`).
 */
export async function submitFix(ctx: ListenerContext, actor: Actor, action: ChatAction, surface: ChatSurface) {
  if (await refused(ctx, actor, 'fix', surface)) return;
  const found = await valueWithClient<FixValue>(ctx, action.value, surface);
  if (!found) return;
  const { value, client } = found;
  const confirmed = action.id === 'client.fix.confirm';
  const typed: FixTyped = confirmed ? value.typed ?? {} : { contact: action.inputs?.contact?.trim() || undefined, email: action.inputs?.email?.trim() || undefined };
  const again: FixValue = { ...value, typed };
  const fix = fixFromInputs(client, typed);
  if (!fix) {
    await surface.ephemeral(fixRefusedView(again, 'That choice needs an email address like jane@acme.com.', 'Type the address in the form and save again.'));
    return;
  }
  const warning = fix.kind !== 'unlink' && fix.email && !confirmed ? personalAddressWarning(client, fix.email) : undefined;
  if (warning) {
    await surface.ephemeral(personalAddressView(client, again, warning));
    return;
  }
  let updated: ClientEntry;
  try {
    updated = await ctx.services.fixClient(actor, client.id, fix);
  } catch (error) {
    const sentence = userFacingMessage(error);
    if (!sentence) throw error;
    ctx.logger.warn({ err: error, client: client.id }, 'a fix was refused');
    await surface.ephemeral(fixRefusedView(again, sentence, fixAdvice(error)));
    return;
  }
  const note = updated.state === 'linked' ? `Linked to ${updated.email ?? 'the contact'} by ${actor.name}.` : `Saved by ${actor.name}.`;
  // A confirmation sits on a message of its own; the form's origin is not known there.
  const origin = confirmed ? undefined : surface.origin;
  if (value.reportId && origin) {
    const report = await ctx.services.getReport(value.reportId);
    if (report) {
      await surface.update(origin, reportCard(report));
      await surface.ephemeral(noticeView(`${updated.name}: ${note}`, 'success'));
      return;
    }
  }
  if (value.page !== undefined && origin) {
    const clients = await ctx.services.listClients({ unlinkedOnly: Boolean(value.unlinked) });
    await surface.update(origin, clientListView(clients, { page: value.page, unlinkedOnly: Boolean(value.unlinked) }));
    await surface.ephemeral(noticeView(`${updated.name}: ${note}`, 'success'));
    return;
  }
  await show(surface, clientCardView(updated, note));
}
