import { PLAN_LIMITS } from '../freshservice/rate-plans.js';
import type { SandboxControls } from './types.js';

/** A healthy Growth-plan account: 200 credits per minute (ticket list 70), no latency, no faults. */
export function defaultSandboxControls(): SandboxControls {
  return {
    rateLimitPerWindow: 200,
    windowMs: 60_000,
    subLimitsPerMinute: subLimits('growth'),
    timeScale: 1,
    latencyMs: 0,
    faults: { serverErrorRate: 0, rateLimitBurst: 0, timeoutRate: 0, malformedRate: 0 },
    faultSeed: 1,
  };
}

export function resolveSandboxControls(overrides: Partial<SandboxControls> = {}): SandboxControls {
  const defaults = defaultSandboxControls();
  return {
    ...defaults,
    ...overrides,
    subLimitsPerMinute: { ...defaults.subLimitsPerMinute, ...overrides.subLimitsPerMinute },
    faults: { ...defaults.faults, ...overrides.faults },
  };
}

/** A plan's per-minute sub-limits, for `controls.subLimitsPerMinute`. */
export function subLimits(plan: keyof typeof PLAN_LIMITS): SandboxControls['subLimitsPerMinute'] {
  const limits = PLAN_LIMITS[plan];
  return { 'list-tickets': limits['list-tickets'], 'view-ticket': limits['view-ticket'], 'list-agents': limits['list-agents'], 'list-requesters': limits['list-requesters'] };
}
