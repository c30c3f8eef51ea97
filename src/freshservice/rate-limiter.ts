import { withoutUndefined } from '../collections.js';
import { HIGHEST_PER_MINUTE_LIMIT, PLAN_LIMITS, subLimitsFor, type EndpointClass } from './rate-plans.js';

/** Freshservice counts per minute on accounts created since September 2020, per hour before. */
export type RateWindow = 'minute' | 'hour';

export interface RateLimitOptions {
  /** Credits allowed per window until X-Ratelimit-Total says otherwise. */
  creditsPerWindow?: number;
  /** The account's window when it is known (FRESHSERVICE_RATE_WINDOW); left out, it is detected. */
  window?: RateWindow;
  /** One Freshservice minute in real milliseconds; a time-scaled sandbox shortens it. An hour is 60 of them. */
  minuteMs?: number;
  /** Share of each limit we allow ourselves, leaving room for other API users of the account. */
  targetShare?: number;
  /** Requests in flight at once. */
  maxConcurrent?: number;
  /** Multiplies Retry-After seconds into milliseconds of waiting (1 = real seconds). */
  retryAfterScale?: number;
}

interface Waiter {
  cost: number;
  priority: number;
  order: number;
  endpoint: EndpointClass | undefined;
  start: () => void;
}

interface Spend {
  at: number;
  cost: number;
  endpoint: EndpointClass | undefined;
}

export const DEFAULT_RATE_LIMIT: Required<Omit<RateLimitOptions, 'window'>> = {
  creditsPerWindow: 200,
  minuteMs: 60_000,
  targetShare: 0.95,
  maxConcurrent: 4,
  retryAfterScale: 1,
};

/** The highest sub-limit any plan has: an X-Ratelimit-Total above it on a sub-limited endpoint is the account's. */
const HIGHEST_SUB_LIMIT = Math.max(...Object.values(PLAN_LIMITS).flatMap((plan) => Object.values(subLimitsFor(plan.overall))));

/** A started request's slot: settle it with the credits the request really used. */
export interface RateLimitTicket {
  release(actualCost?: number): void;
}

/**
 * Paces requests by credits over sliding windows, so no window of the server's (fixed or sliding) sees
 * more than our share: the account's limit per minute (or per hour on older accounts) and, for the
 * operations that have one, the plan's per-minute sub-limit. It bounds concurrency and pauses everything
 * after a 429. Higher `priority` goes first: the ticket-list pages, which are sequential, are never
 * starved by enrichment; a request held back only by its own sub-limit lets others past.
 */
