import type { Config } from '../config.js';
import { systemClock, type Clock } from '../clock.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/index.js';

/** In sandbox mode a Freshservice "minute" lasts this many real milliseconds, so the demo is quick at a Growth-plan limit. */
const SANDBOX_TIME_SCALE = 60;

/** Overrides for the embedded sandbox (tests and benchmarks). */
export type EmbeddedSandboxOptions = Partial<Omit<SandboxOptions, 'dataDir' | 'clock'>>;

/**
 * The simulated Freshservice and Mailchimp on 127.0.0.1 that a configuration without credentials runs
 * against, over the world kept in DATA_DIR; undefined when the configuration names the real services.
 * Started before the runtime, which is handed it.
 */
export async function startEmbeddedSandbox(config: Config, clock: Clock = systemClock, options: EmbeddedSandboxOptions = {}): Promise<Sandbox | undefined> {
  if (!config.sandbox) return undefined;
  return startSandbox({
    dataDir: config.dataDir,
    clock,
    freshserviceMode: config.freshserviceAccount.mode,
    ...options,
    controls: { timeScale: SANDBOX_TIME_SCALE, windowMs: 60_000, ...options.controls },
  });
}
