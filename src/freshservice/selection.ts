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
