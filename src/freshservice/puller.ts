import path from 'node:path';
import pLimit from 'p-limit';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { DATASET_SCHEMA_VERSION, type Dataset, type DatasetTicket } from '../report/dataset.js';
import { formatInstant, type Period } from '../report/period.js';
import { writeJsonAtomic } from '../store/files.js';
import type { CallStats, FreshserviceClient } from './client.js';
import { FreshserviceError, FreshserviceNotFoundError, FreshservicePermissionError } from './errors.js';
import { statusLabelsFrom, type FreshserviceDirectory } from './directory.js';
import type { MirrorState, TicketEnrichment, TicketMirror } from './mirror.js';
import { isFinished, mattersForPeriod } from './selection.js';
import type { FreshserviceCsatResponse, FreshserviceTicket, FreshserviceTimeEntry } from './types.js';

/** Re-ask for tickets updated a little before the high-water mark: clock skew and search indexing lag. */
export const SYNC_OVERLAP_MS = 10 * 60 * 1000;
/** Without any period in view, a first sync copies the last 30 days (what the list shows by default). */
const DEFAULT_BACKFILL_MS = 30 * 24 * 60 * 60 * 1000;
const FINISHED_STATUSES = new Set([4, 5]);
const LIST_PRIORITY = 1;

export interface PullProgress {
  phase: 'sync' | 'enrich' | 'write';
  done: number;
  total: number;
}

export interface PullOptions {
  onProgress?(progress: PullProgress): void;
  /** Ask Freshservice again for the cached lists and every ticket's time entries and CSAT. */
  refresh?: boolean;
  /**
   * Serve the tickets from the mirror as it is, without listing (the caller just ran `syncMirror`);
   * still lists when the mirror does not reach back to the period's start.
   */
  fromMirror?: boolean;
}

export interface ClientRef {
  id: number;
  name: string;
}

export interface PullResult {
  dataset: Dataset;
  file: string;
  calls: number;
  credits: number;
  ticketCount: number;
}

export interface SyncResult {
  calls: number;
  credits: number;
  /** Tickets added or changed by this sync. */
  changed: number;
  ticketsInMirror: number;
  coveredSince: string | null;
  highWaterMark: string | null;
}

export interface Puller {
  pull(client: ClientRef | number, period: Period, options?: PullOptions): Promise<PullResult>;
  /** Brings the mirror up to date for every client; `since` back-fills further into the past. */
  syncMirror(options?: { since?: Date; onProgress?: PullOptions['onProgress'] }): Promise<SyncResult>;
  /** Where a client's dataset for a period is written. */
  datasetFile(clientId: number, period: Pick<Period, 'key'>): string;
}

export interface PullerDeps {
  client: FreshserviceClient;
  directory: FreshserviceDirectory;
  mirror: TicketMirror;
  dataDir: string;
  clock: Clock;
  logger: Logger;
  /** Per-ticket requests (time entries, CSAT) prepared at once; the rate limiter still decides when they go. */
  enrichConcurrency?: number;
}

/** Lines for the CLI and chat: where the dataset went, how many tickets, what it cost. */
export function formatPullSummary(result: PullResult): string[] {
  const { dataset } = result;
  return [
    `Pulled ${result.ticketCount} ticket${result.ticketCount === 1 ? '' : 's'} for ${dataset.client.name} (${dataset.period.from} – ${dataset.period.to}).`,
    `Dataset written to ${result.file}.`,
    `Freshservice calls: ${result.calls} (${result.credits} credit${result.credits === 1 ? '' : 's'}).`,
  ];
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function byId<T extends { id: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.id - b.id);
}

function spent(before: CallStats, after: CallStats): CallStats {
  return { calls: after.calls - before.calls, credits: after.credits - before.credits };
}

/** Keeps the newest version of a ticket; a listed ticket with stats beats a stats-less copy of the same version. */
function upsert(state: MirrorState, ticket: FreshserviceTicket): boolean {
  const key = String(ticket.id);
  const existing = state.tickets[key];
  if (existing) {
    if (existing.updated_at > ticket.updated_at) return false;
    if (existing.updated_at === ticket.updated_at && (existing.stats || !ticket.stats)) {
      state.tickets[key] = ticket.stats ? ticket : existing;
      return false;
    }
  }
  state.tickets[key] = ticket;
  return true;
}

