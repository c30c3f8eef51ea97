/**
 * The endpoint-security figures of one client's period, computed from SentinelOne agents and threats (pure).
 * Stored under `sources.sentinelone` in metrics.json.
 */
import type { Period } from '../period/period.js';
import type { SentinelOneAgent, SentinelOneThreat } from './types.js';

export const CONFIDENCE_LEVELS = ['malicious', 'suspicious', 'n/a', 'other'] as const;
export const MITIGATION_STATUSES = ['mitigated', 'not_mitigated', 'marked_as_benign', 'other'] as const;
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];
export type MitigationStatus = (typeof MITIGATION_STATUSES)[number];

const MOST_AFFECTED_LIMIT = 5;

export interface SentinelOneFigures {
  site: { id: string; name: string };
  endpoints: {
    /** Agents neither decommissioned nor uninstalled. */
    protected: number;
    byOs: Array<{ os: string; count: number }>;
    /** Protected agents whose version is not the current one. */
    outOfDate: number;
  };
  threats: {
    /** Threats created in the period. */
    inPeriod: number;
    /** Threats created in the period before. */
    previous: number;
    byConfidence: Array<{ level: ConfidenceLevel; count: number }>;
    byMitigation: Array<{ status: MitigationStatus; count: number }>;
    /** Threats whose incident is unresolved or in progress now, whenever they were created. */
    unresolvedNow: number;
    /** The endpoints with the most threats in the period, most first. */
    mostAffected: Array<{ endpoint: string; threats: number }>;
  };
  /** Threats created per month, the twelve months ending with the period, oldest first. */
  trend: Array<{ month: string; label: string; threats: number }>;
}

export interface SentinelOneFigureInput {
  site: { id: string; name: string };
  agents: readonly SentinelOneAgent[];
  /** Every threat created from {@link threatWindow}'s start to the period's end. */
  threats: readonly SentinelOneThreat[];
  unresolvedNow: number;
  period: Period;
  previous: Period;
  months: readonly Period[];
}

const OS_NAMES: Record<string, string> = { windows: 'Windows', macos: 'macOS', linux: 'Linux', windows_legacy: 'Windows (legacy)' };

export function osName(osType: string): string {
  return OS_NAMES[osType] ?? (osType ? osType : 'Unknown');
}

function isTrue(value: boolean | string | undefined): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

function within(threat: SentinelOneThreat, period: Pick<Period, 'from' | 'to'>): boolean {
  const at = Date.parse(threat.threatInfo.createdAt);
  return at >= period.from.getTime() && at < period.to.getTime();
}

function tally<K extends string>(keys: readonly K[], values: string[]): Array<{ key: K; count: number }> {
  const counts = new Map<K, number>(keys.map((key) => [key, 0]));
  for (const value of values) {
    const key = (keys.includes(value as K) ? value : 'other') as K;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return keys.map((key) => ({ key, count: counts.get(key) ?? 0 }));
}

export function computeSentinelOneFigures(input: SentinelOneFigureInput): SentinelOneFigures {
  const { period, previous, months } = input;
  const protectedAgents = input.agents.filter((agent) => !isTrue(agent.isDecommissioned) && !isTrue(agent.isUninstalled));
  const byOs = new Map<string, number>();
  for (const agent of protectedAgents) byOs.set(osName(agent.osType), (byOs.get(osName(agent.osType)) ?? 0) + 1);

  const inPeriod = input.threats.filter((threat) => within(threat, period));

  const affected = new Map<string, number>();
  for (const threat of inPeriod) {
    const endpoint = threat.agentRealtimeInfo.agentComputerName || 'Unknown endpoint';
    affected.set(endpoint, (affected.get(endpoint) ?? 0) + 1);
  }

  return {
    site: input.site,
    endpoints: {
      protected: protectedAgents.length,
      byOs: [...byOs].map(([os, count]) => ({ os, count })).sort((a, b) => b.count - a.count || a.os.localeCompare(b.os)),
      outOfDate: protectedAgents.filter((agent) => !isTrue(agent.isUpToDate)).length,
    },
    threats: {
      inPeriod: inPeriod.length,
      previous: input.threats.filter((threat) => within(threat, previous)).length,
      byConfidence: tally(CONFIDENCE_LEVELS, inPeriod.map((threat) => threat.threatInfo.confidenceLevel ?? '')).map(({ key, count }) => ({ level: key, count })),
      byMitigation: tally(MITIGATION_STATUSES, inPeriod.map((threat) => threat.threatInfo.mitigationStatus ?? '')).map(({ key, count }) => ({ status: key, count })),
      unresolvedNow: input.unresolvedNow,
      mostAffected: [...affected]
        .map(([endpoint, threats]) => ({ endpoint, threats }))
        .sort((a, b) => b.threats - a.threats || a.endpoint.localeCompare(b.endpoint))
        .slice(0, MOST_AFFECTED_LIMIT),
    },
    trend: months.map((month) => ({ month: month.key, label: month.label, threats: input.threats.filter((threat) => within(threat, month)).length })),
  };
}

/** The threats a report reads: from the first trend month or the previous period, whichever is earlier, to the period's end. */
export function threatWindow(period: Period, previous: Period, months: readonly Period[]): { from: Date; to: Date } {
  const starts = [period.from, previous.from, ...(months[0] ? [months[0].from] : [])];
  return { from: new Date(Math.min(...starts.map((start) => start.getTime()))), to: period.to };
}
