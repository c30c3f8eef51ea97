import path from 'node:path';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { DATASET_SCHEMA_VERSION } from '../sources/helpdesk.js';
import type { FreshserviceDataset, FreshserviceDatasetTicket } from './dataset.js';
import { formatInstant, type Period } from '../period/period.js';
import { writeJsonAtomic } from '../store/files.js';
import type { CallStats, FreshserviceClient } from './client.js';
import { byId, Enricher } from './enricher.js';
import { FreshserviceError } from './errors.js';
import { statusLabelsFrom, type FreshserviceDirectory } from './directory.js';
import { emptyCoverage, shardOf, type MirrorState, type TicketMirror } from './mirror.js';
import { clientIdOf, type FreshserviceAccount, type TicketScope } from './account.js';
import { FINISHED_STATUSES, finishedAt, isFinished, mattersForPeriod } from './selection.js';
import { filterTickets } from './ticket-filter.js';
import type { FreshserviceTicket } from './types.js';

/** Re-ask for tickets updated a little before the high-water mark: clock skew and search indexing lag. */
export const SYNC_OVERLAP_MS = 10 * 60 * 1000;
/** Without any period in view, a first sync copies the last 30 days (what the list shows by default). */
const DEFAULT_BACKFILL_MS = 30 * 24 * 60 * 60 * 1000;
const LIST_PRIORITY = 1;
const RECONCILE_EVERY_MS = 24 * 60 * 60 * 1000;

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
  /**
   * Limits per-ticket calls for a long period (a year of trends): tickets that matter from `fullFrom` on are
   * always enriched; older ones newest first while their calls fit in `credits`. The rest are listed in the
   * dataset's `unenriched`, and a later pull with a budget goes on where this one stopped.
   */
  enrichBudget?: { fullFrom: Date; credits: number };
  /** Periods inside the pulled one whose datasets are wanted too: cut from the same reading of the mirror, under `within` by period key. */
  within?: Period[];
  /** Write the dataset under DATA_DIR/datasets/ (default); false for a caller that keeps only what it computes from it. */
  writeDataset?: boolean;
}

export interface ClientRef {
  id: number;
  name: string;
}

export interface PullResult {
  dataset: FreshserviceDataset;
  /** The datasets of the `within` periods, by period key. */
  within: Record<string, FreshserviceDataset>;
  /** Where the dataset was written; null when it was not (`writeDataset: false`). */
  file: string | null;
  calls: number;
  credits: number;
  ticketCount: number;
  /** The mirror holds every ticket updated since this instant (plus older tickets still open). */
  mirrorCoversSince: string | null;
  /** When the oldest ticket in the mirror was created: the account has no data from before (as far as the mirror reaches). */
  oldestTicketAt: string | null;
}

export interface SyncOptions {
  /** Back-fills the mirror to this instant. */
  since?: Date;
  onProgress?: PullOptions['onProgress'];
  /** Enrich these clients' tickets (the ones reports are made for); when absent, the sync only lists. */
  enrichClients?: number[];
}

export interface SyncResult {
  calls: number;
  credits: number;
  /** Tickets added or changed by this sync. */
  changed: number;
  /** Finished tickets whose time entries or survey answer were fetched for their new version. */
  enriched: number;
  /** Of those, the ones whose unanswered survey was asked for again (they changed within 14 days of resolution). */
  surveysAskedAgain: number;
  ticketsInMirror: number;
  coveredSince: string | null;
  highWaterMark: string | null;
}

export interface Puller {
  pull(client: ClientRef | number, period: Period, options?: PullOptions): Promise<PullResult>;
  /**
   * Brings the mirror up to date for every client. For the clients in `enrichClients` it also enriches the
   * finished tickets that changed (`enrichmentDue`); an open ticket's time entries wait for a report on it.
   */
  syncMirror(options?: SyncOptions): Promise<SyncResult>;
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
    ...(result.file ? [`Dataset written to ${result.file}.`] : []),
    `Freshservice calls: ${result.calls} (${result.credits} credit${result.credits === 1 ? '' : 's'}).`,
    ...(result.mirrorCoversSince ? [`The local mirror covers tickets updated since ${result.mirrorCoversSince}, plus older ones still open.`] : []),
  ];
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The earliest of ISO instants, or null when any is missing (that scope covers nothing yet). */
function earliest(instants: Array<string | null>): string | null {
  if (instants.length === 0 || instants.some((instant) => instant === null)) return null;
  return (instants as string[]).reduce((first, instant) => (instant < first ? instant : first));
}

