import Fuse from 'fuse.js';
import type { ClientEntry, ClientLookup } from './types.js';
import { foldText, textSimilarity } from './names.js';

/** Fuse scores run from 0 (perfect) to 1; above this a name is not a match. */
const FUZZY_THRESHOLD = 0.4;
/** A fuzzy match must also be this alike by edits, so "Initrode" does not find "Initech". */
const MIN_SIMILARITY = 0.7;
/** Fuzzy matches this close to the best one are as likely as it, so the person must choose. */
const CLOSE_SCORE_GAP = 0.1;
const MAX_CANDIDATES = 8;
const MAX_SUGGESTIONS = 3;

/**
 * Finds a client from what a person typed: its id, its exact name (case and accents ignored), a
 * part of its name, or a misspelling. Several equally good matches give `ambiguous`, never a guess.
 */
export function lookupClient(text: string, entries: readonly ClientEntry[]): ClientLookup {
  return lookupByName(text, entries);
}

export type NameLookup<T> = { kind: 'found'; client: T } | { kind: 'ambiguous'; candidates: T[] } | { kind: 'not-found'; suggestions: T[] };

/** The same rules for anything named: an id, the exact name, a part of it, or a close misspelling; never a guess among equals. */
export function lookupByName<T extends { id: number | string; name: string }>(text: string, entries: readonly T[]): NameLookup<T> {
  const query = foldText(text.replace(/^#/, ''));
  if (!query) return { kind: 'not-found', suggestions: [] };
  if (/^\d+$/.test(query)) {
    const byId = entries.find((entry) => String(entry.id) === query);
    if (byId) return { kind: 'found', client: byId };
  }
  const folded = entries.map((entry) => ({ entry, name: foldText(entry.name) }));
  const decide = (matches: T[]): NameLookup<T> | undefined => {
    if (matches.length === 1) return { kind: 'found', client: matches[0]! };
    if (matches.length > 1) return { kind: 'ambiguous', candidates: matches.slice(0, MAX_CANDIDATES) };
    return undefined;
  };
  const exact = decide(folded.filter((item) => item.name === query).map((item) => item.entry));
  if (exact) return exact;
  const partial = decide(folded.filter((item) => item.name.includes(query)).map((item) => item.entry));
  if (partial) return partial;

  const fuse = new Fuse(folded, { keys: ['name'], includeScore: true, ignoreLocation: true, threshold: FUZZY_THRESHOLD });
  const close = fuse.search(query).filter((result) => textSimilarity(query, result.item.name) >= MIN_SIMILARITY);
  if (close.length > 0) {
    const best = close[0]!.score ?? 0;
    const fuzzy = decide(close.filter((result) => (result.score ?? 1) - best <= CLOSE_SCORE_GAP).map((result) => result.item.entry));
    if (fuzzy) return fuzzy;
  }
  const suggestions = folded
    .map((item) => ({ entry: item.entry, similarity: textSimilarity(query, item.name) }))
    .filter((item) => item.similarity > 0)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, MAX_SUGGESTIONS)
    .map((item) => item.entry);
  return { kind: 'not-found', suggestions };
}
