import type { EndpointClass } from '../freshservice/rate-plans.js';

/** A contact in the simulated Mailchimp audience, in Mailchimp's member shape. */
export interface SandboxAudienceMember {
  email_address: string;
  status: 'subscribed' | 'unsubscribed' | 'cleaned' | 'pending' | 'transactional' | 'archived';
  merge_fields: { FNAME: string; LNAME: string; [tag: string]: string };
  tags: string[];
  last_changed: string;
  /** Sandbox-only: the contact asked to be permanently deleted ("forgotten"); upserts are refused. */
  forgotten?: boolean;
}

/** One request a simulated service received, for assertions and call counting. */
export interface RecordedRequest {
  service: 'freshservice' | 'mailchimp' | 'transactional';
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
  status: number;
  /** Freshservice API credits the request used (1, or 3 with include=stats on a list). */
  credits: number;
  at: string;
}

/** Knobs for tests and benchmarks. All optional; defaults behave like a healthy Growth-plan account. */
export interface SandboxControls {
  /** Credits per rate-limit window (Freshservice Growth: 200 per minute). */
  rateLimitPerWindow: number;
  /** Window length in real milliseconds before time scaling (60 000 = one minute; 3 600 000 for an account counting per hour). */
  windowMs: number;
  /**
   * Freshservice's per-minute sub-limits within the overall limit (Growth: ticket list 70, view ticket 80,
   * agents and requesters lists 70), counted in credits, each in its own one-minute window (time-scaled).
   * A response from such an endpoint reports what is left of its sub-limit in X-Ratelimit-Remaining.
   */
  subLimitsPerMinute: Record<EndpointClass, number>;
  /** Divides every duration (window, Retry-After, latency stays as given): 60 makes a minute last one second. */
  timeScale: number;
  /** Extra latency added to every response, in real milliseconds. */
  latencyMs: number;
  faults: {
    /** Fraction (0..1) of requests answered with 500/502/503. */
    serverErrorRate: number;
    /** The next N requests get 429 with Retry-After. */
    rateLimitBurst: number;
    /** Fraction of requests that never answer (the client must time out). */
    timeoutRate: number;
    /** Fraction of requests answered 200 with a truncated JSON body. */
    malformedRate: number;
  };
  /** Seed for the fault dice, so a faulty run is repeatable. */
  faultSeed: number;
}
