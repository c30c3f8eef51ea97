import { systemClock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/compose/runtime.js';
import { startEmbeddedSandbox } from '../../src/compose/sandbox.js';

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
