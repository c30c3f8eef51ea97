/**
 * The few tickets a client's manager should hear about in the email: the longest open, then those that
 * missed a deadline, then the most urgent others. The full list stays in the web report and the PDF.
 */
import { formatDuration } from './durations.js';
import type { TicketRow } from './model.js';

export interface NotableTicket {
  id: number;
  subject: string;
  /** Why it is listed: "Open 23.4 days", "First reply late", "Urgent". */
  reason: string;
  tone: 'bad' | 'neutral';
  /** Priority, status and dates as the ticket table shows them. */
  detail: string;
}

export interface NotableCandidate {
  row: TicketRow;
  /** How long it had been open at the end of the period; null when it was not open then. */
  openAgeSeconds: number | null;
  resolutionMissed: boolean;
  createdInPeriod: boolean;
}

export const NOTABLE_LIMIT = 10;
const LONGEST_OPEN = 4;
const MISSED = 3;
const LONG_OPEN_SECONDS = 14 * 86_400;
const SUBJECT_LIMIT = 150;

function detail(row: TicketRow): string {
  return `${row.priority} · raised ${row.created} · ${row.resolved === '–' ? `now ${row.status}` : `resolved ${row.resolved}`}`;
}

function shortened(subject: string): string {
  return subject.length > SUBJECT_LIMIT ? `${subject.slice(0, SUBJECT_LIMIT - 1).trimEnd()}…` : subject;
}

export function notableTickets(candidates: NotableCandidate[], limit = NOTABLE_LIMIT): NotableTicket[] {
  const chosen: NotableTicket[] = [];
  const taken = new Set<number>();
  const take = (candidate: NotableCandidate, reason: string, tone: NotableTicket['tone']) => {
    if (chosen.length >= limit || taken.has(candidate.row.id)) return;
    taken.add(candidate.row.id);
    chosen.push({ id: candidate.row.id, subject: shortened(candidate.row.subject), reason, tone, detail: detail(candidate.row) });
  };
  const byPriority = (a: NotableCandidate, b: NotableCandidate) => b.row.prioritySort - a.row.prioritySort || a.row.createdSort.localeCompare(b.row.createdSort) || a.row.id - b.row.id;

  candidates
    .filter((candidate) => candidate.openAgeSeconds !== null)
    .sort((a, b) => b.openAgeSeconds! - a.openAgeSeconds! || a.row.id - b.row.id)
    .slice(0, LONGEST_OPEN)
    .forEach((candidate) => take(candidate, `Open ${formatDuration(candidate.openAgeSeconds)}`, candidate.openAgeSeconds! >= LONG_OPEN_SECONDS ? 'bad' : 'neutral'));
  candidates
    .filter((candidate) => !taken.has(candidate.row.id) && (candidate.row.sla.tone === 'missed' || candidate.resolutionMissed))
    .sort(byPriority)
    .slice(0, MISSED)
    .forEach((candidate) => take(candidate, candidate.row.sla.tone === 'missed' ? 'First reply late' : 'Resolution late', 'bad'));
  candidates
    .filter((candidate) => candidate.createdInPeriod && candidate.row.prioritySort >= 3)
    .sort((a, b) => byPriority(a, b) || b.row.resolutionSort - a.row.resolutionSort)
    .forEach((candidate) => take(candidate, candidate.row.priority, 'neutral'));
  return chosen;
}