/** Fetches time entries, CSAT and missing stats per ticket, once per ticket version, with bounded concurrency. */
class Enricher {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly running = new Map<string, Promise<void>>();
  private failure: { error: unknown } | undefined;
  private signalFailure: () => void = () => undefined;
  /** Settles on the first failure; work dropped from the queue after it never settles. */
  private readonly failed = new Promise<void>((resolve) => {
    this.signalFailure = resolve;
  });
  private done = 0;

  constructor(
    private readonly client: FreshserviceClient,
    private readonly state: MirrorState,
    concurrency: number,
    private readonly refresh: boolean,
    private readonly onProgress: (done: number, total: number) => void,
  ) {
    this.limit = pLimit(concurrency);
  }

  private needs(ticket: FreshserviceTicket): boolean {
    const prior = this.state.enrichment[String(ticket.id)];
    if (!ticket.stats) return true;
    if (!prior || prior.fetchedFor !== ticket.updated_at) return true;
    return isFinished(ticket) && prior.csat === undefined;
  }

  /** Starts enriching a ticket version now (while the sync is still paging). */
  prefetch(ticket: FreshserviceTicket): void {
    const key = `${ticket.id}@${ticket.updated_at}`;
    if (this.failure || this.running.has(key) || (!this.refresh && !this.needs(ticket))) return;
    const work = this.limit(() => this.enrich(ticket)).then(
      () => {
        this.done += 1;
        if (!this.failure) this.onProgress(this.done, this.running.size);
      },
      (error: unknown) => {
        // One ticket failing after the client's own retries fails the pull: stop queuing more work.
        this.failure ??= { error };
        this.limit.clearQueue();
        this.signalFailure();
      },
    );
    this.running.set(key, work);
  }

  /** Rethrows the first enrichment failure, so the listing stops paging as soon as one happened. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /**
   * Makes sure every ticket `select` returns is enriched in its final version (fetching missing stats
   * can reveal a newer version, hence the rounds).
   */
  async ensure(select: () => FreshserviceTicket[]): Promise<void> {
    for (let round = 0; round < 3; round += 1) {
      this.throwIfFailed();
      select().forEach((ticket) => this.prefetch(ticket));
      await Promise.race([Promise.all(this.running.values()), this.failed]);
      this.throwIfFailed();
      if (select().every((ticket) => !this.needs(ticket))) return;
    }
    throw new FreshserviceError('Freshservice kept changing tickets while they were being read; run the pull again.');
  }

  stop(): void {
    this.limit.clearQueue();
  }

  private async enrich(listed: FreshserviceTicket): Promise<void> {
    const key = String(listed.id);
    let ticket = listed;
    if (!ticket.stats) {
      const detail = await this.fetchWithStats(ticket.id);
      if (!detail) {
        delete this.state.tickets[key];
        delete this.state.enrichment[key];
        return;
      }
      upsert(this.state, detail);
      ticket = this.state.tickets[key] ?? detail;
    }
    const prior = this.state.enrichment[key];
    const fresh = this.refresh || !prior || prior.fetchedFor !== ticket.updated_at;
    const [timeEntries, csat] = await Promise.all([
      fresh ? this.fetchTimeEntries(ticket.id) : Promise.resolve(prior.timeEntries),
      isFinished(ticket) ? (fresh || prior.csat === undefined ? this.fetchCsat(ticket.id) : Promise.resolve(prior.csat)) : Promise.resolve(undefined),
    ]);
    const current = this.state.tickets[key];
    if (current && current.updated_at !== ticket.updated_at) return;
    const enrichment: TicketEnrichment = { fetchedFor: ticket.updated_at, timeEntries: byId(timeEntries) };
    if (csat !== undefined) enrichment.csat = csat;
    this.state.enrichment[key] = enrichment;
  }

  private async fetchWithStats(id: number): Promise<FreshserviceTicket | null> {
    try {
      const response = await this.client.get<{ ticket: FreshserviceTicket }>(`/tickets/${id}`, { params: { include: 'stats' } });
      return response.data.ticket;
    } catch (error) {
      // Deleted (404) or moved to a workspace the key cannot see (403): no longer part of any report.
      if (error instanceof FreshserviceNotFoundError || error instanceof FreshservicePermissionError) return null;
      throw error;
    }
  }

