/**
 * Where the work after an ack waits its turn. Node serves requests and continues that work on one event
 * loop, so work started while a burst of Slack requests is still coming in delays the acks behind it
 * (Slack gives up after 3 s and shows the user an error). Here work starts only once no Slack request
 * has arrived for `quietMs`, or once it has waited `maxDeferMs`, and then one piece per turn of the loop,
 * so a request that arrives in between is acknowledged before the next piece starts.
 */
export interface AfterAckQueue {
  /** A Slack request arrived: hold queued work back a little longer. */
  arrived(): void;
  /** Resolves when `work` may start. */
  turn(): Promise<void>;
}

export function createAfterAckQueue(options: { quietMs: number; maxDeferMs: number }): AfterAckQueue {
  const waiting: Array<{ start: () => void; since: number }> = [];
  let lastArrival = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let pumping = false;

  /** How long the next piece must still wait; 0 when it may start now. */
  function delay(now: number): number {
    const oldest = waiting[0];
    if (!oldest) return 0;
    return Math.max(0, Math.min(lastArrival + options.quietMs - now, oldest.since + options.maxDeferMs - now));
  }

  function pump(): void {
    timer = undefined;
    pumping = false;
    const wait = delay(performance.now());
    if (wait > 0) {
      timer = setTimeout(pump, wait);
      return;
    }
    waiting.shift()?.start();
    if (waiting.length > 0) {
      pumping = true;
      setImmediate(pump);
    }
  }

  function schedule(): void {
    if (timer || pumping) return;
    timer = setTimeout(pump, delay(performance.now()));
  }

  return {
    arrived() {
      lastArrival = performance.now();
    },
    turn() {
      return new Promise<void>((start) => {
        waiting.push({ start, since: performance.now() });
        schedule();
      });
    },
  };
}
