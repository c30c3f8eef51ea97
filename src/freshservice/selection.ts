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
 * Days after resolution at which an unanswered survey is asked for again. Surveys are answered hours to days
 * after resolution, and (unverified) an answer does not change the ticket's `updated_at`, so the listing alone
 * would never show it. Spaced out rather than nightly: a nightly check for two weeks would cost more credits
 * a month than one digest enriching everything from scratch.
 */
export const SURVEY_RECHECK_DAYS: readonly number[] = [1, 3, 7, 14];
/** The last check may run up to a day late (a nightly sync after its moment); after that, never again. */
const SURVEY_RECHECK_GRACE_MS = DAY_MS;

/**
 * Whether a finished ticket's survey should be asked for again now: its current version was enriched, nobody
 * has answered yet, and a recheck day has passed since the last time it was asked for, within two weeks (and
 * a day's grace) of resolution.
 */
export function surveyRecheckDue(ticket: FreshserviceTicket, enrichment: TicketEnrichment | undefined, now: Date): boolean {
  if (!enrichment || enrichment.fetchedFor !== ticket.updated_at || enrichment.csat !== null) return false;
  const finished = finishedAt(ticket);
  if (finished === null || ticket.spam || ticket.deleted) return false;
  const finishedMs = Date.parse(finished);
  const last = SURVEY_RECHECK_DAYS[SURVEY_RECHECK_DAYS.length - 1]!;
  if (now.getTime() > finishedMs + last * DAY_MS + SURVEY_RECHECK_GRACE_MS) return false;
  const passed = SURVEY_RECHECK_DAYS.filter((days) => finishedMs + days * DAY_MS <= now.getTime());
  if (passed.length === 0) return false;
  const checkedAt = Date.parse(enrichment.csatCheckedAt ?? enrichment.fetchedFor);
  return checkedAt < finishedMs + passed[passed.length - 1]! * DAY_MS;
}
