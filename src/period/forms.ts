/**
 * The period forms people may type, in one place: the list every help text and error shows, and
 * the shapes that tell a period apart from a client's name. Shapes only: whether "2026-13" is a
 * real month is decided by `parsePeriod`, which refuses it with this same list.
 */

export const PERIOD_FORMS: readonly string[] = Object.freeze([
  '2026-10',
  'last-month',
  'this-month',
  '2026-Q3',
  '2026-07..2026-09',
  '2026-10-01..2026-10-15',
]);

/** What an empty period means. */
export const DEFAULT_PERIOD = 'last-month';

const PERIOD_SHAPES: RegExp[] = [
  /^last-month$/i,
  /^this-month$/i,
  /^\d{4}-\d{1,2}$/,
  /^\d{4}-q\d$/i,
  /^\d{4}-\d{1,2}(-\d{1,2})?\.\.\d{4}-\d{1,2}(-\d{1,2})?$/,
];

/** Whether `text` is shaped like one of the period forms (valid or not). */
export function looksLikePeriod(text: string): boolean {
  return PERIOD_SHAPES.some((shape) => shape.test(text));
}

/**
 * Takes a trailing period off a command's words: "2026-10", "last month", "2026-07 .. 2026-09".
 * `wordOf` gives each item's text; an item whose text is '' (a quoted name) is never read as a period.
 */
export function splitTrailingPeriod<T>(items: readonly T[], wordOf: (item: T) => string): { rest: T[]; period?: string } {
  const words = items.map(wordOf);
  const count = items.length;
  if (count >= 3 && words[count - 2] === '..' && looksLikePeriod(`${words[count - 3]}..${words[count - 1]}`)) {
    return { rest: items.slice(0, -3), period: `${words[count - 3]}..${words[count - 1]}` };
  }
  if (count >= 2 && /^(last|this)$/i.test(words[count - 2]!) && /^month$/i.test(words[count - 1]!)) {
    return { rest: items.slice(0, -2), period: `${words[count - 2]!.toLowerCase()}-month` };
  }
  if (count >= 1 && looksLikePeriod(words[count - 1]!)) {
    return { rest: items.slice(0, -1), period: words[count - 1]!.toLowerCase() };
  }
  return { rest: [...items] };
}
