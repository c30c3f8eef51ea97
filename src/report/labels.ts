const PRIORITY_NAMES: Readonly<Record<number, string>> = { 1: 'Low', 2: 'Medium', 3: 'High', 4: 'Urgent' };
const STATUS_LABELS: Readonly<Record<number, string>> = { 2: 'Open', 3: 'Pending', 4: 'Resolved', 5: 'Closed' };

export const RESOLVED_STATUSES: ReadonlySet<number> = new Set([4, 5]);

export function priorityName(priority: number): string {
  return PRIORITY_NAMES[priority] ?? 'Unknown';
}

/** The tenant's own label (custom statuses included) first, then Freshservice's defaults, else "Status N". */
export function statusLabel(status: number, tenantLabels: Readonly<Record<string, string>>): string {
  return tenantLabels[String(status)] ?? STATUS_LABELS[status] ?? `Status ${status}`;
}

export function typeName(type: unknown): string {
  return textOr(type, 'Unspecified');
}

/** Freshservice documents `category` as a number but sends strings; accept both. */
export function categoryName(category: unknown): string {
  return textOr(category, 'Uncategorized');
}

function textOr(value: unknown, fallback: string): string {
  const text = value === null || value === undefined ? '' : String(value).trim();
  return text === '' ? fallback : text;
}
