import pLimit from 'p-limit';

/** How fast a client may call a service: request starts per second and requests in flight. */
export interface PaceOptions {
  perSecond: number;
  concurrent: number;
}

/**
 * Runs tasks no faster than `perSecond` starts a second and at most `concurrent` at a time; `pause`
 * holds every later start (a 429's Retry-After applies to the whole account, not one request).
 */
export interface Pacer {
  run<T>(task: () => Promise<T>): Promise<T>;
  pause(ms: number): void;
}

export function createPacer(options: PaceOptions): Pacer {
  const limit = pLimit(Math.max(1, options.concurrent));
  const spacingMs = 1000 / Math.max(0.001, options.perSecond);
  let nextStart = 0;
  return {
    run<T>(task: () => Promise<T>) {
      return limit(async () => {
        const now = Date.now();
        const at = Math.max(now, nextStart);
        nextStart = at + spacingMs;
        if (at > now) await sleep(at - now);
        return task();
      });
    },
    pause(ms: number) {
      nextStart = Math.max(nextStart, Date.now() + ms);
    },
  };
}

/** Seconds of a Retry-After header (a number or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(header: unknown, now = Date.now()): number | undefined {
  if (header === undefined || header === null || header === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = typeof header === 'string' ? Date.parse(header) : NaN;
  return Number.isFinite(at) ? Math.max(0, (at - now) / 1000) : undefined;
}

/** Exponential backoff with jitter: about base, 2×base, 4×base… capped at `maxMs`. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
