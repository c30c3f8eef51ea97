/** A value, or the function that makes it when it is first needed (the derived worlds cost a start time most runs never use). */
export type MadeOnUse<T extends object> = T | (() => T);

/** Gives the value, made at most once. */
export function madeOnUse<T extends object>(value: MadeOnUse<T>): () => T {
  if (typeof value !== 'function') return () => value;
  let made: T | undefined;
  return () => (made ??= value());
}
