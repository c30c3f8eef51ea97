import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const MAIN = path.resolve(import.meta.dirname, '..', '..', 'dist', 'compose', 'main.js');

/** `npm start`: the compiled bot in a process of its own, its output captured. */
export function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/** Waits until the bot on `port` answers /healthz (at most 30 s); answers the last response. */
export async function waitForHealth(port: number): Promise<Response | undefined> {
  let health: Response | undefined;
  for (let attempt = 0; attempt < 150 && !health?.ok; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
  }
  return health;
}
