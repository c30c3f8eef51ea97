import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../clock.js';
import { readJsonFile, writeJsonAtomic } from '../../store/files.js';
import { resolveSandboxControls } from '../controls.js';
import { createRng } from '../rng.js';
import type { RecordedRequest, SandboxAudienceMember, SandboxControls } from '../types.js';
import { notFound, problem, type ApiResult, type HandlerContext, type SiteInfo } from './api.js';
import { MARKETING_KEY, TRANSACTIONAL_KEY, marketingAuthFailure, transactionalAuthFailure } from './auth.js';
import { deliverDueCampaigns } from './marketing/campaign-sends.js';
import { contractFor, contractRefusal } from './marketing/contract.js';
import { trimFields } from './marketing/fields.js';
import { servePublicPage } from './pages.js';
import { isUnder, parseBody, redactKey, send, serverFailure, sleep, type Service } from './responses.js';
import { marketingRoutes, matchRoute, transactionalRoutes, type FailableOperation, type Route } from './routes.js';
import { initialState, type MailchimpState, type OutboxEmail, type SandboxCampaign } from './state.js';
import { transactionalError } from './transactional/errors.js';

export type { OutboxEmail, SandboxCampaign } from './state.js';
export type { FailableOperation } from './routes.js';

export type FailureMode = 'timeout' | 'error-after-effect' | 'error-before-effect';