export class RateLimiter {
  private options: Required<Omit<RateLimitOptions, 'window'>> & Pick<RateLimitOptions, 'window'>;
  private learnedLimit: number | undefined;
  private detectedWindow: RateWindow = 'minute';
  /** X-Ratelimit-Total as reported by sub-limited endpoints (tenants see their sub-limit there). */
  private readonly reportedSubLimits = new Map<EndpointClass, number>();
  private readonly spends: Spend[] = [];
  private readonly waiters: Waiter[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private probing = false;
  private timer: NodeJS.Timeout | undefined;
  private order = 0;

  constructor(options: RateLimitOptions = {}) {
    this.options = { ...DEFAULT_RATE_LIMIT, ...withoutUndefined(options) };
  }

  configure(options: RateLimitOptions): void {
    this.options = { ...this.options, ...withoutUndefined(options) };
    if (options.creditsPerWindow !== undefined) this.learnedLimit = undefined;
    this.pump();
  }

  get retryAfterScale(): number {
    return this.options.retryAfterScale;
  }

  /** The account's window: as configured, else as detected (per minute until the headers say otherwise). */
  get window(): RateWindow {
    return this.options.window ?? this.detectedWindow;
  }

  private get windowMs(): number {
    return this.options.minuteMs * (this.window === 'hour' ? 60 : 1);
  }

  /** The account's limit per window. */
  get limit(): number {
    return this.learnedLimit ?? this.options.creditsPerWindow;
  }

  /** Credits we allow ourselves per window right now, account-wide. */
  get budget(): number {
    return Math.max(1, Math.floor(this.limit * this.options.targetShare));
  }

  /**
   * Credits per minute we allow ourselves on a sub-limited operation: its plan's sub-limit (taken from
   * the account's limit; an account counting per hour gets the smallest plan's, the safe side), or what
   * the endpoint reported if that is lower.
   */
  budgetFor(endpoint: EndpointClass): number {
    const byPlan = this.window === 'hour' ? PLAN_LIMITS.starter[endpoint] : subLimitsFor(this.limit)[endpoint];
    const limit = Math.min(byPlan, this.reportedSubLimits.get(endpoint) ?? Infinity);
    return Math.max(1, Math.floor(limit * this.options.targetShare));
  }

  /**
   * Learns from X-Ratelimit-Total. From a sub-limited endpoint it may be that endpoint's sub-limit, so it
   * only counts as the account's limit when no sub-limit is that high. A limit above every plan's limit
   * per minute means the account counts per hour (unverified heuristic; FRESHSERVICE_RATE_WINDOW overrides).
   */
  observe(total: number, endpoint?: EndpointClass): void {
    if (!Number.isFinite(total) || total <= 0) return;
    if (endpoint && total <= HIGHEST_SUB_LIMIT) {
      this.reportedSubLimits.set(endpoint, total);
    } else {
      this.learnedLimit = total;
      if (total > HIGHEST_PER_MINUTE_LIMIT) this.detectedWindow = 'hour';
    }
    this.pump();
  }

  /**
   * After a 429: stops every request from starting for `ms`. A wait longer than a minute means the
   * account counts per hour. Afterwards one request goes alone, and the rest follow only once it was
   * answered without a 429, so a pause never ends in a stampede.
   */
  rateLimited(ms: number): void {
    if (ms > this.options.minuteMs) this.detectedWindow = 'hour';
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    this.probing = true;
    this.pump();
  }

  /** A request was answered without a 429: full concurrency again. */
  answered(): void {
    if (!this.probing) return;
    this.probing = false;
    this.pump();
  }

  /** Waits for a slot that fits `cost` credits; the caller must `release` it when the request ends. */
  acquire(cost: number, priority = 0, endpoint?: EndpointClass): Promise<RateLimitTicket> {
    return new Promise((resolve) => {
      this.waiters.push({
        cost,
        priority,
        order: this.order++,
        endpoint,
        start: () => {
          const spend: Spend = { at: Date.now(), cost, endpoint };
          this.spends.push(spend);
          this.inFlight += 1;
          let released = false;
          resolve({
            release: (actualCost?: number) => {
              if (released) return;
              released = true;
              if (actualCost !== undefined && actualCost >= 0) spend.cost = actualCost;
              this.inFlight -= 1;
              this.pump();
            },
          });
        },
      });
      this.waiters.sort((a, b) => b.priority - a.priority || a.order - b.order);
      this.pump();
    });
  }

  /** Spends inside the window ending now, of one sub-limited operation or (without `endpoint`) of all. */
  private inWindow(now: number, windowMs: number, endpoint?: EndpointClass): Spend[] {
    const oldest = now - Math.max(this.windowMs, this.options.minuteMs);
    while (this.spends.length > 0 && this.spends[0]!.at <= oldest) this.spends.shift();
    return this.spends.filter((spend) => spend.at > now - windowMs && (endpoint === undefined || spend.endpoint === endpoint));
  }

  /** When `cost` more credits fit in `budget` over `windowMs`, or undefined when they fit now. */
  private whenRoom(now: number, cost: number, budget: number, windowMs: number, endpoint?: EndpointClass): number | undefined {
    const spends = this.inWindow(now, windowMs, endpoint);
    const fitting = Math.min(cost, budget);
    let spent = spends.reduce((sum, spend) => sum + spend.cost, 0);
    if (spent + fitting <= budget) return undefined;
    for (const spend of spends) {
      spent -= spend.cost;
      if (spent + fitting <= budget) return spend.at + windowMs + 1;
    }
    return now + 1;
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (;;) {
      if (this.waiters.length === 0 || this.inFlight >= (this.probing ? 1 : this.options.maxConcurrent)) return;
      const now = Date.now();
      if (now < this.pausedUntil) {
        this.wakeAt(this.pausedUntil);
        return;
      }
      let wake = Infinity;
      let chosen = -1;
      for (let index = 0; index < this.waiters.length; index += 1) {
        const waiter = this.waiters[index]!;
        // The account's budget is shared: the first waiter it does not fit holds back everyone behind it.
        const accountRoom = this.whenRoom(now, waiter.cost, this.budget, this.windowMs);
        if (accountRoom !== undefined) {
          wake = Math.min(wake, accountRoom);
          break;
        }
        const ownRoom = waiter.endpoint ? this.whenRoom(now, waiter.cost, this.budgetFor(waiter.endpoint), this.options.minuteMs, waiter.endpoint) : undefined;
        if (ownRoom === undefined) {
          chosen = index;
          break;
        }
        wake = Math.min(wake, ownRoom);
      }
      if (chosen < 0) {
        if (wake < Infinity) this.wakeAt(wake);
        return;
      }
      this.waiters.splice(chosen, 1)[0]!.start();
    }
  }

  private wakeAt(at: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(1, at - Date.now()));
  }
}

const limiters = new Map<string, RateLimiter>();

/** The one limiter for an account (base URL) in this process, shared by every client pointing at it. */
export function rateLimiterFor(baseUrl: string, options?: RateLimitOptions): RateLimiter {
  const key = baseUrl.replace(/\/+$/, '').toLowerCase();
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = new RateLimiter(options);
    limiters.set(key, limiter);
  } else if (options) {
    limiter.configure(options);
  }
  return limiter;
}