function spent(before: CallStats, after: CallStats): CallStats {
  return { calls: after.calls - before.calls, credits: after.credits - before.credits };
}

/**
 * The tickets a budgeted pull enriches: every one that must be, then the others newest first (by when they
 * were finished, else created) while their calls fit in `credits`.
 */
function withinBudget(tickets: FreshserviceTicket[], mustEnrich: (ticket: FreshserviceTicket) => boolean, credits: number, enricher: Enricher): Set<number> {
  const chosen = new Set(tickets.filter(mustEnrich).map((ticket) => ticket.id));
  const lastMoment = (ticket: FreshserviceTicket) => finishedAt(ticket) ?? ticket.created_at;
  const optional = tickets
    .filter((ticket) => !chosen.has(ticket.id))
    .sort((a, b) => lastMoment(b).localeCompare(lastMoment(a)) || b.id - a.id);
  let left = credits;
  for (const ticket of optional) {
    const cost = enricher.callsNeeded(ticket);
    if (cost > left) break;
    left -= cost;
    chosen.add(ticket.id);
  }
  return chosen;
}

export function createPuller(deps: PullerDeps): Puller {
  const { client, directory, mirror, clock, logger } = deps;
  const enrichConcurrency = deps.enrichConcurrency ?? 16;
  let queue: Promise<unknown> = Promise.resolve();

  /**
   * Pulls and syncs run one at a time, so two of them never write the mirror over each other. One that
   * fails leaves the mirror's files as they were and drops the state it changed in memory.
   */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(() =>
      work().catch((error: unknown) => {
        mirror.forget();
        throw error;
      }),
    );
    queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes the shards that changed and, when `index` (the listing changed tickets or coverage) or a shard
   * changed, the index. Another process that committed meanwhile keeps its mirror; what this one fetched
   * is fetched again by the next sync.
   */
  async function saveMirror(state: MirrorState, index: boolean): Promise<void> {
    if (!(await mirror.save(state, { index }))) logger.info('Another process saved the ticket mirror meanwhile; its copy is kept');
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
   * One listing of a scope's tickets (every workspace, one workspace, or an MSP client) updated since its
   * high-water mark (minus an overlap), or since `needFrom` when the mirror does not reach back that far.
   * Once per scope, tickets still open but untouched since before the covered range are swept in too, so
   * "open at the end of the period" is never silently missing. Changes `state` in memory only; the
   * caller saves it.
   */
  async function syncInto(
    state: MirrorState,
    scope: TicketScope,
    options: { needFrom?: Date; onTicket?(ticket: FreshserviceTicket): void; onProgress?: PullOptions['onProgress'] },
  ): Promise<{ changed: number; coverageChanged: boolean }> {
    const now = clock.now();
    const coverage = (state.scopes[scope.key] ??= emptyCoverage());
    const coveredSince = coverage.coveredSince ? new Date(coverage.coveredSince) : undefined;
    const needFrom = options.needFrom ?? (coveredSince ? undefined : new Date(now.getTime() - DEFAULT_BACKFILL_MS));
    let since: Date;
    let newCoveredSince = coveredSince;
    if (!coveredSince || (needFrom && needFrom < coveredSince)) {
      since = needFrom!;
      newCoveredSince = needFrom!;
    } else {
      since = coverage.highWaterMark ? new Date(Date.parse(coverage.highWaterMark) - SYNC_OVERLAP_MS) : coveredSince;
    }

    const workspace = scope.workspaceId === undefined ? {} : { workspace_id: scope.workspaceId };
    let changed = 0;
    let pages = 0;
    let highWaterMark = coverage.highWaterMark ?? '';
    const take = async (ticket: FreshserviceTicket) => {
      if (await state.upsert(ticket)) changed += 1;
      if (ticket.updated_at > highWaterMark) highWaterMark = ticket.updated_at;
      // A copy held in a shard this pull did not read is another client's: nothing for this pull to enrich.
      const held = state.ticket(ticket.id);
      if (held) options.onTicket?.(held);
    };
    const params = { updated_since: isoSeconds(since), include: 'stats', per_page: 100, order_type: 'asc', ...workspace };
    for await (const page of client.paginate<FreshserviceTicket>('/tickets', { params, key: 'tickets', priority: LIST_PRIORITY })) {
      pages += 1;
      for (const ticket of page) await take(ticket);
      options.onProgress?.({ phase: 'sync', done: pages, total: page.length === 100 ? pages + 1 : pages });
    }

    const swept = !coverage.openSweptAt;
    if (swept) {
      const statuses = await openStatuses();
      const filter = { anyOf: statuses.map((code) => `status:${code}`), updatedUntil: isoSeconds(newCoveredSince!).slice(0, 10) };
      for await (const page of filterTickets(client, filter, { params: workspace, priority: LIST_PRIORITY })) {
        for (const ticket of page) {
          if (!state.has(ticket.id)) await take(ticket);
        }
      }
      coverage.openSweptAt = now.toISOString();
    }

    const reconcile = !coverage.reconciledAt || now.getTime() - Date.parse(coverage.reconciledAt) >= RECONCILE_EVERY_MS;
    if (reconcile && coveredSince) changed += await dropDeletedAndSpam(state, scope, coveredSince);
    if (reconcile) coverage.reconciledAt = now.toISOString();

    const covered = newCoveredSince ? newCoveredSince.toISOString() : null;
    const coverageChanged = swept || covered !== coverage.coveredSince;
    coverage.coveredSince = covered;
    // Never past the moment the listing began: a ticket updated while we paged may have slipped between pages.
    const startedAt = isoSeconds(now);
    coverage.highWaterMark = (highWaterMark && highWaterMark > startedAt ? startedAt : highWaterMark) || coverage.highWaterMark;
    return { changed, coverageChanged };
  }

  /** Deleted and spam tickets vanish from listings, so once a day ask for them and drop them from the mirror. */
  async function dropDeletedAndSpam(state: MirrorState, scope: TicketScope, since: Date): Promise<number> {
    let dropped = 0;
    for (const filter of ['deleted', 'spam']) {
      const params = { filter, updated_since: isoSeconds(since), per_page: 100, workspace_id: scope.workspaceId };
      for await (const page of client.paginate<FreshserviceTicket>('/tickets', { params, key: 'tickets', priority: LIST_PRIORITY })) {
        for (const ticket of page) {
          if (await state.remove(ticket.id)) dropped += 1;
        }
      }
    }
    return dropped;
  }

  /** The client a pull is for: a department in Employee Support Mode, a client workspace for MSPs. */
  async function resolveClient(ref: ClientRef | number, account: FreshserviceAccount, refresh: boolean): Promise<ClientRef> {
    if (typeof ref !== 'number') return ref;
    const candidates = account.mode === 'msp' ? account.clients : await directory.listDepartments({ refresh });
    const found = candidates.find((entry) => entry.id === ref);
    if (!found) throw new FreshserviceError(`Freshservice has no ${account.mode === 'msp' ? 'client' : 'department (client)'} with id ${ref}.`, { status: 404 });
    return { id: found.id, name: found.name };
  }

  /** The listings that hold a client's tickets: the one account-wide listing, or an MSP client's own. */
  function scopesOf(account: FreshserviceAccount, target: ClientRef): TicketScope[] {
    if (account.mode === 'esm') return account.scopes;
    const scope = account.scopes.find((candidate) => candidate.workspaceId === target.id);
    if (!scope) throw new FreshserviceError(`${target.name} is not one of the Freshservice clients IntegoReport reads; run a sync if it was added recently.`, { status: 404 });
    return [scope];
  }

  function pull(ref: ClientRef | number, period: Period, options: PullOptions = {}): Promise<PullResult> {
    return exclusive(async () => {
      const before = client.stats();
      const refresh = options.refresh ?? false;
      const progress = options.onProgress ?? (() => undefined);
      // The status labels are read while the rest goes on; the open-ticket sweep shares the same fetch.
      const formFields = directory.listFormFields({ refresh });
      formFields.catch(() => undefined);
      const account = await directory.account({ refresh });
      const [state, target] = await Promise.all([mirror.load(account.mode), resolveClient(ref, account, refresh)]);
      const scopes = scopesOf(account, target);
      // Only this client's shard: other clients' tickets are read when the listing shows one new or changed.
      await state.loadShards([shardOf(target.id)]);
      // Asked again and again for the same ticket versions (budget, enrichment rounds, dataset); a changed ticket is a new object.
      const wantedVersions = new WeakMap<FreshserviceTicket, boolean>();
      const wanted = (ticket: FreshserviceTicket) => {
        let answer = wantedVersions.get(ticket);
        if (answer === undefined) {
          answer = clientIdOf(account.mode, ticket) === target.id && mattersForPeriod(ticket, period.from, period.to);
          wantedVersions.set(ticket, answer);
        }
        return answer;
      };
      const synced = { changed: 0, coverageChanged: false };
      const enricher = new Enricher(client, state, enrichConcurrency, refresh, (done, total) => progress({ phase: 'enrich', done, total }));
      const budget = options.enrichBudget;
      const mustEnrich = (ticket: FreshserviceTicket) => !budget || mattersForPeriod(ticket, budget.fullFrom, period.to);

      const covers = (scope: TicketScope) => {
        const since = state.scopes[scope.key]?.coveredSince;
        return !!since && Date.parse(since) <= period.from.getTime();
      };
      try {
        for (const scope of scopes) {
          if (options.fromMirror && covers(scope)) continue;
          const result = await syncInto(state, scope, {
            needFrom: period.from,
            onTicket: (ticket) => {
              enricher.throwIfFailed();
              if (wanted(ticket) && mustEnrich(ticket)) enricher.prefetch(ticket);
            },
            onProgress: progress,
          });
          synced.changed += result.changed;
          synced.coverageChanged ||= result.coverageChanged;
        }
        const clientTickets = () => state.ticketsOf(target.id).filter(wanted);
        const chosen = budget ? withinBudget(clientTickets(), mustEnrich, budget.credits, enricher) : undefined;
        await enricher.ensure(() => clientTickets().filter((ticket) => !chosen || chosen.has(ticket.id)));
      } catch (error) {
        enricher.stop();
        throw error;
      }

      const statusLabels = statusLabelsFrom(await formFields);
      progress({ phase: 'write', done: 0, total: 2 });
      // Nothing new: leave the mirror files as they are rather than rewriting megabytes.
      await saveMirror(state, synced.changed > 0 || synced.coverageChanged || enricher.ticketUpdates > 0);
      progress({ phase: 'write', done: 1, total: 2 });
      const selected = byId(state.ticketsOf(target.id).filter(wanted));
      const unenriched = new Set(budget ? selected.filter((ticket) => enricher.needs(ticket)).map((ticket) => ticket.id) : []);
      const tickets = selected.map((ticket): FreshserviceDatasetTicket => {
        const enrichment = state.enrichmentOf(ticket.id);
        return { ...ticket, time_entries: enrichment?.timeEntries ?? [], csat_response: enrichment?.csat ?? null };
      });
      const pulledAt = clock.now().toISOString();
      const datasetOf = (slice: Period, sliceTickets: FreshserviceDatasetTicket[]): FreshserviceDataset => {
        const sliceUnenriched = sliceTickets.filter((ticket) => unenriched.has(ticket.id)).map((ticket) => ticket.id);
        return {
          schemaVersion: DATASET_SCHEMA_VERSION,
          client: { id: target.id, name: target.name },
          period: { from: formatInstant(slice.from, slice.timezone), to: formatInstant(slice.to, slice.timezone) },
          timezone: slice.timezone,
          pulledAt,
          statusLabels,
          tickets: sliceTickets,
          ...(sliceUnenriched.length > 0 ? { unenriched: sliceUnenriched } : {}),
        };
      };
      const dataset = datasetOf(period, tickets);
      // The periods inside share the pulled period's tickets: each is built and enriched once.
      const within = Object.fromEntries(
        (options.within ?? []).map((slice) => {
          if (slice.from < period.from || slice.to > period.to) throw new Error(`Period ${slice.key} is not inside the pulled period ${period.key}`);
          return [slice.key, datasetOf(slice, tickets.filter((ticket) => mattersForPeriod(ticket, slice.from, slice.to)))];
        }),
      );
      const file = options.writeDataset === false ? null : datasetFile(target.id, period);
      if (file) await writeJsonAtomic(file, dataset);
      progress({ phase: 'write', done: 2, total: 2 });
      const cost = spent(before, client.stats());
      logger.info({ client: target.id, period: period.key, tickets: selected.length, ...cost }, 'Freshservice pull finished');
      const mirrorCoversSince = earliest(scopes.map((scope) => state.scopes[scope.key]?.coveredSince ?? null));
      const oldestTicketAt = state.oldestCreatedAt();
      return { dataset, within, file, calls: cost.calls, credits: cost.credits, ticketCount: selected.length, mirrorCoversSince, oldestTicketAt };
    });
  }

  function syncMirror(options: SyncOptions = {}): Promise<SyncResult> {
    return exclusive(async () => {
      const before = client.stats();
      const account = await directory.account();
      const state = await mirror.load(account.mode);
      await state.loadAll();
      const clients = new Set(options.enrichClients);
      const forClient = (ticket: FreshserviceTicket) => {
        const id = clientIdOf(account.mode, ticket);
        return id !== null && clients.has(id);
      };
      // Time logged on an open ticket can still change every day: fetched once it is finished, or by a report on it.
      const enrichable = (ticket: FreshserviceTicket) => !ticket.spam && !ticket.deleted && isFinished(ticket) && forClient(ticket);
      const enricher = new Enricher(client, state, enrichConcurrency, false, (done, total) => options.onProgress?.({ phase: 'enrich', done, total }));
      const listed = new Set<number>();
      let changed = 0;
      let coverageChanged = false;
      try {
        for (const scope of account.scopes) {
          const result = await syncInto(state, scope, {
            needFrom: options.since,
            onTicket: (ticket) => {
              enricher.throwIfFailed();
              if (!enrichable(ticket)) return;
              listed.add(ticket.id);
              enricher.prefetch(ticket);
            },
            onProgress: options.onProgress,
          });
          changed += result.changed;
          coverageChanged ||= result.coverageChanged;
        }
        const current = () => [...listed].map((id) => state.ticket(id)).filter((ticket): ticket is FreshserviceTicket => ticket !== undefined && enrichable(ticket));
        await enricher.ensure(current);
      } catch (error) {
        enricher.stop();
        throw error;
      }
      await saveMirror(state, changed > 0 || coverageChanged || enricher.ticketUpdates > 0);
      const cost = spent(before, client.stats());
      const coverages = account.scopes.map((scope) => state.scopes[scope.key] ?? emptyCoverage());
      const result: SyncResult = {
        ...cost,
        changed,
        enriched: enricher.enriched,
        surveysAskedAgain: enricher.surveysAskedAgain,
        ticketsInMirror: state.ticketCount,
        coveredSince: earliest(coverages.map((coverage) => coverage.coveredSince)),
        highWaterMark: coverages.map((coverage) => coverage.highWaterMark).reduce<string | null>((latest, mark) => (mark && (!latest || mark > latest) ? mark : latest), null),
      };
      logger.info({ ...result }, 'Freshservice mirror synced');
      return result;
    });
  }

  return { pull, syncMirror, datasetFile };
}
