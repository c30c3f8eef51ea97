import type { TicketEnrichment } from './mirror.js';
import type { FreshserviceTicket } from './types.js';

/** Resolved (4) and Closed (5). */
export const FINISHED_STATUSES: ReadonlySet<number> = new Set([4, 5]);

/** Resolved or Closed right now. */
export function isFinished(ticket: FreshserviceTicket): boolean {
  return FINISHED_STATUSES.has(ticket.status);
}

/**
 * When the ticket stopped being open: `stats.resolved_at`, else `stats.closed_at` (closed without
 * passing Resolved), else `updated_at` for a finished ticket without stats. Null while open, including
 * a reopened ticket.
 */
export function finishedAt(ticket: FreshserviceTicket): string | null {
  if (!isFinished(ticket)) return null;
  return ticket.stats?.resolved_at ?? ticket.stats?.closed_at ?? ticket.updated_at;
}

/**
 * A ticket matters for [from, to) when it was created in it, resolved in it, or still open at its end
 * (created before `to` and not resolved before `to`). Spam and deleted tickets never matter.
 */
export function mattersForPeriod(ticket: FreshserviceTicket, from: Date, to: Date): boolean {
  if (ticket.spam || ticket.deleted) return false;
  const created = Date.parse(ticket.created_at);
  if (!(created < to.getTime())) return false;
  if (created >= from.getTime()) return true;
  const finished = finishedAt(ticket);
  return finished === null || Date.parse(finished) >= from.getTime();
}

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * How long after resolution an unanswered survey is asked for again when the ticket changes. A submitted
 * survey adds a feedback conversation and an activity, which update the ticket (see README.md, "Survey
 * answers"), so the listing shows the ticket again when it is answered: nothing is asked for blindly.
 */
const SURVEY_WINDOW_DAYS = 14;

/** Which per-ticket calls a ticket version still needs. */
export interface EnrichmentDue {
  timeEntries: boolean;
  survey: boolean;
}

/**
 * What to fetch for a ticket version, given what was fetched before: its time entries once for every new
 * version; its survey answer only once it is finished: the first time, then again on each change within
 * `SURVEY_WINDOW_DAYS` of resolution while nobody has answered. An answer is final.
 */
export function enrichmentDue(ticket: FreshserviceTicket, prior: TicketEnrichment | undefined): EnrichmentDue {
  const changed = !prior || prior.fetchedFor !== ticket.updated_at;
  const finished = finishedAt(ticket);
  if (finished === null) return { timeEntries: changed, survey: false };
  if (!prior || prior.csat === undefined) return { timeEntries: changed, survey: true };
  const withinWindow = Date.parse(ticket.updated_at) <= Date.parse(finished) + SURVEY_WINDOW_DAYS * DAY_MS;
  return { timeEntries: changed, survey: changed && prior.csat === null && withinWindow };
}
