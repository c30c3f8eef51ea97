/**
 * Mailchimp's `fields` / `exclude_fields` query parameters: comma-separated paths with dot notation
 * (`members.email_address,total_items`); a path through an array applies to every element.
 */
export function trimFields(body: unknown, fields: string | undefined, excludeFields: string | undefined): unknown {
  let result = body;
  if (fields) result = pick(result, parsePaths(fields));
  if (excludeFields) result = omit(result, parsePaths(excludeFields));
  return result;
}

/** Whether a `fields` list (absent = everything) asks for `path` or something inside or around it. */
export function isFieldRequested(fields: string | undefined, path: string): boolean {
  if (!fields) return true;
  return parsePaths(fields)
    .map((parts) => parts.join('.'))
    .some((requested) => requested === path || path.startsWith(`${requested}.`) || requested.startsWith(`${path}.`));
}

function parsePaths(list: string): string[][] {
  return list
    .split(',')
    .map((path) => path.trim())
    .filter(Boolean)
    .map((path) => path.split('.'));
}

function pick(value: unknown, paths: string[][]): unknown {
  if (Array.isArray(value)) return value.map((item) => pick(item, paths));
  if (!isRecord(value)) return value;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const matching = paths.filter((path) => path[0] === key);
    if (matching.length === 0) continue;
    if (matching.some((path) => path.length === 1)) result[key] = value[key];
    else result[key] = pick(value[key], matching.map((path) => path.slice(1)));
  }
  return result;
}

function omit(value: unknown, paths: string[][]): unknown {
  if (Array.isArray(value)) return value.map((item) => omit(item, paths));
  if (!isRecord(value)) return value;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const matching = paths.filter((path) => path[0] === key);
    if (matching.some((path) => path.length === 1)) continue;
    result[key] = matching.length === 0 ? value[key] : omit(value[key], matching.map((path) => path.slice(1)));
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
