import type { FreshserviceTicket, FreshserviceTimeEntry } from '../src/freshservice/types.js';
import type { SandboxWorld } from '../src/sandbox/index.js';

type History = Pick<SandboxWorld, 'tickets' | 'timeEntries' | 'csat'>;

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An instant if it happened by `at`, else null. */
function by(instant: string | null | undefined, at: number): string | null {
  return instant && Date.parse(instant) <= at ? instant : null;
}

/**
 * A ticket as it stood at `at`: what had happened by then (first reply, pending, resolution, closing, the
 * requester's replies, the time logged, the survey answered), updated when the latest of those happened. A
 * survey answer updates the ticket as the simulated service's `answerSurvey` does (its feedback conversation).
 */
function ticketAt(ticket: FreshserviceTicket, entries: FreshserviceTimeEntry[], answeredAt: string | null, at: number): FreshserviceTicket {
  const stats = ticket.stats!;
  const responded = by(stats.first_responded_at, at);
  const resolved = by(stats.resolved_at, at);
  const closed = by(stats.closed_at, at);
  const pending = by(stats.pending_since, at);
  const events = [ticket.created_at, responded, resolved, closed, pending, by(stats.requester_responded_at, at), answeredAt, ...entries.map((entry) => entry.executed_at)];
  const updated = isoSeconds(Math.max(...events.filter((event): event is string => event !== null).map((event) => Date.parse(event))));
  const status = closed ? 5 : resolved ? 4 : pending && ![4, 5].includes(ticket.status) ? ticket.status : 2;
  return {
    ...ticket,
    status,
    updated_at: updated,
    stats: {
      ...stats,
      updated_at: updated,
      status_updated_at: closed ?? resolved ?? pending ?? ticket.created_at,
      pending_since: status === 2 ? null : pending,
      resolved_at: resolved,
      closed_at: closed,
      agent_responded_at: by(stats.agent_responded_at, at),
      requester_responded_at: by(stats.requester_responded_at, at),
      first_responded_at: responded,
      first_resp_time_in_secs: responded ? stats.first_resp_time_in_secs : null,
      resolution_time_in_secs: resolved ? stats.resolution_time_in_secs : 0,
      first_assigned_at: by(stats.first_assigned_at, at),
    },
  };
}

/**
 * Shows the simulated account as it stood at `at`: `live` (the world a running simulated Freshservice serves)
 * gets the tickets created by then in their state of that moment, the time logged by then and the survey
 * answers given by then, taken from `full` (the same world as seeded, at its anchor).
 */
export function showWorldAsOf(live: SandboxWorld, full: History, at: Date): void {
  const moment = at.getTime();
  const timeEntries: SandboxWorld['timeEntries'] = {};
  const tickets: FreshserviceTicket[] = [];
  for (const ticket of full.tickets) {
    if (Date.parse(ticket.created_at) > moment) continue;
    const entries = (full.timeEntries[ticket.id] ?? []).filter((entry) => Date.parse(entry.executed_at) <= moment);
    if (entries.length > 0) timeEntries[ticket.id] = entries;
    tickets.push(ticketAt(ticket, entries, by(full.csat[ticket.id]?.created_at, moment), moment));
  }
  live.tickets = tickets;
  live.timeEntries = timeEntries;
  live.csat = Object.fromEntries(Object.entries(full.csat).filter(([, answer]) => Date.parse(answer.created_at) <= moment));
}
