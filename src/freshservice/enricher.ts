import pLimit from 'p-limit';
import type { FreshserviceClient } from './client.js';
import { FreshserviceError, FreshserviceNotFoundError, FreshservicePermissionError } from './errors.js';
import type { MirrorState, TicketEnrichment } from './mirror.js';
import { enrichmentDue, isFinished, type EnrichmentDue } from './selection.js';
import type { FreshserviceCsatResponse, FreshserviceTicket, FreshserviceTimeEntry } from './types.js';

/** A sorted copy, so files and datasets come out the same whatever order Freshservice listed things in. */
export function byId<T extends { id: number }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.id - b.id);
}

/** Fetches missing stats, time entries and CSAT per ticket as `enrichmentDue` says, with bounded concurrency. */
export class Enricher {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly running = new Map<string, Promise<void>>();
  private failure: { error: unknown } | undefined;
  private signalFailure: () => void = () => undefined;
  /** Settles on the first failure; work dropped from the queue after it never settles. */
  private readonly failed = new Promise<void>((resolve) => {
    this.signalFailure = resolve;
  });
  private done = 0;
  /** Changes made to the mirror state (enrichment stored, tickets replaced or dropped). */
  updates = 0;
  /** Of those, the ones that replaced or dropped a ticket. */
  ticketUpdates = 0;
  /** Ticket versions whose time entries or survey answer were stored. */
  enriched = 0;
  /** Unanswered surveys asked for again after their ticket changed. */
  surveysAskedAgain = 0;

  constructor(
    private readonly client: FreshserviceClient,
    private readonly state: MirrorState,
    concurrency: number,
    private readonly refresh: boolean,
    private readonly onProgress: (done: number, total: number) => void,
  ) {
    this.limit = pLimit(concurrency);
  }

  /** Whether this ticket version still lacks its stats, time entries or (once finished) CSAT. */
  needs(ticket: FreshserviceTicket): boolean {
    return this.callsNeeded(ticket) > 0;
  }

  /** The credits enriching this ticket version would cost: stats (2), time entries (1), CSAT (1). */
  callsNeeded(ticket: FreshserviceTicket): number {
    const due = this.due(ticket);
    return (ticket.stats ? 0 : 2) + (due.timeEntries ? 1 : 0) + (due.survey ? 1 : 0);
  }

  private due(ticket: FreshserviceTicket): EnrichmentDue {
    return this.refresh ? { timeEntries: true, survey: isFinished(ticket) } : enrichmentDue(ticket, this.state.enrichmentOf(ticket.id));
  }

  /** Starts enriching a ticket version now (while the sync is still paging). */
  prefetch(ticket: FreshserviceTicket): void {
    if (!this.refresh && !this.needs(ticket)) return;
    this.start(`${ticket.id}@${ticket.updated_at}`, () => this.enrich(ticket));
  }

  private start(key: string, task: () => Promise<void>): void {
    if (this.failure || this.running.has(key)) return;
    const work = this.limit(task).then(
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
    let ticket = listed;
    if (!ticket.stats) {
      const detail = await this.fetchWithStats(ticket.id);
      this.updates += 1;
      this.ticketUpdates += 1;
      if (!detail) {
        await this.state.remove(ticket.id);
        return;
      }
      await this.state.upsert(detail);
      ticket = this.state.ticket(ticket.id) ?? detail;
    }
    const prior = this.state.enrichmentOf(ticket.id);
    const due = this.due(ticket);
    if (!due.timeEntries && !due.survey) return;
    // What is not due is kept: time entries fetched for this very version, a survey answered or no longer asked for.
    const [timeEntries, csat] = await Promise.all([
      due.timeEntries ? this.fetchTimeEntries(ticket.id) : Promise.resolve(prior!.timeEntries),
      due.survey ? this.fetchCsat(ticket.id) : Promise.resolve(isFinished(ticket) ? prior?.csat : undefined),
    ]);
    const current = this.state.ticket(ticket.id);
    if (current && current.updated_at !== ticket.updated_at) return;
    const enrichment: TicketEnrichment = { fetchedFor: ticket.updated_at, timeEntries: byId(timeEntries) };
    if (csat !== undefined) enrichment.csat = csat;
    this.state.setEnrichment(ticket.id, enrichment);
    this.updates += 1;
    this.enriched += 1;
    if (due.survey && prior?.csat === null) this.surveysAskedAgain += 1;
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
