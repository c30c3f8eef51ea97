import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../clock.js';
import type { FreshserviceRequester, FreshserviceTicket } from '../../freshservice/types.js';
import { resolveSandboxControls } from '../controls.js';
import { ticketConversations } from './conversations.js';
import { createRng, type Rng } from '../rng.js';
import { TicketQueryError, parseTicketQuery } from './ticket-query.js';
import type { RecordedRequest, SandboxControls } from '../types.js';
import { requesterName, type SandboxWorld } from '../world/world.js';

export interface FreshserviceSandbox {
  /** e.g. http://127.0.0.1:PORT/api/v2 */
  baseUrl: string;
  apiKey: string;
  /** Mutable at runtime: tests flip faults and limits on and off. */
  controls: SandboxControls;
  /** Every request received, in order; a request held by a timeout fault stays at status 0. */
  requests: RecordedRequest[];
  creditsUsed(): number;
  resetRequests(): void;
  /** Live: tests may mutate tickets. */
  world: SandboxWorld;
  /** Applies `changes` and sets updated_at (and stats.updated_at) to the clock's now, for incremental-sync tests. */
  touchTicket(id: number, changes: Partial<FreshserviceTicket>): void;
  close(): Promise<void>;
}

export const DEFAULT_FRESHSERVICE_SANDBOX_KEY = 'sandbox-freshservice-key';

const API_PREFIX = '/api/v2';
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;
const FILTER_PAGE_SIZE = 30;
const LIST_WINDOW_MS = 30 * 86_400_000;
const LIST_INCLUDES = ['stats', 'requester', 'requested_for', 'onboarding_context', 'offboarding_context'];
const SHOW_INCLUDES = ['stats', 'requester', 'requested_for', 'conversations', 'onboarding_context', 'offboarding_context'];

interface Reply {
  status: number;
  body: unknown;
  /** Credits charged; errors cost 1 like any other request. */
  credits: number;
  headers?: Record<string, string>;
}

type Query = URLSearchParams;

const validation = (field: string, message: string, code = 'invalid_value'): Reply => ({
  status: 400,
  credits: 1,
  body: { description: 'Validation failed', errors: [{ field, message, code }] },
});
const notFound = (): Reply => ({ status: 404, credits: 1, body: { code: 'access_denied', message: 'The requested resource does not exist or is not accessible.' } });

function includesOf(query: Query): string[] {
  return (query.get('include') ?? '').split(',').map((name) => name.trim()).filter(Boolean);
}

function isPositiveInteger(text: string): boolean {
  return /^\d+$/.test(text) && Number(text) >= 1;
}

/**
 * The simulated Freshservice API v2 on 127.0.0.1 (random port). Auth: Basic `apiKey:X`.
 * Rate limit: `controls.rateLimitPerWindow` credits per fixed window of `windowMs / timeScale` real ms;
 * a 429 carries `Retry-After` in REAL seconds (ceil of what is left of the window, at least 1) and
 * `X-Sandbox-Retry-After-Ms` with the exact real milliseconds.
 */
