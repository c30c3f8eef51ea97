import type { SandboxControls } from './types.js';

/** A healthy Growth-plan account: 200 credits per minute, no latency, no faults. */
export function defaultSandboxControls(): SandboxControls {
  return {
    rateLimitPerWindow: 200,
    windowMs: 60_000,
    timeScale: 1,
    latencyMs: 0,
    faults: { serverErrorRate: 0, rateLimitBurst: 0, timeoutRate: 0, malformedRate: 0 },
    faultSeed: 1,
  };
}

export function resolveSandboxControls(overrides: Partial<SandboxControls> = {}): SandboxControls {
  const defaults = defaultSandboxControls();
  return { ...defaults, ...overrides, faults: { ...defaults.faults, ...overrides.faults } };
}
