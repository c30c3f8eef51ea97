/**
 * Who and what: the people who raised the most tickets, the problems that came back (by category and
 * sub-category, and tickets whose subjects say the same thing), figures of the tickets raised in the period.
 */
import type { DatasetTicket } from '../sources/helpdesk.js';
import { formatCount } from './durations.js';
import { categoryName } from './labels.js';
import { isProactive } from './metrics.js';

/** Names of the people tickets name as requester, and which of them are our own agents. */
export interface PeopleNames {
  names: Record<string, string>;
  agentIds: number[];
}

export interface WhoAndWhat {
  requesters: Array<{ name: string; tickets: string; share: string }>;
  categories: Array<{ label: string; tickets: string; share: string }>;
  /** Subjects that came back, with names and numbers left out: "Password reset for …". */
  repeated: Array<{ label: string; tickets: string }>;
}

const TOP = 5;
const STOP_PREFIX = /^\s*((re|fw|fwd|aw|wg|sv|tr)\s*:\s*|\[[^\]]*\]\s*)+/i;

function share(part: number, whole: number): string {
  return `${Math.round((part / whole) * 100)}%`;
}

function top<T>(counts: Map<string, { count: number; value: T }>): Array<[string, { count: number; value: T }]> {
  return [...counts].sort(([labelA, a], [labelB, b]) => b.count - a.count || labelA.localeCompare(labelB)).slice(0, TOP);
}

function tally<T>(counts: Map<string, { count: number; value: T }>, key: string, value: T): void {
  const entry = counts.get(key);
  if (entry) entry.count += 1;
  else counts.set(key, { count: 1, value });
}

/**
 * A subject as a pattern: numbers and people's names become "…", so "Password reset for Jan Smit" and
 * "Password reset for Ann Lee" are the same problem, as are "Printer on floor 2 jammed" and "… floor 4 jammed".
 */
export function subjectPattern(subject: string, nameWords: ReadonlySet<string>): string {
  const words = subject.replace(STOP_PREFIX, '').replace(/\s+/g, ' ').trim().split(' ');
  const bare = words.map((word) => word.replace(/[^\p{L}\p{N}'-]/gu, ''));
  const isName = (index: number) => bare[index]!.length > 1 && nameWords.has(bare[index]!.toLowerCase());
  const hidden = bare.map((word, index) => /\d/.test(word) || (isName(index) && /^\p{Lu}/u.test(word)));
  // "de", "van", "bin" inside a name are names too, when written between two parts of one.
  bare.forEach((_word, index) => {
    if (!hidden[index] && isName(index) && hidden[index - 1] && hidden[index + 1]) hidden[index] = true;
  });
  return words.map((word, index) => (hidden[index] ? '…' : word)).join(' ').replace(/…(\s*…)+/g, '…');
}

export function whoAndWhat(created: DatasetTicket[], people: PeopleNames | null): WhoAndWhat {
  const raisedByClient = created.filter((ticket) => !isProactive(ticket) && !(people && ticket.requester_id != null && people.agentIds.includes(ticket.requester_id)));
  const requesters = new Map<string, { count: number; value: null }>();
  for (const ticket of raisedByClient) {
    if (ticket.requester_id == null) continue;
    tally(requesters, people?.names[String(ticket.requester_id)] ?? `Requester ${ticket.requester_id}`, null);
  }
  const categories = new Map<string, { count: number; value: null }>();
  for (const ticket of created) {
    const sub = ticket.sub_category?.trim();
    tally(categories, sub ? `${categoryName(ticket.category)} › ${sub}` : categoryName(ticket.category), null);
  }
  const nameWords = new Set(Object.values(people?.names ?? {}).flatMap((name) => name.toLowerCase().split(/\s+/)).filter((word) => word.length > 1));
  const subjects = new Map<string, { count: number; value: string }>();
  for (const ticket of created) {
    const pattern = subjectPattern(ticket.subject, nameWords);
    tally(subjects, pattern.toLowerCase(), pattern);
  }
  return {
    requesters: top(requesters).map(([name, { count }]) => ({ name, tickets: formatCount(count), share: share(count, raisedByClient.length) })),
    categories: top(categories).map(([label, { count }]) => ({ label, tickets: formatCount(count), share: share(count, created.length) })),
    repeated: top(subjects)
      .filter(([, { count }]) => count >= 2)
      .map(([, { count, value }]) => ({ label: value, tickets: formatCount(count) })),
  };
}