export async function startFreshserviceSandbox(options: {
  world: SandboxWorld;
  controls?: Partial<SandboxControls>;
  clock?: Clock;
  apiKey?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}): Promise<FreshserviceSandbox> {
  const world = options.world;
  const clock = options.clock ?? systemClock;
  const apiKey = options.apiKey ?? DEFAULT_FRESHSERVICE_SANDBOX_KEY;
  const controls = resolveSandboxControls(options.controls);
  const requests: RecordedRequest[] = [];
  const held = new Set<http.ServerResponse>();
  const window = { startedAt: 0, used: 0 };
  let faultSeed = controls.faultSeed;
  let dice: Rng = createRng(faultSeed);
  let baseUrl = '';

  const windowLengthMs = (): number => controls.windowMs / Math.max(controls.timeScale, 1e-9);
  const refreshWindow = (): void => {
    const now = Date.now();
    if (now - window.startedAt >= windowLengthMs()) {
      window.startedAt = now;
      window.used = 0;
    }
  };
  const rollDice = (): [number, number] => {
    if (controls.faultSeed !== faultSeed) {
      faultSeed = controls.faultSeed;
      dice = createRng(faultSeed);
    }
    return [dice.next(), dice.next()];
  };

  const visibleTickets = (): FreshserviceTicket[] => world.tickets.filter((t) => !t.spam && !t.deleted);
  const requesterById = (id: number | null): FreshserviceRequester | undefined =>
    id === null ? undefined : world.requesters.find((r) => r.id === id);
  const requesterSummary = (id: number | null) => {
    const r = requesterById(id);
    if (!r) return null;
    return { id: r.id, name: requesterName(r), email: r.primary_email, mobile: null, phone: null };
  };
  const serializeTicket = (ticket: FreshserviceTicket, includes: string[], extra: Record<string, unknown> = {}) => {
    const { stats, ...rest } = ticket;
    const out: Record<string, unknown> = { ...rest, ...extra };
    if (includes.includes('stats')) out.stats = stats ?? null;
    if (includes.includes('requester')) out.requester = requesterSummary(ticket.requester_id);
    if (includes.includes('requested_for')) out.requested_for = requesterSummary(ticket.requested_for_id ?? ticket.requester_id);
    return out;
  };

  const paged = <T>(items: T[], query: Query, url: URL, key: string, pageSize?: number): Reply => {
    const pageText = query.get('page') ?? '1';
    if (!isPositiveInteger(pageText)) return validation('page', 'It should be a Positive Integer');
    let perPage = pageSize ?? DEFAULT_PER_PAGE;
    if (pageSize === undefined && query.has('per_page')) {
      const perPageText = query.get('per_page')!;
      if (!isPositiveInteger(perPageText) || Number(perPageText) > MAX_PER_PAGE) {
        return validation('per_page', `It should be a Positive Integer less than or equal to ${MAX_PER_PAGE}`);
      }
      perPage = Number(perPageText);
    }
    const page = Number(pageText);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(url.toString());
      next.searchParams.set('page', String(page + 1));
      headers.Link = `<${baseUrl.replace(API_PREFIX, '')}${next.pathname}${next.search}>; rel="next"`;
    }
    return { status: 200, credits: 1, body: { [key]: slice }, headers };
  };

  const listTickets = (query: Query, url: URL): Reply => {
    const includes = includesOf(query);
    const unknownInclude = includes.find((name) => !LIST_INCLUDES.includes(name));
    if (unknownInclude) return validation('include', `It should be one of these values: '${LIST_INCLUDES.join(',')}'`);
    const orderType = query.get('order_type') ?? 'desc';
    if (orderType !== 'asc' && orderType !== 'desc') return validation('order_type', "It should be one of these values: 'asc,desc'");
    let tickets = world.tickets;
    const filter = query.get('filter');
    if (filter === 'spam') tickets = tickets.filter((t) => t.spam && !t.deleted);
    else if (filter === 'deleted') tickets = tickets.filter((t) => t.deleted);
    else if (filter === 'new_and_my_open') tickets = visibleTickets().filter((t) => t.status === 2);
    else if (filter === 'watching') tickets = [];
    else if (filter === null) tickets = visibleTickets();
    else return validation('filter', "It should be one of these values: 'new_and_my_open,watching,spam,deleted'");
    const workspace = query.get('workspace_id');
    if (workspace !== null) {
      if (!/^\d+$/.test(workspace)) return validation('workspace_id', 'It should be a Positive Integer');
      if (Number(workspace) !== 0) tickets = tickets.filter((t) => (t.workspace_id ?? 2) === Number(workspace));
    } else tickets = tickets.filter((t) => (t.workspace_id ?? 2) === 2);
    const requesterId = query.get('requester_id');
    if (requesterId !== null) {
      if (!isPositiveInteger(requesterId)) return validation('requester_id', 'It should be a Positive Integer');
      tickets = tickets.filter((t) => t.requester_id === Number(requesterId));
    }
    const email = query.get('email');
    if (email !== null) {
      const requester = world.requesters.find((r) => r.primary_email?.toLowerCase() === email.toLowerCase());
      tickets = requester ? tickets.filter((t) => t.requester_id === requester.id) : [];
    }
    const type = query.get('type');
    if (type !== null) {
      if (type !== 'Incident' && type !== 'Service Request') return validation('type', "It should be one of these values: 'Incident,Service Request'");
      tickets = tickets.filter((t) => t.type === type);
    }
    const updatedSince = query.get('updated_since');
    if (updatedSince !== null) {
      const since = Date.parse(updatedSince);
      if (!/^\d{4}-\d{2}-\d{2}/.test(updatedSince) || Number.isNaN(since)) {
        return validation('updated_since', 'It should be in the combined date and time ISO 8601 format', 'invalid_value');
      }
      tickets = tickets.filter((t) => Date.parse(t.updated_at) >= since);
    } else {
      const since = clock.now().getTime() - LIST_WINDOW_MS;
      tickets = tickets.filter((t) => Date.parse(t.created_at) >= since);
    }
    const direction = orderType === 'asc' ? 1 : -1;
    const sorted = [...tickets].sort((a, b) => direction * (a.created_at.localeCompare(b.created_at) || a.id - b.id));
    const reply = paged(sorted, query, url, 'tickets');
    if (reply.status !== 200) return reply;
    const body = reply.body as { tickets: FreshserviceTicket[] };
    return { ...reply, credits: 1 + 2 * includes.length, body: { tickets: body.tickets.map((t) => serializeTicket(t, includes)) } };
  };

  const filterTickets = (query: Query): Reply => {
    const raw = query.get('query');
    if (raw === null) return validation('query', 'It should be a/an String', 'missing_field');
    let predicate;
    try {
      predicate = parseTicketQuery(raw, (id) => requesterById(id)?.primary_email ?? null);
    } catch (error) {
      if (error instanceof TicketQueryError) return validation('query', error.message);
      throw error;
    }
    const pageText = query.get('page') ?? '1';
    if (!isPositiveInteger(pageText)) return validation('page', 'It should be a Positive Integer');
    const workspace = query.get('workspace_id');
    const scoped = visibleTickets().filter((t) => workspace === '0' || (t.workspace_id ?? 2) === Number(workspace ?? 2));
    const matches = scoped.filter(predicate).sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
    const page = Number(pageText);
    const slice = matches.slice((page - 1) * FILTER_PAGE_SIZE, page * FILTER_PAGE_SIZE);
    return { status: 200, credits: 1, body: { tickets: slice.map((t) => serializeTicket(t, [])), total: matches.length } };
  };

  const showTicket = (ticket: FreshserviceTicket, query: Query): Reply => {
    const includes = includesOf(query);
    const unknownInclude = includes.find((name) => !SHOW_INCLUDES.includes(name));
    if (unknownInclude) return validation('include', `It should be one of these values: '${SHOW_INCLUDES.join(',')}'`);
    const extra: Record<string, unknown> = {};
    if (includes.includes('conversations')) extra.conversations = ticketConversations(world, ticket).slice(0, 10);
    const credits = 1 + includes.reduce((sum, name) => sum + (name === 'conversations' ? 2 : 1), 0);
    return { status: 200, credits, body: { ticket: serializeTicket(ticket, includes, extra) } };
  };

  const requesterQuery = (raw: string): ((r: FreshserviceRequester) => boolean) | string => {
    if (!raw.startsWith('"') || !raw.endsWith('"') || raw.length < 2) return 'query must be enclosed in double quotes';
    const parts = raw.slice(1, -1).split(/\s+OR\s+/);
    const tests: Array<(r: FreshserviceRequester) => boolean> = [];
    for (const part of parts) {
      const match = /^\s*(department_id|primary_email|first_name|last_name):(?:(\d+)|'([^']*)')\s*$/.exec(part);
      if (!match) return `cannot read "${part}" (the sandbox supports OR-joined department_id, primary_email, first_name, last_name)`;
      const [, field, number, text] = match;
      if (field === 'department_id') {
        if (number === undefined) return 'department_id expects a number';
        tests.push((r) => r.department_ids.includes(Number(number)));
      } else {
        if (text === undefined) return `${field} expects a string`;
        const key = field as 'primary_email' | 'first_name' | 'last_name';
        tests.push((r) => (r[key] ?? '').toLowerCase() === text.toLowerCase());
      }
    }
    return (r) => tests.some((test) => test(r));
  };

  const listRequesters = (query: Query, url: URL): Reply => {
    let people: FreshserviceRequester[] = [...world.requesters];
    if (query.get('include_agents') === 'true') {
      people = people.concat(
        world.agents.map((a) => ({ id: a.id, first_name: a.first_name, last_name: a.last_name, primary_email: a.email, department_ids: a.department_ids ?? [], active: a.active, is_agent: true })),
      );
    }
    const email = query.get('email');
    if (email !== null) people = people.filter((r) => r.primary_email?.toLowerCase() === email.toLowerCase());
    const raw = query.get('query');
    if (raw !== null) {
      const test = requesterQuery(raw);
      if (typeof test === 'string') return validation('query', test);
      const page = query.get('page') ?? '1';
      if (isPositiveInteger(page) && Number(page) > 40) return validation('page', 'It should be less than or equal to 40');
      people = people.filter(test);
      return paged(sortByFirstName(people), query, url, 'requesters', DEFAULT_PER_PAGE);
    }
    return paged(sortByFirstName(people), query, url, 'requesters');
  };

  const route = (method: string, path: string, query: Query, url: URL): Reply => {
    const segments = path.split('/').filter(Boolean);
    const [resource, idText, sub] = segments;
    if (segments.length > 3 || !resource) return notFound();
    const id = idText !== undefined && /^\d+$/.test(idText) ? Number(idText) : null;
    const known = resource === 'tickets' || resource === 'departments' || resource === 'requesters' || resource === 'agents' || resource === 'ticket_form_fields' || resource === 'groups' || resource === 'workspaces';
    if (!known) return notFound();
    if (method !== 'GET') return { status: 405, credits: 1, body: { code: 'method_not_allowed', message: 'The sandbox serves GET requests only.' } };

    if (resource === 'tickets') {
      if (idText === undefined) return listTickets(query, url);
      if (idText === 'filter' && sub === undefined) return filterTickets(query);
      if (id === null) return notFound();
      const ticket = world.tickets.find((t) => t.id === id && !t.deleted);
      if (!ticket) return notFound();
      if (sub === undefined) return showTicket(ticket, query);
      if (sub === 'time_entries') return paged(world.timeEntries[id] ?? [], query, url, 'time_entries');
      if (sub === 'csat_response') {
        const response = world.csat[id];
        return response ? { status: 200, credits: 1, body: { csat_response: response } } : notFound();
      }
      if (sub === 'conversations') {
        const conversations = ticketConversations(world, ticket);
        const reply = paged(conversations, query, url, 'conversations');
        return reply.status === 200 ? { ...reply, body: { ...(reply.body as object), meta: { count: conversations.length } } } : reply;
      }
      return notFound();
    }
    if (sub !== undefined) return notFound();
    if (resource === 'departments') {
      if (idText !== undefined) {
        const department = world.departments.find((d) => d.id === id);
        return department ? { status: 200, credits: 1, body: { department } } : notFound();
      }
      let departments = [...world.departments].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
      const raw = query.get('query');
      if (raw !== null) {
        const match = /^"name:'([^']*)'"$/.exec(raw);
        if (!match) return validation('query', "The sandbox supports only query=\"name:'…'\" on departments");
        departments = departments.filter((d) => d.name.toLowerCase() === match[1]!.toLowerCase());
      }
      return paged(departments, query, url, 'departments');
    }
    if (resource === 'requesters') {
      if (idText !== undefined) {
        const requester = world.requesters.find((r) => r.id === id);
        return requester ? { status: 200, credits: 1, body: { requester } } : notFound();
      }
      return listRequesters(query, url);
    }
    if (resource === 'agents') {
      if (idText !== undefined) {
        const agent = world.agents.find((a) => a.id === id);
        return agent ? { status: 200, credits: 1, body: { agent } } : notFound();
      }
      return paged(world.agents, query, url, 'agents');
    }
    if (idText !== undefined) return notFound();
    if (resource === 'ticket_form_fields') return { status: 200, credits: 1, body: { ticket_fields: world.formFields } };
    if (resource === 'groups') return paged(world.groups, query, url, 'groups');
    return { status: 200, credits: 1, body: { workspaces: [{ id: 2, name: 'Intego IT', primary: true, state: 'active' }] } };
  };

  const send = async (res: http.ServerResponse, record: RecordedRequest, reply: Reply, malformed = false): Promise<void> => {
    record.status = reply.status;
    record.credits = reply.credits;
    if (reply.status !== 429 && reply.status !== 401) window.used += reply.credits;
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'X-Ratelimit-Total': String(controls.rateLimitPerWindow),
      'X-Ratelimit-Remaining': String(Math.max(0, controls.rateLimitPerWindow - window.used)),
      'X-Ratelimit-Used-CurrentRequest': String(reply.credits),
      'X-Freshservice-Api-Version': 'latest=v2; requested=v2',
      ...reply.headers,
    };
    let text = JSON.stringify(reply.body);
    if (malformed) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    if (controls.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, controls.latencyMs));
    if (res.destroyed) return;
    res.writeHead(reply.status, headers);
    res.end(text);
  };

  const tooMany = (retryAfterMs: number): Reply => ({
    status: 429,
    credits: 0,
    body: { code: 'rate_limit_exceeded', message: 'You have exceeded the limit of requests per minute' },
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))), 'X-Sandbox-Retry-After-Ms': String(Math.max(1, Math.ceil(retryAfterMs))) },
  });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const record: RecordedRequest = {
      service: 'freshservice',
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      credits: 0,
      at: clock.now().toISOString(),
    };
    requests.push(record);
    req.resume();

    const header = req.headers.authorization ?? '';
    const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    if (decoded.split(':')[0] !== apiKey) {
      await send(res, record, { status: 401, credits: 0, body: { code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' } });
      return;
    }
    const accept = req.headers.accept;
    if (accept && !/(^|,)\s*(application\/json|\*\/\*|application\/\*)\s*(;|,|$)/i.test(accept)) {
      await send(res, record, { status: 406, credits: 1, body: { code: 'invalid_accept_header', message: 'Only application/json and */* are supported in the Accept header.' } });
      return;
    }
    if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
      await send(res, record, notFound());
      return;
    }

    refreshWindow();
    const remainingWindowMs = window.startedAt + windowLengthMs() - Date.now();
    if (controls.faults.rateLimitBurst > 0) {
      controls.faults.rateLimitBurst -= 1;
      await send(res, record, tooMany(Math.min(remainingWindowMs, 1000)));
      return;
    }
    if (window.used + expectedCredits(method, url) > controls.rateLimitPerWindow) {
      await send(res, record, tooMany(remainingWindowMs));
      return;
    }

    const [roll, pick] = rollDice();
    const { serverErrorRate, timeoutRate, malformedRate } = controls.faults;
    if (roll < serverErrorRate) {
      const status = pick < 0.5 ? 500 : pick < 0.8 ? 502 : 503;
      await send(res, record, { status, credits: 1, body: { code: 'internal_error', message: "We're sorry, but something went wrong." } });
      return;
    }
    if (roll < serverErrorRate + timeoutRate) {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    const malformed = roll < serverErrorRate + timeoutRate + malformedRate;
    const reply = route(method, url.pathname.slice(API_PREFIX.length), url.searchParams, url);
    await send(res, record, reply, malformed && reply.status === 200);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ code: 'internal_error', message: error instanceof Error ? error.message : 'sandbox failure' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}${API_PREFIX}`;

  return {
    baseUrl,
    apiKey,
    controls,
    requests,
    world,
    creditsUsed: () => requests.reduce((sum, r) => sum + r.credits, 0),
    resetRequests: () => {
      requests.length = 0;
    },
    touchTicket: (id, changes) => {
      const ticket = world.tickets.find((t) => t.id === id);
      if (!ticket) throw new Error(`No ticket ${id} in the sandbox world`);
      const now = clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
      Object.assign(ticket, changes, { updated_at: now });
      if (ticket.stats) ticket.stats.updated_at = now;
    },
    close: async () => {
      for (const res of held) res.destroy();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What the request will cost if served, for the rate-limit check before serving. */
function expectedCredits(method: string, url: URL): number {
  if (method !== 'GET') return 1;
  const includes = includesOf(url.searchParams).length;
  const path = url.pathname.slice(API_PREFIX.length);
  if (path === '/tickets') return 1 + 2 * includes;
  if (/^\/tickets\/\d+$/.test(path)) return 1 + includes;
  return 1;
}

function sortByFirstName(people: FreshserviceRequester[]): FreshserviceRequester[] {
  return [...people].sort((a, b) => a.first_name.localeCompare(b.first_name) || a.id - b.id);
}