  private async fetchTimeEntries(id: number): Promise<FreshserviceTimeEntry[]> {
    const entries: FreshserviceTimeEntry[] = [];
    for await (const page of this.client.paginate<FreshserviceTimeEntry>(`/tickets/${id}/time_entries`, { key: 'time_entries' })) entries.push(...page);
    return entries;
  }

  private async fetchCsat(id: number): Promise<FreshserviceCsatResponse | null> {
    try {
      const response = await this.client.get<{ csat_response?: FreshserviceCsatResponse }>(`/tickets/${id}/csat_response`);
      return response.data?.csat_response ?? null;
    } catch (error) {
      // 404: nobody answered the survey; 403: no CSAT scope or the module is off. Both mean "no rating".
      if (error instanceof FreshserviceNotFoundError || error instanceof FreshservicePermissionError) return null;
      throw error;
    }
  }
}

export function createPuller(deps: PullerDeps): Puller {
  const { client, directory, mirror, clock, logger } = deps;
  const enrichConcurrency = deps.enrichConcurrency ?? 16;
  let queue: Promise<unknown> = Promise.resolve();

  /** Pulls and syncs run one at a time, so two of them never write the mirror over each other. */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  }

  function datasetFile(clientId: number, period: Pick<Period, 'key'>): string {
    const name = period.key.replace(/[^A-Za-z0-9._-]/g, '_');
    return path.join(deps.dataDir, 'datasets', String(clientId), `${name}.json`);
  }

  async function openStatuses(): Promise<number[]> {
    const labels = statusLabelsFrom(await directory.listFormFields());
    return Object.keys(labels).map(Number).filter((code) => Number.isFinite(code) && !FINISHED_STATUSES.has(code));
  }

  /**
   * One account-wide listing of tickets updated since the high-water mark (minus an overlap), or since
   * `needFrom` when the mirror does not reach back that far. Once per mirror, tickets still open but
   * untouched since before the covered range are swept in too, so "open at the end of the period"
   * is never silently missing. Changes `state` in memory only; the caller saves it.
   */
  async function syncInto(
    state: MirrorState,
    options: { needFrom?: Date; onTicket?(ticket: FreshserviceTicket): void; onProgress?: PullOptions['onProgress'] },
  ): Promise<number> {
    const now = clock.now();
    const coveredSince = state.coveredSince ? new Date(state.coveredSince) : undefined;
    const needFrom = options.needFrom ?? (coveredSince ? undefined : new Date(now.getTime() - DEFAULT_BACKFILL_MS));
    let since: Date;
    let newCoveredSince = coveredSince;
    if (!coveredSince || (needFrom && needFrom < coveredSince)) {
      since = needFrom!;
      newCoveredSince = needFrom!;
    } else {
      since = state.highWaterMark ? new Date(Date.parse(state.highWaterMark) - SYNC_OVERLAP_MS) : coveredSince;
    }

    let changed = 0;
    let pages = 0;
    let highWaterMark = state.highWaterMark ?? '';
    const take = (ticket: FreshserviceTicket) => {
      if (upsert(state, ticket)) changed += 1;
      if (ticket.updated_at > highWaterMark) highWaterMark = ticket.updated_at;
      options.onTicket?.(state.tickets[String(ticket.id)]!);
    };
    const params = { updated_since: isoSeconds(since), include: 'stats', per_page: 100, order_type: 'asc' };
    for await (const page of client.paginate<FreshserviceTicket>('/tickets', { params, key: 'tickets', priority: LIST_PRIORITY })) {
      pages += 1;
      page.forEach(take);
      options.onProgress?.({ phase: 'sync', done: pages, total: page.length === 100 ? pages + 1 : pages });
    }

    if (!state.openSweptAt) {
      const statuses = await openStatuses();
      const day = isoSeconds(newCoveredSince!).slice(0, 10);
      const query = `"(${statuses.map((code) => `status:${code}`).join(' OR ')}) AND updated_at:<'${day}'"`;
      for await (const page of client.paginate<FreshserviceTicket>('/tickets/filter', { params: { query }, key: 'tickets', priority: LIST_PRIORITY })) {
        for (const ticket of page) {
          if (!state.tickets[String(ticket.id)]) take(ticket);
        }
      }
      state.openSweptAt = now.toISOString();
    }

    state.coveredSince = newCoveredSince ? newCoveredSince.toISOString() : null;
    state.highWaterMark = highWaterMark || state.highWaterMark;
    state.syncedAt = now.toISOString();
    return changed;
  }

  async function resolveClient(ref: ClientRef | number, refresh: boolean): Promise<ClientRef> {
    if (typeof ref !== 'number') return ref;
    const departments = await directory.listDepartments({ refresh });
    const department = departments.find((entry) => entry.id === ref);
    if (!department) throw new FreshserviceError(`Freshservice has no department (client) with id ${ref}.`, { status: 404 });
    return { id: department.id, name: department.name };
  }

  function pull(ref: ClientRef | number, period: Period, options: PullOptions = {}): Promise<PullResult> {
    return exclusive(async () => {
      const before = client.stats();
      const refresh = options.refresh ?? false;
      const progress = options.onProgress ?? (() => undefined);
      const target = await resolveClient(ref, refresh);
      // The status labels are read while the listing runs; the open-ticket sweep shares the same fetch.
      const formFields = directory.listFormFields({ refresh });
      formFields.catch(() => undefined);
      const state = await mirror.load();
      const wanted = (ticket: FreshserviceTicket) => ticket.department_id === target.id && mattersForPeriod(ticket, period.from, period.to);
      const enricher = new Enricher(client, state, enrichConcurrency, refresh, (done, total) => progress({ phase: 'enrich', done, total }));

      const mirrorCovers = state.coveredSince !== null && Date.parse(state.coveredSince) <= period.from.getTime();
      try {
        if (!(options.fromMirror && mirrorCovers)) await syncInto(state, {
          needFrom: period.from,
          onTicket: (ticket) => {
            enricher.throwIfFailed();
            if (wanted(ticket)) enricher.prefetch(ticket);
          },
          onProgress: progress,
        });
        await enricher.ensure(() => Object.values(state.tickets).filter(wanted));
      } catch (error) {
        enricher.stop();
        throw error;
      }

      const statusLabels = statusLabelsFrom(await formFields);
      progress({ phase: 'write', done: 0, total: 2 });
      await mirror.save(state);
      progress({ phase: 'write', done: 1, total: 2 });
      const tickets = byId(Object.values(state.tickets).filter(wanted)).map((ticket): DatasetTicket => {
        const enrichment = state.enrichment[String(ticket.id)];
        return { ...ticket, time_entries: enrichment?.timeEntries ?? [], csat_response: enrichment?.csat ?? null };
      });
      const dataset: Dataset = {
        schemaVersion: DATASET_SCHEMA_VERSION,
        client: { id: target.id, name: target.name },
        period: { from: formatInstant(period.from, period.timezone), to: formatInstant(period.to, period.timezone) },
        timezone: period.timezone,
        pulledAt: clock.now().toISOString(),
        statusLabels,
        tickets,
      };
      const file = datasetFile(target.id, period);
      await writeJsonAtomic(file, dataset);
      progress({ phase: 'write', done: 2, total: 2 });
      const cost = spent(before, client.stats());
      logger.info({ client: target.id, period: period.key, tickets: tickets.length, ...cost }, 'Freshservice pull finished');
      return { dataset, file, calls: cost.calls, credits: cost.credits, ticketCount: tickets.length };
    });
  }

  function syncMirror(options: { since?: Date; onProgress?: PullOptions['onProgress'] } = {}): Promise<SyncResult> {
    return exclusive(async () => {
      const before = client.stats();
      const state = await mirror.load();
      const changed = await syncInto(state, { needFrom: options.since, onProgress: options.onProgress });
      await mirror.save(state);
      const cost = spent(before, client.stats());
      return {
        ...cost,
        changed,
        ticketsInMirror: Object.keys(state.tickets).length,
        coveredSince: state.coveredSince,
        highWaterMark: state.highWaterMark,
      };
    });
  }

  return { pull, syncMirror, datasetFile };
}
