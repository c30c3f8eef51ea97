import express, { type Express } from 'express';
import helmet from 'helmet';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { webReportScriptHashes } from '../report/render.js';
import { silentLogger, type Logger } from '../logger.js';

export interface HttpServer {
  routes: Express;
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

/**
 * Security headers on every response (helmet): scripts only from our own origin or, for the web
 * report's sorting script, by hash; no framing; no MIME sniffing; no referrer (report links carry
 * their signature in the query). Styles may be inline: the report and the Adaptive Cards renderer use them.
 */
function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'", ...webReportScriptHashes()],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** A part of the process that cannot work: the store's file and what is wrong with it. */
export interface HealthProblem {
  store: string;
  problem: string;
}

export interface RouteOptions {
  /** What is broken right now (checked at each `/healthz`); nothing when all is well. */
  health?: () => Promise<HealthProblem[]>;
}

/**
 * The routes of the bot process's one HTTP server. Surfaces mount theirs on them before `listen`:
 * `/slack/events` (Slack), `/api/messages` (Teams), `/reports/:id` (signed links), `/` (playground),
 * `/healthz` (200 `{ok:true}`, or 503 naming each broken store).
 * No global body parser: Slack signature checks need the raw body.
 */
export function createRoutes(options: RouteOptions = {}): Express {
  const routes = express();
  routes.disable('x-powered-by');
  routes.use(securityHeaders());
  routes.get('/healthz', async (_request, response) => {
    const problems = (await options.health?.()) ?? [];
    if (problems.length === 0) response.json({ ok: true });
    else response.status(503).json({ ok: false, problems });
  });
  return routes;
}

const STATUS_TEXT: Record<number, string> = { 400: 'bad request', 404: 'not found', 413: 'too large', 415: 'unsupported media type' };

/**
 * What Express would otherwise answer itself: an unknown path, a body that cannot be read, or an error
 * nothing handled. A short plain answer (never a stack), and one log line.
 */
function finish(logger: Logger, error: unknown, request: http.IncomingMessage, response: http.ServerResponse): void {
  const status = (error as { status?: number } | undefined)?.status ?? (error ? 500 : 404);
  const code = status >= 400 && status < 600 ? status : 500;
  if (code >= 500) logger.error({ err: error, method: request.method, path: request.url?.split('?')[0] }, 'HTTP request failed');
  else if (error) logger.warn({ status: code, method: request.method, path: request.url?.split('?')[0], reason: (error as Error).message }, 'HTTP request refused');
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' }).end(STATUS_TEXT[code] ?? 'internal error');
}

export async function listen(routes: Express, port: number, host = '0.0.0.0', logger: Logger = silentLogger): Promise<HttpServer> {
  // An Express app called with a third argument calls it instead of its own final handler (which would show stacks).
  const handle = routes as unknown as (request: http.IncomingMessage, response: http.ServerResponse, done: (error?: unknown) => void) => void;
  const server = http.createServer((request, response) => {
    handle(request, response, (error) => finish(logger, error, request, response));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return {
    routes,
    server,
    url: `http://${reachable}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
