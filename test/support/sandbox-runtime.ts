import { fixedClock, systemClock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/compose/runtime.js';
import { startEmbeddedSandbox } from '../../src/compose/sandbox.js';
import { startSandboxRuntime, type SandboxRuntime } from './served-sandbox.js';

/** The real runtime over a small embedded sandbox (8 clients, 40 audience members), its clients synced. */
export async function sandboxRuntime(config: Config): Promise<Runtime> {
  const runtime = await createRuntime({
    config,
    logger: silentLogger,
    clock: systemClock,
    sandbox: await startEmbeddedSandbox(config, systemClock, { profile: { departments: 8, audienceMembers: 40, seatScale: 0.3 } }),
  });
  await runtime.clients.syncClients();
  return runtime;
}

/** The sandbox a new user starts (its full world) in a new data folder, on 20 Nov 2026 in UTC, with a Freshservice minute of 60 ms so a year is read quickly. */
export function fullSandboxRuntime(folderPrefix: string): Promise<SandboxRuntime> {
  return startSandboxRuntime(folderPrefix, { clock: fixedClock('2026-11-20T12:00:00Z'), env: () => ({ TIMEZONE: 'UTC' }), world: { controls: { timeScale: 1000 } } });
}
