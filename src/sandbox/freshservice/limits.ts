/**
 * What can stop a request before it is served: the account's credit window (429) and the faults a
 * test injects. Both read `controls` live, so tests can change them between requests.
 */
import { createRng, type Rng } from '../rng.js';
import type { SandboxControls } from '../types.js';
import { API_PREFIX, includesOf, type Reply } from './replies.js';

export interface CreditWindow {
  /** The 429 to answer instead of serving: a requested burst first, then a window the request would overrun. */
  refusal(method: string, url: URL): Reply | undefined;
  /**
   * Counts what a reply cost. "Even invalid requests will count towards the rate limit", a wrong API key
   * included; a 429 itself is not charged (undocumented: Retry-After governs).
   */
  charge(reply: Reply): void;
  remaining(): number;
}

/** `controls.rateLimitPerWindow` credits per fixed window of `windowMs / timeScale` real ms. */
export function createCreditWindow(controls: SandboxControls): CreditWindow {
  const window = { startedAt: 0, used: 0 };
  const lengthMs = (): number => controls.windowMs / Math.max(controls.timeScale, 1e-9);
  return {
    refusal(method, url) {
      const now = Date.now();
      if (now - window.startedAt >= lengthMs()) {
        window.startedAt = now;
        window.used = 0;
      }
      const remainingWindowMs = window.startedAt + lengthMs() - Date.now();
      if (controls.faults.rateLimitBurst > 0) {
        controls.faults.rateLimitBurst -= 1;
        return tooMany(Math.min(remainingWindowMs, 1000));
      }
      if (window.used + expectedCredits(method, url) > controls.rateLimitPerWindow) return tooMany(remainingWindowMs);
      return undefined;
    },
    charge(reply) {
      if (reply.status !== 429) window.used += reply.credits;
    },
    remaining: () => Math.max(0, controls.rateLimitPerWindow - window.used),
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
