/**
 * What each Slack `response_url` may still take. Slack: "These responses can be sent up to 5 times within
 * 30 minutes of receiving the payload" (see README.md). The budget is kept per URL for the whole process, so
 * every surface answering the same command or click draws on the same five uses.
 */
import type { Clock } from '../../clock.js';

export const RESPONSE_URL_USES = 5;
export const RESPONSE_URL_LIFETIME_MS = 30 * 60_000;
/** Where the bot cannot chat.update, a long piece of work shows at most this many progress steps on the response_url. */
export const PROGRESS_STEPS = 2;

interface Entry {
  firstSeenAt: number;
  used: number;
  progressSteps: number;
}

export interface ResponseUrlBudget {
  /** Uses left (0 once Slack refused it or it is older than 30 minutes). */
  remaining(url: string): number;
  /** Takes one use; false when none is left. */
  take(url: string): boolean;
  /** Takes one use for a progress step, only while one more stays for the final answer and fewer than PROGRESS_STEPS were shown. */
  takeProgressStep(url: string): boolean;
  /** Slack refused the URL: nothing more goes through it. */
  spend(url: string): void;
}

export function createResponseUrlBudget(clock: Clock): ResponseUrlBudget {
  const entries = new Map<string, Entry>();

  function entry(url: string): Entry {
    const now = clock.now().getTime();
    // Forgotten well after they expired, so a late answer still finds its URL spent rather than fresh.
    for (const [key, value] of entries) {
      if (now - value.firstSeenAt >= 2 * RESPONSE_URL_LIFETIME_MS) entries.delete(key);
    }
    let found = entries.get(url);
    if (!found) {
      // Unknown to us means nothing was sent yet; the payload arrived just now.
      found = { firstSeenAt: now, used: 0, progressSteps: 0 };
      entries.set(url, found);
    }
    return found;
  }

  function remaining(url: string): number {
    const current = entry(url);
    if (clock.now().getTime() - current.firstSeenAt >= RESPONSE_URL_LIFETIME_MS) return 0;
    return Math.max(0, RESPONSE_URL_USES - current.used);
  }

  return {
    remaining,
    take(url) {
      if (remaining(url) === 0) return false;
      entry(url).used += 1;
      return true;
    },
    takeProgressStep(url) {
      const current = entry(url);
      if (current.progressSteps >= PROGRESS_STEPS || remaining(url) <= 1) return false;
      current.used += 1;
      current.progressSteps += 1;
      return true;
    },
    spend(url) {
      entry(url).used = RESPONSE_URL_USES;
    },
  };
}
