/**
 * The Slack side of the slack-ack benchmark, run in its own process so the figure measures the bot and
 * not its client: serves the mock Slack Web API and response_urls, and fires the signed slash commands.
 * Talks to the bot process (its parent) over IPC:
 *   → { type: 'ready', apiUrl }                      mock Web API is listening
 *   ← { type: 'start', url, secret, concurrency, rounds }
 *   → { type: 'round', round, latencies }            one burst acknowledged; waits for
 *   ← { type: 'drained' }                            the bot to finish that burst's work
 *   → { type: 'done', calls, workDoneMs }            Web API calls by method and response_url posts;
 *                                                    per measured burst, first send to all work done
 */
import http from 'node:http';
import { slackSignature, slashCommandBody, startSlackMock } from '../test/support/slack-mock.js';

export interface StartMessage {
  type: 'start';
  url: string;
  secret: string;
  concurrency: number;
  rounds: number;
}

export type SlackSideMessage =
  | { type: 'ready'; apiUrl: string }
  | { type: 'round'; round: number; latencies: number[] }
  | { type: 'done'; calls: Record<string, number>; workDoneMs: number[] }
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

function send(message: SlackSideMessage): void {
  process.send!(message);
}

let drained: (() => void) | undefined;

async function fire(start: StartMessage, responseUrl: () => string): Promise<number[]> {
  const workDoneMs: number[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: start.concurrency });
  const target = `${start.url}/slack/events`;
  try {
    for (let round = 0; round <= start.rounds; round += 1) {
      // Bodies and signatures are built before the clock starts: only sending is timed.
      const requests = Array.from({ length: start.concurrency }, (_, index) => {
        const body = slashCommandBody({ text: `generate "Acme Corp" 2026-${String((index % 12) + 1).padStart(2, '0')}`, userId: 'U1', responseUrl: responseUrl() });
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

const mock = await startSlackMock([{ id: 'U1', name: 'Bench User', email: 'bench@msp.example' }]);
process.on('disconnect', () => {
  void mock.close().then(() => process.exit(0));
});
process.on('message', (message: StartMessage | { type: 'drained' }) => {
  if (message.type === 'drained') {
    drained?.();
    return;
  }
  fire(message, mock.responseUrl).then(
    (workDoneMs) => {
      const calls: Record<string, number> = { response_url: mock.responses.length };
      for (const call of mock.calls) calls[call.method] = (calls[call.method] ?? 0) + 1;
      send({ type: 'done', calls, workDoneMs });
    },
    (error: unknown) => send({ type: 'failed', error: (error as Error).stack ?? String(error) }),
  );
});
send({ type: 'ready', apiUrl: mock.apiUrl });
