import type { FreshserviceTicket } from '../../freshservice/types.js';
import { requesterName, ticketRequester } from '../world/world.js';
import { ticketConversations } from './conversations.js';
import { includesOf, isPositiveInteger, notFound, numericId, paged, validation, workspaceParam, type ApiContext, type Query, type Reply } from './replies.js';
import { TicketQueryError, parseTicketQuery } from './ticket-query.js';
import { ticketsUpdatedSince } from '../world/stored-world.js';

const FILTER_PAGE_SIZE = 30;
const FILTER_MAX_PAGE = 10;
const LIST_WINDOW_MS = 30 * 86_400_000;
const LIST_INCLUDES = ['stats', 'requester', 'requested_for', 'onboarding_context', 'offboarding_context'];
/** "View a Ticket" embeds; `tags` appears in the docs' examples (`include=tags,requester`). */
const SHOW_INCLUDES = ['stats', 'requester', 'requested_for', 'conversations', 'problem', 'assets', 'changes', 'related_tickets', 'tags', 'onboarding_context', 'offboarding_context'];

/** `/tickets`, `/tickets/filter`, `/tickets/{id}` and its time entries, CSAT response and conversations. */
export function ticketsResource(context: ApiContext, idText: string | undefined, sub: string | undefined, query: Query, url: URL): Reply {
  const { world } = context;
  if (idText === undefined) return listTickets(context, query, url);
  if (idText === 'filter' && sub === undefined) return filterTickets(context, query);
  const id = numericId(idText);
  if (id === null) return notFound();
  const ticket = world.tickets.find((t) => t.id === id && !t.deleted);
  if (!ticket) return notFound();
  if (sub === undefined) return showTicket(context, ticket, query);
  if (sub === 'time_entries') return paged(context, world.timeEntries[id] ?? [], query, url, 'time_entries');
  if (sub === 'csat_response') {
    const response = world.csat[id];
    return response ? { status: 200, credits: 1, body: { csat_response: response } } : notFound();
  }
  if (sub === 'conversations') {
    const conversations = ticketConversations(world, ticket);
    const reply = paged(context, conversations, query, url, 'conversations');
    return reply.status === 200 ? { ...reply, body: { ...(reply.body as object), meta: { count: conversations.length } } } : reply;
  }
  return notFound();
}

const isShown = (ticket: FreshserviceTicket): boolean => !ticket.spam && !ticket.deleted;

function visibleTickets(context: ApiContext): FreshserviceTicket[] {
  return context.world.tickets.filter(isShown);
}

function requesterSummary(context: ApiContext, id: number | null) {
  const r = ticketRequester(context.world, id);
  if (!r) return null;
  return { id: r.id, name: requesterName(r), email: r.primary_email, mobile: null, phone: null };
}

function serializeTicket(context: ApiContext, ticket: FreshserviceTicket, includes: string[], extra: Record<string, unknown> = {}) {
  const { stats, ...rest } = ticket;
  const out: Record<string, unknown> = { ...rest, ...extra };
  if (includes.includes('stats')) out.stats = stats ?? null;
  if (includes.includes('requester')) out.requester = requesterSummary(context, ticket.requester_id);
  if (includes.includes('requested_for')) out.requested_for = requesterSummary(context, ticket.requested_for_id ?? ticket.requester_id);
  return out;
}

