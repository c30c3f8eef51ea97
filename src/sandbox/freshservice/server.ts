import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../clock.js';
import type { FreshserviceCsatResponse, FreshserviceTicket } from '../../freshservice/types.js';
import { resolveSandboxControls } from '../controls.js';
import type { RecordedRequest, SandboxControls } from '../types.js';
import type { SandboxWorld } from '../world/world.js';
import { createCreditWindow, createFaultDice } from './limits.js';
import { API_PREFIX, notFound, type ApiContext, type Reply } from './replies.js';
import { route } from './routes.js';
import { applyAccountLayout, type AccountLayout, type SandboxAccountMode } from './workspaces.js';

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
  /** Live: tests may mutate tickets. Its tickets and departments carry the workspaces of `layout`. */
  world: SandboxWorld;
  /** Employee Support Mode or MSP mode, and the workspaces (clients) the account has. */
  layout: AccountLayout;
  /** Applies `changes` and sets updated_at (and stats.updated_at) to the clock's now, for incremental-sync tests. */
  touchTicket(id: number, changes: Partial<FreshserviceTicket>): void;
  /**
   * The requester answers the ticket's survey now: its CSAT response, and the feedback conversation and
   * activity that come with it, which update the ticket (updated_at) as any new conversation does.
   */
  answerSurvey(id: number, answer: FreshserviceCsatResponse): void;
  close(): Promise<void>;
}

export const DEFAULT_FRESHSERVICE_SANDBOX_KEY = 'sandbox-freshservice-key';

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
  /** `esm` (default): departments are the client companies; `msp`: every client is a workspace. */
  mode?: SandboxAccountMode;
  /** 0 (default) picks a free port. */
  port?: number;
}): Promise<FreshserviceSandbox> {
  const world = options.world;
  const clock = options.clock ?? systemClock;
  const apiKey = options.apiKey ?? DEFAULT_FRESHSERVICE_SANDBOX_KEY;
  const controls = resolveSandboxControls(options.controls);
  const requests: RecordedRequest[] = [];
  const held = new Set<http.ServerResponse>();
  const credits = createCreditWindow(controls);
  const rollFault = createFaultDice(controls);
  const layout = applyAccountLayout(world, options.mode ?? 'esm');
  const context: ApiContext = { world, layout, clock, origin: '' };
  const touchTicket = (id: number, changes: Partial<FreshserviceTicket>): void => {
    const ticket = world.tickets.find((t) => t.id === id);
    if (!ticket) throw new Error(`No ticket ${id} in the sandbox world`);
    const now = clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    Object.assign(ticket, changes, { updated_at: now });
    if (ticket.stats) ticket.stats.updated_at = now;
  };

  const send = async (res: http.ServerResponse, record: RecordedRequest, url: URL, reply: Reply, malformed = false): Promise<void> => {
    record.status = reply.status;
    record.credits = reply.credits;
    credits.charge(reply, record.method, url);
    const limit = credits.headers(record.method, url);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json; charset=utf-8',
      'X-Ratelimit-Total': String(limit.total),
      'X-Ratelimit-Remaining': String(limit.remaining),
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

  /** Checks in the real service's order: auth → Accept → rate limit → faults → route. */
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
      await send(res, record, url, { status: 401, credits: 1, body: { code: 'invalid_credentials', message: 'You have to be logged in to perform this action.' } });
      return;
    }
    const accept = req.headers.accept;
    if (accept && !/(^|,)\s*(application\/json|\*\/\*|application\/\*)\s*(;|,|$)/i.test(accept)) {
      await send(res, record, url, { status: 406, credits: 1, body: { code: 'invalid_accept_header', message: 'Only application/json and */* are supported in the Accept header.' } });
      return;
    }
    if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
      await send(res, record, url, notFound());
      return;
    }
    const refusal = credits.refusal(method, url);
    if (refusal) {
      await send(res, record, url, refusal);
      return;
    }
    const fault = rollFault();
    if (fault.kind === 'server-error') {
      await send(res, record, url, fault.reply);
      return;
    }
    if (fault.kind === 'hold') {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    const reply = route(context, method, url.pathname.slice(API_PREFIX.length), url.searchParams, url);
    await send(res, record, url, reply, fault.malformed && reply.status === 200);
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
  context.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const baseUrl = `${context.origin}${API_PREFIX}`;

  return {
    baseUrl,
    apiKey,
    controls,
    requests,
    world,
    layout,
    creditsUsed: () => requests.reduce((sum, r) => sum + r.credits, 0),
    resetRequests: () => {
      requests.length = 0;
    },
    touchTicket,
    answerSurvey: (id, answer) => {
      world.csat[id] = answer;
      touchTicket(id, {});
    },
    close: async () => {
      for (const res of held) res.destroy();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
