import { withoutUndefined } from '../collections.js';

export interface RateLimitOptions {
  /** Credits allowed per window. Learned from X-Ratelimit-Total when Freshservice sends it. */
  creditsPerWindow?: number;
  /** Window length in real milliseconds (Freshservice: one minute). A time-scaled sandbox shortens it. */
  windowMs?: number;
  /** Share of the limit we allow ourselves, leaving room for other API users of the account. */
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
  start: () => void;
}

interface Spend {
  at: number;
  cost: number;
}

export const DEFAULT_RATE_LIMIT: Required<RateLimitOptions> = {
  creditsPerWindow: 200,
  windowMs: 60_000,
  targetShare: 0.95,
  maxConcurrent: 4,
  retryAfterScale: 1,
};

/** A started request's slot: settle it with the credits the request really used. */
export interface RateLimitTicket {
  release(actualCost?: number): void;
}

/**
 * Paces requests by credits over a sliding window (so no window of the server's, fixed or sliding,
 * sees more than our share), bounds concurrency, and pauses everything after a 429.
 * Higher `priority` goes first: the ticket-list pages, which are sequential, are never starved by enrichment.
 */
export class RateLimiter {
  private options: Required<RateLimitOptions>;
  private learnedLimit: number | undefined;
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

  /** Credits we allow ourselves per window right now. */
  get budget(): number {
    const limit = this.learnedLimit ?? this.options.creditsPerWindow;
    return Math.max(1, Math.floor(limit * this.options.targetShare));
  }

  /** Adopts the account's limit from X-Ratelimit-Total. */
  learnLimit(total: number): void {
    if (!Number.isFinite(total) || total <= 0 || total === this.learnedLimit) return;
    this.learnedLimit = total;
    this.pump();
  }

  /**
   * Stops every request from starting for `ms` (after a 429). Afterwards one request goes alone, and
   * the rest follow only once it was answered without a 429, so a pause never ends in a stampede.
   */
  pause(ms: number): void {
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
  acquire(cost: number, priority = 0): Promise<RateLimitTicket> {
    return new Promise((resolve) => {
      this.waiters.push({
        cost,
        priority,
        order: this.order++,
        start: () => {
          const spend: Spend = { at: Date.now(), cost };
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

  private spentInWindow(now: number): number {
    const windowStart = now - this.options.windowMs;
    while (this.spends.length > 0 && this.spends[0]!.at <= windowStart) this.spends.shift();
    return this.spends.reduce((sum, spend) => sum + spend.cost, 0);
  }

  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    for (;;) {
      const next = this.waiters[0];
      if (!next || this.inFlight >= (this.probing ? 1 : this.options.maxConcurrent)) return;
      const now = Date.now();
      if (now < this.pausedUntil) {
        this.wakeAt(this.pausedUntil);
        return;
      }
      const cost = Math.min(next.cost, this.budget);
      if (this.spentInWindow(now) + cost > this.budget) {
        this.wakeAt(this.whenRoomFor(cost, now));
        return;
      }
      this.waiters.shift();
      next.start();
    }
  }

  /** The moment enough earlier spends leave the window for `cost` more credits to fit. */
  private whenRoomFor(cost: number, now: number): number {
    let spent = this.spentInWindow(now);
    for (const spend of this.spends) {
      spent -= spend.cost;
      if (spent + cost <= this.budget) return spend.at + this.options.windowMs + 1;
    }
    return now + 1;
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
