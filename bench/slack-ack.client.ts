/**
 * The load generator of the slack-ack benchmark: plays Slack sending signed slash commands, in a process
 * of its own so the figure measures the bot and not its client. Talks to its parent (the bot) over IPC:
 *   → { type: 'ready' }
 *   ← { type: 'start', url, secret, concurrency, rounds, responseUrlBase }
 *   → { type: 'round', round, latencies }            one burst acknowledged; waits for
 *   ← { type: 'drained' }                            the bot to finish that burst's work
 *   → { type: 'done', workDoneMs }                   per measured burst, first send to all work done
 */
import http from 'node:http';
import { slackSignature, slashCommandBody } from '../test/support/slack-mock.js';

export interface StartMessage {
  type: 'start';
  url: string;
  secret: string;
  concurrency: number;
  rounds: number;
  responseUrlBase: string;
}

export type ClientMessage =
  | { type: 'ready' }
  | { type: 'round'; round: number; latencies: number[] }
  | { type: 'done'; workDoneMs: number[] }
  | { type: 'failed'; error: string };

/** POSTs with node:http on a keep-alive agent and resolves with the status once the response has ended. */
function post(agent: http.Agent, url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function send(message: ClientMessage): void {
  process.send!(message);
}

let drained: (() => void) | undefined;

async function fire(start: StartMessage): Promise<number[]> {
  const workDoneMs: number[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: start.concurrency });
  const target = `${start.url}/slack/events`;
  let responseUrls = 0;
  try {
    for (let round = 0; round <= start.rounds; round += 1) {
      // Bodies and signatures are built before the clock starts: only sending is timed. Each command of a
      // burst asks for another month, so none is folded into another's run and every one does the full work.
      const requests = Array.from({ length: start.concurrency }, (_, index) => {
        const month = `${2026 - Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
        responseUrls += 1;
        const body = slashCommandBody({ text: `generate "Acme Corp" ${month}`, userId: 'U1', responseUrl: `${start.responseUrlBase}${responseUrls}` });
        return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(start.secret, body) } };
      });
      const roundStarted = performance.now();
      const latencies = await Promise.all(
        requests.map(async ({ body, headers }) => {
          const started = performance.now();
          const status = await post(agent, target, body, headers);
          if (status !== 200) throw new Error(`ack failed with ${status}`);
          return performance.now() - started;
        }),
      );
      const done = new Promise<void>((resolve) => {
        drained = resolve;
      });
      send({ type: 'round', round, latencies });
      await done;
      if (round > 0) workDoneMs.push(performance.now() - roundStarted);
    }
    return workDoneMs;
  } finally {
    agent.destroy();
  }
}

process.on('disconnect', () => process.exit(0));
process.on('message', (message: StartMessage | { type: 'drained' }) => {
  if (message.type === 'drained') {
    drained?.();
    return;
  }
  fire(message).then(
    (workDoneMs) => send({ type: 'done', workDoneMs }),
    (error: unknown) => send({ type: 'failed', error: (error as Error).stack ?? String(error) }),
  );
});
send({ type: 'ready' });
