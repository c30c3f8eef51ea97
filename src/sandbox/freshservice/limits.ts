/**
 * What can stop a request before it is served: the account's credit window (429) and the faults a
 * test injects. Both read `controls` live, so tests can change them between requests.
 */
import { endpointClass, type EndpointClass } from '../../freshservice/rate-plans.js';
import { createRng, type Rng } from '../rng.js';
import type { SandboxControls } from '../types.js';
import { API_PREFIX, includesOf, type Reply } from './replies.js';

export interface CreditWindow {
  /** The 429 to answer instead of serving: a requested burst first, then a window the request would overrun. */
  refusal(method: string, url: URL): Reply | undefined;
  /**
   * Counts what a reply cost, against the account and the endpoint's sub-limit. "Even invalid requests will
   * count towards the rate limit", a wrong API key included; a 429 itself is not charged (undocumented:
   * Retry-After governs).
   */
  charge(reply: Reply, method: string, url: URL): void;
  /**
   * X-Ratelimit-Total is the account's limit ("total number of API calls allowed"); X-Ratelimit-Remaining
   * is what is left of the endpoint's sub-limit where it has one (tenants report it per endpoint), else of
   * the account's. A client cannot learn a sub-limit from these headers: it has to know its plan's.
   */
  headers(method: string, url: URL): { total: number; remaining: number };
}

interface FixedWindow {
  startedAt: number;
  used: number;
}

/**
 * `controls.rateLimitPerWindow` credits per fixed window of `windowMs / timeScale` real ms, and each
 * sub-limit of `controls.subLimitsPerMinute` per fixed one-minute window (time-scaled) of its own.
 */
export function createCreditWindow(controls: SandboxControls): CreditWindow {
  const scale = (): number => Math.max(controls.timeScale, 1e-9);
  const overall: FixedWindow = { startedAt: 0, used: 0 };
  const classes = new Map<EndpointClass, FixedWindow>();
  const classOf = (method: string, url: URL) => endpointClass(method, url.pathname);
  /** The windows a request counts against, each with its limit and length, rolled over when due. */
  const windowsFor = (method: string, url: URL) => {
    const now = Date.now();
    const windows: Array<{ window: FixedWindow; limit: number; lengthMs: number }> = [{ window: overall, limit: controls.rateLimitPerWindow, lengthMs: controls.windowMs / scale() }];
    const name = classOf(method, url);
    if (name) {
      if (!classes.has(name)) classes.set(name, { startedAt: 0, used: 0 });
      windows.push({ window: classes.get(name)!, limit: controls.subLimitsPerMinute[name], lengthMs: 60_000 / scale() });
    }
    for (const { window, lengthMs } of windows) {
      if (now - window.startedAt >= lengthMs) Object.assign(window, { startedAt: now, used: 0 });
    }
    return windows;
  };
  return {
    refusal(method, url) {
      const windows = windowsFor(method, url);
      const leftOf = ({ window, lengthMs }: (typeof windows)[number]) => window.startedAt + lengthMs - Date.now();
      if (controls.faults.rateLimitBurst > 0) {
        controls.faults.rateLimitBurst -= 1;
        return tooMany(Math.min(leftOf(windows[0]!), 1000));
      }
      const cost = expectedCredits(method, url);
      const overrun = windows.filter(({ window, limit }) => window.used + cost > limit);
      return overrun.length > 0 ? tooMany(Math.max(...overrun.map(leftOf))) : undefined;
    },
    charge(reply, method, url) {
      if (reply.status === 429) return;
      for (const { window } of windowsFor(method, url)) window.used += reply.credits;
    },
    headers(method, url) {
      const { window, limit } = windowsFor(method, url).at(-1)!;
      return { total: controls.rateLimitPerWindow, remaining: Math.max(0, limit - window.used) };
    },
  };
}

export type Fault = { kind: 'server-error'; reply: Reply } | { kind: 'hold' } | { kind: 'none'; malformed: boolean };

/** Rolls the seeded fault dice once per request; a new `controls.faultSeed` restarts them. */
export function createFaultDice(controls: SandboxControls): () => Fault {
  let faultSeed = controls.faultSeed;
  let dice: Rng = createRng(faultSeed);
  return () => {
    if (controls.faultSeed !== faultSeed) {
      faultSeed = controls.faultSeed;
      dice = createRng(faultSeed);
    }
    const [roll, pick] = [dice.next(), dice.next()];
    const { serverErrorRate, timeoutRate, malformedRate } = controls.faults;
    if (roll < serverErrorRate) {
      const status = pick < 0.5 ? 500 : pick < 0.8 ? 502 : 503;
      return { kind: 'server-error', reply: { status, credits: 1, body: { code: 'internal_error', message: "We're sorry, but something went wrong." } } };
    }
    if (roll < serverErrorRate + timeoutRate) return { kind: 'hold' };
    return { kind: 'none', malformed: roll < serverErrorRate + timeoutRate + malformedRate };
  };
}

/** A 429 whose `Retry-After` is in real seconds (ceil, at least 1), with the exact milliseconds beside it. */
function tooMany(retryAfterMs: number): Reply {
  return {
    status: 429,
    credits: 0,
    body: { code: 'rate_limit_exceeded', message: 'You have exceeded the limit of requests per minute' },
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))), 'X-Sandbox-Retry-After-Ms': String(Math.max(1, Math.ceil(retryAfterMs))) },
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
