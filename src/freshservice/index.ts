import { systemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logger.js';
import { FreshserviceClient, type RetryOptions } from './client.js';
import type { AccountSettings } from './account.js';
import { createDirectory, type FreshserviceDirectory } from './directory.js';
import { TicketMirror } from './mirror.js';
import { createPuller, type Puller } from './puller.js';
import type { RateLimitOptions } from './rate-limiter.js';

export { FreshserviceClient } from './client.js';
export * from './errors.js';
export type { FreshserviceDirectory } from './directory.js';
export type { AccountMode, AccountSettings, FreshserviceAccount, WorkspaceSetting } from './account.js';
export { formatPullSummary, type Puller, type PullOptions, type PullProgress, type PullResult, type SyncResult, type ClientRef } from './puller.js';

export interface FreshserviceOptions {
  baseUrl: string;
  apiKey: string;
  dataDir: string;
  clock?: Clock;
  logger?: Logger;
  timeoutMs?: number;
  rateLimit?: RateLimitOptions;
  retry?: RetryOptions;
  /** Per-ticket requests prepared at once (the rate limiter still paces them). */
  enrichConcurrency?: number;
  /** The account's mode when known, and which workspace to read (default: all). */
  account?: AccountSettings;
}

export interface Freshservice {
  client: FreshserviceClient;
  puller: Puller;
  directory: FreshserviceDirectory;
}

/**
 * Which account a mirror belongs to. The local sandbox gets a new port on every start, so its port
 * is left out: the same DATA_DIR keeps its mirror across restarts.
 */
export function mirrorAccount(baseUrl: string, mode?: AccountSettings['mode']): string {
  const url = new URL(baseUrl);
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '::1';
  // The sandbox plays an MSP account when told to: its tickets then sit in other workspaces, so it gets a mirror of its own.
  return loopback ? `sandbox${mode === 'msp' ? '-msp' : ''}${url.pathname}` : `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** Everything Freshservice for one account: the HTTP client, the ticket puller and the cached directory lists. */
export function createFreshservice(options: FreshserviceOptions): Freshservice {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const client = new FreshserviceClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs,
    rateLimit: options.rateLimit,
    retry: options.retry,
    logger,
  });
  const mirror = new TicketMirror(options.dataDir, mirrorAccount(options.baseUrl, options.account?.mode), logger);
  const directory = createDirectory({ client, mirror, clock, settings: options.account });
  const puller = createPuller({ client, directory, mirror, dataDir: options.dataDir, clock, logger, enrichConcurrency: options.enrichConcurrency });
  return { client, puller, directory };
}
