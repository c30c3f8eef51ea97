import express, { type Express } from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpServer {
  app: Express;
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

/**
 * The one HTTP server of the bot process. Surfaces mount their routes on `app` before `listen`:
 * `/slack/events` (Slack), `/api/messages` (Teams), `/reports/:id` (signed links), `/` (playground).
 * No global body parser: Slack signature checks need the raw body.
 */
export function createHttpApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_request, response) => {
    response.json({ ok: true });
  });
  return app;
}

export async function listen(app: Express, port: number, host = '0.0.0.0'): Promise<HttpServer> {
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    app,
    server,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
