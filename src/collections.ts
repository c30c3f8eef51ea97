/** Small helpers for plain values, shared by every room. */

/** `items` in consecutive groups of `size` (the last one may be shorter). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let index = 0; index < items.length; index += size) groups.push(items.slice(index, index + size));
  return groups;
}

/** A copy without the keys whose value is undefined, so spreading it over defaults keeps the defaults. */
export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as Partial<T>;
}

/** At most `limit` characters (code points, so no emoji is cut in half), ending in "…" when shortened. */
export function truncate(text: string, limit: number): string {
  const characters = [...text];
  return characters.length <= limit ? text : `${characters.slice(0, limit - 1).join('')}…`;
}

/** ANSI escape sequences (CSI `ESC [ … letter`, OSC `ESC ] … BEL|ESC \`, and two-character ones), then any control character left. */
const TERMINAL_SEQUENCE = /\u001B(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001B]*(?:\u0007|\u001B\\)?|[@-Z\\-_])|\u009B[0-?]*[ -/]*[@-~]/g;
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * Text from outside without control characters (escape sequences that would clear a terminal or
 * recolour it, backspaces, carriage returns, NULs…). Line breaks and tabs stay; `\r\n` becomes `\n`.
 */
export function withoutControlCharacters(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(TERMINAL_SEQUENCE, '').replace(CONTROL_CHARACTER, '');
}
