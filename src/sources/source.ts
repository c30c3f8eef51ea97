/**
 * A data source beside the helpdesk (SentinelOne, Microsoft 365…): what it can map a client to, how it pulls
 * one client's period, and what it adds to the report. A source lives in a folder of its own and is registered
 * in one line (src/compose/sources.ts); the report, the card and the digest show what it adds only when it is
 * configured and the client is mapped to one of its targets.
 */
import type { Period } from '../period/period.js';
import type { SourceSection } from './section.js';

/** Something a client maps to: a SentinelOne site, a Microsoft 365 tenant. */
export interface SourceTarget {
  id: string;
  name: string;
}

/** The client as a source sees it when mapping. */
export interface SourceClient {
  id: number;
  name: string;
  /** The linked contact's address, when the client has one (its domain may identify a tenant). */
  email?: string;
}

/** How a client is mapped to a target, or why it is not. */
export type TargetMatch = { kind: 'matched'; target: SourceTarget } | { kind: 'none'; reason: string };

export interface SourcePullProgress {
  text: string;
  done: number;
  total: number;
}

export interface SourcePullRequest {
  target: SourceTarget;
  period: Period;
  /** The twelve months ending with the period, oldest first: the trend's months. */
  months: Period[];
  asOf: Date;
  onProgress?: (progress: SourcePullProgress) => void;
}

/** What a source adds to one report. */
export interface SourceContribution {
  /** Stored under `sources.<key>` in metrics.json. */
  figures: unknown;
  section: SourceSection;
  /** One plain-text line for the summary card and the digest row, e.g. "48 endpoints protected · 3 threats, all mitigated". */
  headline: string;
}

export interface DataSource {
  /** The key in metrics.json and in `map <client> <key> <target>`, e.g. `sentinelone`. */
  key: string;
  /** What people call it: "SentinelOne". */
  label: string;
  /** What a client maps to, singular: "site", "tenant". */
  targetNoun: string;
  /** How the automatic match works, as "matched …" ends: "by name", "by the contact's email domain". */
  matchRule: string;
  /** The automatic mapping rule: the one target this client matches, or why there is none. */
  match(client: SourceClient): Promise<TargetMatch>;
  /** The target a person named when mapping by hand (its name or id), or why there is none. */
  find(text: string): Promise<TargetMatch>;
  /** Pulls one client-period within the source's API budget and turns it into the report's section. */
  contribute(request: SourcePullRequest): Promise<SourceContribution>;
  /** Requests made so far (for benchmarks and status). */
  stats(): { calls: number };
}
