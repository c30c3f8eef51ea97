import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/compose/runtime.js';
import { startEmbeddedSandbox, type EmbeddedSandboxOptions } from '../../src/compose/sandbox.js';
import { createRoutes, listen, type HttpServer } from '../../src/server/http.js';
import { mountReportLinks } from '../../src/server/report-links.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/** Four client companies at a tenth of their seats, and a Freshservice minute of 60 ms: a year is read in seconds. */
const SMALL_WORLD: EmbeddedSandboxOptions = { profile: { departments: 4, audienceMembers: 12, seatScale: 0.1 }, controls: { timeScale: 1000 } };

export interface SandboxRuntime {
  dataDir: string;
  runtime: Runtime;
  close(): Promise<void>;
}

/**
 * The bot's runtime over a sandbox world (by default a small one) in a temporary data folder; `env` may use the
 * folder (e.g. for a logo file).
 */
export async function startSandboxRuntime(
  prefix: string,
  options: { clock: Clock; env?: (dataDir: string) => Record<string, string>; logger?: Logger; publicBaseUrl?: string; world?: EmbeddedSandboxOptions },
): Promise<SandboxRuntime> {
  const dataDir = await makeTempDir(prefix);
  const env = { DATA_DIR: dataDir, ...(options.publicBaseUrl ? { PUBLIC_BASE_URL: options.publicBaseUrl } : {}), ...options.env?.(dataDir) };
  const config = loadConfig(env);
  const runtime = await createRuntime({ config, logger: options.logger ?? silentLogger, clock: options.clock, sandbox: await startEmbeddedSandbox(config, options.clock, options.world ?? SMALL_WORLD) });
  return {
    dataDir,
    runtime,
    close: async () => {
      await runtime.close();
      await removeTempDir(dataDir);
    },
  };
}

/** As startSandboxRuntime, with the signed report links (web page and PDF) served on 127.0.0.1. */
export async function startServedSandbox(prefix: string, options: { clock: Clock; env?: (dataDir: string) => Record<string, string> }): Promise<SandboxRuntime & { server: HttpServer }> {
  const routes = createRoutes();
  const server = await listen(routes, 0, '127.0.0.1');
  const started = await startSandboxRuntime(prefix, { ...options, publicBaseUrl: server.url });
  const { runtime } = started;
  mountReportLinks(routes, { config: runtime.config, clock: options.clock, loadWebHtml: runtime.loadWebHtml, loadPdf: runtime.loadPdf });
  return {
    ...started,
    server,
    close: async () => {
      await started.close();
      await server.close();
    },
  };
}
