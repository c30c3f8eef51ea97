import { fixedClock, systemClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/compose/runtime.js';
import { startEmbeddedSandbox } from '../../src/compose/sandbox.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

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

export interface FullSandbox {
  dataDir: string;
  runtime: Runtime;
  close(): Promise<void>;
}

/** The sandbox a new user starts (its full world) in a new data folder, on 20 Nov 2026 in UTC, with a Freshservice minute of 60 ms so a year is read quickly. */
export async function fullSandboxRuntime(folderPrefix: string): Promise<FullSandbox> {
  const dataDir = await makeTempDir(folderPrefix);
  const config = loadConfig({ DATA_DIR: dataDir, TIMEZONE: 'UTC' });
  const clock = fixedClock('2026-11-20T12:00:00Z');
  const runtime = await createRuntime({ config, logger: silentLogger, clock, sandbox: await startEmbeddedSandbox(config, clock, { controls: { timeScale: 1000 } }) });
  return {
    dataDir,
    runtime,
    close: async () => {
      await runtime.close();
      await removeTempDir(dataDir);
    },
  };
}