function listTickets(context: ApiContext, query: Query, url: URL): Reply {
  const { world, clock } = context;
  const includes = includesOf(query);
  const unknownInclude = includes.find((name) => !LIST_INCLUDES.includes(name));
  if (unknownInclude) return validation('include', `It should be one of these values: '${LIST_INCLUDES.join(',')}'`);
  const orderType = query.get('order_type') ?? 'desc';
  if (orderType !== 'asc' && orderType !== 'desc') return validation('order_type', "It should be one of these values: 'asc,desc'");
  const keep: Array<(ticket: FreshserviceTicket) => boolean> = [];
  const filter = query.get('filter');
  if (filter === 'spam') keep.push((t) => t.spam === true && !t.deleted);
  else if (filter === 'deleted') keep.push((t) => t.deleted === true);
  else if (filter === 'new_and_my_open') keep.push((t) => isShown(t) && t.status === 2);
  else if (filter === 'watching') keep.push(() => false);
  else if (filter === null) keep.push(isShown);
  else return validation('filter', "It should be one of these values: 'new_and_my_open,watching,spam,deleted'");
  const workspace = workspaceParam(context, query, { allowAll: true });
  if (typeof workspace === 'object') return workspace;
  if (workspace !== 'all') keep.push((t) => t.workspace_id === workspace);
  const requesterId = query.get('requester_id');
  if (requesterId !== null) {
    if (!isPositiveInteger(requesterId)) return validation('requester_id', 'It should be a Positive Integer');
    keep.push((t) => t.requester_id === Number(requesterId));
  }
  const email = query.get('email');
  if (email !== null) {
    const requester = world.requesters.find((r) => r.primary_email?.toLowerCase() === email.toLowerCase());
    keep.push((t) => requester !== undefined && t.requester_id === requester.id);
  }
  const type = query.get('type');
  if (type !== null) {
    if (type !== 'Incident' && type !== 'Service Request') return validation('type', "It should be one of these values: 'Incident,Service Request'");
    keep.push((t) => t.type === type);
  }
  const updatedSince = query.get('updated_since');
  let candidates: FreshserviceTicket[];
  if (updatedSince !== null) {
    const since = Date.parse(updatedSince);
    if (!/^\d{4}-\d{2}-\d{2}/.test(updatedSince) || Number.isNaN(since)) {
      return validation('updated_since', 'It should be in the combined date and time ISO 8601 format', 'invalid_value');
    }
    // The incremental sync's request: only the tickets it can match are read from a stored world.
    candidates = ticketsUpdatedSince(world, since);
  } else {
    const since = clock.now().getTime() - LIST_WINDOW_MS;
    candidates = world.tickets;
    keep.push((t) => Date.parse(t.created_at) >= since);
  }
  const tickets = candidates.filter((t) => keep.every((test) => test(t)));
  const direction = orderType === 'asc' ? 1 : -1;
  const sorted = tickets.sort((a, b) => direction * (a.created_at.localeCompare(b.created_at) || a.id - b.id));
  const reply = paged(context, sorted, query, url, 'tickets');
  if (reply.status !== 200) return reply;
  const body = reply.body as { tickets: FreshserviceTicket[] };
  return { ...reply, credits: 1 + 2 * includes.length, body: { tickets: body.tickets.map((t) => serializeTicket(context, t, includes)) } };
}

function filterTickets(context: ApiContext, query: Query): Reply {
  const raw = query.get('query');
  if (raw === null) return validation('query', 'It should be a/an String', 'missing_field');
  let predicate;
  try {
    predicate = parseTicketQuery(raw, (id) => ticketRequester(context.world, id)?.primary_email ?? null);
  } catch (error) {
    if (error instanceof TicketQueryError) return validation('query', error.message);
    throw error;
  }
  const pageText = query.get('page') ?? '1';
  if (!isPositiveInteger(pageText)) return validation('page', 'It should be a Positive Integer');
  // Unverified cap, taken from Freshdesk's filter (same platform): page 11 and beyond are refused.
  if (Number(pageText) > FILTER_MAX_PAGE) return validation('page', `It should be a Positive Integer less than or equal to ${FILTER_MAX_PAGE}`);
  // The filter documents neither per_page nor include: 30 tickets a page, no embeds.
  for (const name of ['per_page', 'include']) if (query.has(name)) return validation(name, 'Unexpected/invalid field in request', 'invalid_field');
  const workspace = workspaceParam(context, query, { allowAll: true });
  if (typeof workspace === 'object') return workspace;
  const scoped = visibleTickets(context).filter((t) => workspace === 'all' || t.workspace_id === workspace);
  const matches = scoped.filter(predicate).sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
  const page = Number(pageText);
  const slice = matches.slice((page - 1) * FILTER_PAGE_SIZE, page * FILTER_PAGE_SIZE);
  return { status: 200, credits: 1, body: { tickets: slice.map((t) => serializeTicket(context, t, [])), total: matches.length } };
}

function showTicket(context: ApiContext, ticket: FreshserviceTicket, query: Query): Reply {
  const includes = includesOf(query);
  const unknownInclude = includes.find((name) => !SHOW_INCLUDES.includes(name));
  if (unknownInclude) return validation('include', `It should be one of these values: '${SHOW_INCLUDES.join(',')}'`);
  const extra: Record<string, unknown> = {};
  if (includes.includes('conversations')) extra.conversations = ticketConversations(context.world, ticket).slice(0, 10);
  // The world holds no problems, assets, changes or linked tickets: those embeds come back empty. Tags are always on the ticket.
  if (includes.includes('problem')) extra.problem = null;
  for (const name of ['assets', 'changes', 'related_tickets']) if (includes.includes(name)) extra[name] = [];
  const credits = 1 + includes.reduce((sum, name) => sum + (name === 'conversations' ? 2 : 1), 0);
  return { status: 200, credits, body: { ticket: serializeTicket(context, ticket, includes, extra) } };
}
