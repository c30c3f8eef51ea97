/**
 * Freshservice's published rate limits ("Rate limit" in the API docs, see README.md): an account-wide
 * limit per minute by plan, and per-minute sub-limits for some operations within it. Accounts created
 * before September 2020 count per hour instead.
 */

/** The operations with a sub-limit of their own that we call (all reads). */
export type EndpointClass = 'list-tickets' | 'view-ticket' | 'list-agents' | 'list-requesters';

export type Plan = 'starter' | 'growth' | 'pro' | 'enterprise';

export type PlanLimits = { overall: number } & Record<EndpointClass, number>;

/** Per minute. MSP "Core" uses the Growth limits. */
export const PLAN_LIMITS: Record<Plan, PlanLimits> = {
  starter: { overall: 100, 'list-tickets': 40, 'view-ticket': 50, 'list-agents': 40, 'list-requesters': 40 },
  growth: { overall: 200, 'list-tickets': 70, 'view-ticket': 80, 'list-agents': 70, 'list-requesters': 70 },
  pro: { overall: 400, 'list-tickets': 120, 'view-ticket': 140, 'list-agents': 120, 'list-requesters': 120 },
  enterprise: { overall: 500, 'list-tickets': 140, 'view-ticket': 160, 'list-agents': 140, 'list-requesters': 140 },
};

/** Above every plan's per-minute limit: an account announcing more counts per hour (unverified heuristic). */
export const HIGHEST_PER_MINUTE_LIMIT = PLAN_LIMITS.enterprise.overall;

/**
 * The sub-limits that go with an account-wide limit per minute: the plan whose limit it is, or the largest
 * plan below it (an account that bought more than its plan keeps that plan's sub-limits, the safe side).
 */
export function subLimitsFor(overallPerMinute: number): Record<EndpointClass, number> {
  const plans = Object.values(PLAN_LIMITS).sort((a, b) => b.overall - a.overall);
  const plan = plans.find((candidate) => candidate.overall <= overallPerMinute) ?? PLAN_LIMITS.starter;
  // Below the smallest plan: its sub-limits in proportion.
  const scale = Math.min(1, overallPerMinute / PLAN_LIMITS.starter.overall);
  const limit = (name: EndpointClass) => Math.max(1, Math.floor(plan[name] * scale));
  return { 'list-tickets': limit('list-tickets'), 'view-ticket': limit('view-ticket'), 'list-agents': limit('list-agents'), 'list-requesters': limit('list-requesters') };
}

/**
 * Which sub-limit a GET counts against, from its path under /api/v2. The ticket filter is counted with
 * "List All Tickets": the docs do not say, and that is the safe side. Per-ticket sub-resources (time
 * entries, CSAT, conversations) have no documented sub-limit.
 */
export function endpointClass(method: string, path: string): EndpointClass | undefined {
  if (method.toUpperCase() !== 'GET') return undefined;
  const clean = path.split('?')[0]!.replace(/^\/api\/v2/, '').replace(/\/+$/, '');
  if (clean === '/tickets' || clean === '/tickets/filter') return 'list-tickets';
  if (/^\/tickets\/\d+$/.test(clean)) return 'view-ticket';
  if (clean === '/agents') return 'list-agents';
  if (clean === '/requesters') return 'list-requesters';
  return undefined;
}