export interface MailchimpSandboxOptions {
  members: SandboxAudienceMember[];
  listId: string;
  /** When given: state is loaded from it if it exists (else seeded from `members`) and saved atomically after every change. */
  stateFile?: string;
  clock?: Clock;
  controls?: Partial<SandboxControls>;
  /** Audience name shown in checklist texts and the footer. */
  listName?: string;
  /** Sending domains treated as not verified (all are verified by default). */
  unverifiedDomains?: string[];
  /** How long a Transactional metadata field added with `/metadata/add` is still being indexed (default 0: at once). */
  metadataIndexMs?: number;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface MailchimpSandbox {
  /** `http://127.0.0.1:PORT/3.0` */
  baseUrl: string;
  /** Marketing API key with a data-centre suffix (`…-us1`). */
  apiKey: string;
  audienceId: string;
  transactional: { baseUrl: string; apiKey: string };
  /** Live knobs: change them between requests. The rate-limit window fields are Freshservice-only. */
  controls: SandboxControls;
  requests: RecordedRequest[];
  resetRequests(): void;
  members(): SandboxAudienceMember[];
  campaigns(): SandboxCampaign[];
  /** Every email the sandbox "delivered", in order. */
  outbox(): OutboxEmail[];
  /** Make the next call of an operation fail; `timeout` and `error-after-effect` still perform its effect. */
  failNext(operation: FailableOperation, mode: FailureMode): void;
  /** The seeded audience again, and no campaigns, outbox, files or messages (also `POST /sandbox/reset` with the Marketing key). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The sandbox-only control route another process uses to reset a running sandbox. */
export const SANDBOX_RESET_PATH = '/sandbox/reset';

const MARKETING_PREFIX = '/3.0';
const TRANSACTIONAL_PREFIX = '/transactional/api/1.0';
const BODY_LIMIT_BYTES = 20 * 1024 * 1024;
/** Oldest recorded requests are dropped beyond this, so a long-running `npm start` does not grow without bound. */
const REQUEST_LOG_LIMIT = 10_000;

/** Reads the outbox a sandbox persisted, without starting it (for `integoreport sandbox outbox`). */
export async function readSandboxOutbox(stateFile: string): Promise<OutboxEmail[]> {
  const state = await readJsonFile<MailchimpState>(stateFile);
  return state?.outbox ?? [];
}

export async function startMailchimpSandbox(options: MailchimpSandboxOptions): Promise<MailchimpSandbox> {
  const clock = options.clock ?? systemClock;
  const controls = resolveSandboxControls(options.controls);
  const stored = options.stateFile ? await readJsonFile<MailchimpState>(options.stateFile) : undefined;
  // A state file for another audience (the world was re-seeded) is stale: start again from `members`.
  const resumable = stored?.version === 1 && stored.listId === options.listId;
  const state: MailchimpState = resumable ? stored : initialState(options.listId, options.members);
  // State files written before static segments, files or metadata indexing existed have none.
  state.segments ??= [];
  state.files ??= [];
  state.metadataFields ??= [];
  state.recentSearches ??= [];
  const requests: RecordedRequest[] = [];
  const pendingFailures = new Map<FailableOperation, FailureMode[]>();
  const dice = createRng(controls.faultSeed);
  let saving: Promise<void> = Promise.resolve();
  let site: SiteInfo = {
    listName: options.listName ?? 'IntegoReport Clients',
    origin: '',
    apiRoot: '',
    unverifiedDomains: (options.unverifiedDomains ?? []).map((domain) => domain.toLowerCase()),
    metadataIndexMs: options.metadataIndexMs ?? 0,
  };

  const save = (): Promise<void> => {
    const file = options.stateFile;
    if (!file) return Promise.resolve();
    saving = saving.catch(() => undefined).then(() => writeJsonAtomic(file, state));
    return saving;
  };

  const record = (service: Service, request: http.IncomingMessage, url: URL, body: unknown, status: number): void => {
    if (requests.length >= REQUEST_LOG_LIMIT) requests.splice(0, requests.length - REQUEST_LOG_LIMIT + 1);
    requests.push({
      service,
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(body === undefined ? {} : { body: redactKey(body) }),
      status,
      credits: 1,
      at: clock.now().toISOString(),
    });
  };

  const reset = async (): Promise<void> => {
    for (const key of Object.keys(state)) delete (state as unknown as Record<string, unknown>)[key];
    Object.assign(state, initialState(options.listId, options.members));
    await save();
  };

  /** Scheduled campaigns go out when the (possibly fixed) clock has passed their time and someone looks. */
  const catchUpSchedule = (): void => {
    if (deliverDueCampaigns({ state, site, clock })) void save().catch(() => undefined);
  };

  const takeFailure = (operation: FailableOperation | undefined): FailureMode | undefined => {
    if (!operation) return undefined;
    return pendingFailures.get(operation)?.shift();
  };

  async function handleApi(service: Service, request: http.IncomingMessage, response: http.ServerResponse, url: URL, rawBody: string): Promise<void> {
    const prefix = service === 'mailchimp' ? MARKETING_PREFIX : TRANSACTIONAL_PREFIX;
    const path = url.pathname.slice(prefix.length).replace(/\.json$/, '') || '/';
    const method = request.method ?? 'GET';
    const parsed = parseBody(rawBody);
    const body = parsed.ok ? parsed.value : undefined;
    const finish = (result: ApiResult, malformed = false): void => {
      record(service, request, url, body, result.status);
      send(response, result, malformed);
    };
    const hold = (): void => record(service, request, url, body, 0);

    if (controls.latencyMs > 0) await sleep(controls.latencyMs);
    // Same order of checks as the Freshservice simulator: auth → 429 burst → fault dice → route, then the spec's contract.
    const authFailure = service === 'mailchimp'
      ? marketingAuthFailure(request.headers.authorization)
      : parsed.ok
        ? transactionalAuthFailure(body, request.headers['x-mc-apikey'])
        : transactionalError(-2, 'ValidationError', 'You must specify a key value');
    if (authFailure) return finish(authFailure);
    if (controls.faults.rateLimitBurst > 0) {
      controls.faults.rateLimitBurst -= 1;
      return finish(service === 'mailchimp'
        ? problem(429, 'Too Many Requests', 'You have exceeded the limit of 10 simultaneous connections.')
        : transactionalError(-1, 'Too_Many_Requests', 'Too many requests; slow down and retry later.', 429));
    }
    const serverError = dice.next() < controls.faults.serverErrorRate;
    const timeout = dice.next() < controls.faults.timeoutRate;
    const malformed = dice.next() < controls.faults.malformedRate;
    if (serverError) return finish(serverFailure(service, dice.pick([500, 502, 503])));
    if (timeout) return hold();
    if (!parsed.ok) return finish(problem(400, 'JSON Parse Error', 'We encountered an unspecified JSON parsing error.'));

    const match = matchRoute(service === 'mailchimp' ? marketingRoutes : transactionalRoutes, method, path);
    if (!match) return finish(service === 'mailchimp' ? notFound() : transactionalError(-1, 'Invalid_Method', `Unknown method "${path}"`));
    if ('allowed' in match) {
      response.setHeader('Allow', match.allowed.join(', '));
      return finish(problem(405, 'Method Not Allowed', "The requested method and resource are not compatible. See the Allow header for this resource's available methods."));
    }
    const contract = service === 'mailchimp' ? contractFor(method, match.route.pattern) : undefined;
    const refusal = contract && contractRefusal(contract, Object.fromEntries(url.searchParams), body);
    if (refusal) return finish(refusal);
    const failure = takeFailure(match.route.operation);
    if (failure === 'error-before-effect') return finish(serverFailure(service, 500));

    let result: ApiResult;
    try {
      result = await runHandler(match.route, match.params, url, body);
    } catch (error) {
      result = serverFailure(service, 500);
      process.stderr.write(`mailchimp sandbox: ${(error as Error).message}\n`);
    }
    if (failure === 'error-after-effect') return finish(serverFailure(service, 500));
    if (failure === 'timeout') return hold();
    if (service === 'mailchimp' && method === 'GET' && result.status === 200) {
      result = { ...result, body: trimFields(result.body, url.searchParams.get('fields') ?? undefined, url.searchParams.get('exclude_fields') ?? undefined) };
    }
    finish(result, malformed);
  }

  async function handleReset(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const authFailure = marketingAuthFailure(request.headers.authorization);
    if (authFailure) return send(response, authFailure);
    await reset();
    send(response, { status: 200, body: { reset: true } });
  }

  async function runHandler(route: Route, params: Record<string, string>, url: URL, body: unknown): Promise<ApiResult> {
    let changed = deliverDueCampaigns({ state, site, clock });
    const context: HandlerContext = {
      state,
      clock,
      params,
      query: Object.fromEntries(url.searchParams),
      body: body ?? {},
      site,
      changed: () => {
        changed = true;
      },
    };
    const result = route.handler(context);
    if (!changed) return result;
    // Views share objects with the state; freeze this answer before other requests run during the save.
    const answer = { ...result, body: structuredClone(result.body) };
    await save();
    return answer;
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT_BYTES) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      const url = new URL(request.url ?? '/', site.origin || 'http://127.0.0.1');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const service: Service | undefined = isUnder(url.pathname, MARKETING_PREFIX) ? 'mailchimp' : isUnder(url.pathname, TRANSACTIONAL_PREFIX) ? 'transactional' : undefined;
      const work = service
        ? handleApi(service, request, response, url, rawBody)
        : url.pathname === SANDBOX_RESET_PATH && request.method === 'POST'
          ? handleReset(request, response)
          : servePublicPage({ state, site, clock, save }, request, response, url).then((handled) => {
            if (!handled) send(response, notFound());
          });
      work.catch((error: Error) => {
        process.stderr.write(`mailchimp sandbox: ${error.message}\n`);
        if (!response.headersSent) send(response, problem(500, 'Internal Server Error', 'An unexpected internal error has occurred.'));
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site = { ...site, origin, apiRoot: `${origin}${MARKETING_PREFIX}` };
  if (options.stateFile && !resumable) await save();

  return {
    baseUrl: `${origin}${MARKETING_PREFIX}`,
    apiKey: MARKETING_KEY,
    audienceId: state.listId,
    transactional: { baseUrl: `${origin}${TRANSACTIONAL_PREFIX}`, apiKey: TRANSACTIONAL_KEY },
    controls,
    requests,
    resetRequests: () => {
      requests.length = 0;
    },
    members: () => structuredClone(state.members),
    campaigns: () => {
      catchUpSchedule();
      return structuredClone(state.campaigns);
    },
    outbox: () => {
      catchUpSchedule();
      return structuredClone(state.outbox);
    },
    failNext: (operation, mode) => {
      pendingFailures.set(operation, [...(pendingFailures.get(operation) ?? []), mode]);
    },
    reset,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await saving.catch(() => undefined);
    },
  };
}

