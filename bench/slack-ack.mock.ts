/**
 * The mock Slack Web API and response_urls of the slack-ack benchmark, in a process of its own so that
 * neither the bot nor the load generator spends its event loop serving it. Talks to its parent over IPC:
 *   → { type: 'ready', apiUrl, responseUrlBase }     listening on 127.0.0.1
 *   ← { type: 'count' }
 *   → { type: 'calls', calls }                       Web API calls by method, plus response_url posts
 */
import { startSlackMock } from '../test/support/slack-mock.js';

export type MockMessage =
  | { type: 'ready'; apiUrl: string; responseUrlBase: string }
  | { type: 'calls'; calls: Record<string, number> };

function send(message: MockMessage): void {
  process.send!(message);
}

const mock = await startSlackMock([{ id: 'U1', name: 'Bench User', email: 'bench@msp.example' }]);
process.on('disconnect', () => {
  void mock.close().then(() => process.exit(0));
});
process.on('message', (message: { type: 'count' }) => {
  if (message.type !== 'count') return;
  const calls: Record<string, number> = { response_url: mock.responses.length };
  for (const call of mock.calls) calls[call.method] = (calls[call.method] ?? 0) + 1;
  send({ type: 'calls', calls });
});
send({ type: 'ready', apiUrl: mock.apiUrl, responseUrlBase: mock.responseUrl().replace(/\/\d+$/, '/') });
