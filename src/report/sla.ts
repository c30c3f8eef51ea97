/** SLA targets in calendar seconds per Freshservice priority, used when a ticket carries no due-by times. */
export const SLA_TARGETS: Readonly<Record<number, { firstResponseSeconds: number; resolutionSeconds: number }>> = {
  4: { firstResponseSeconds: 30 * 60, resolutionSeconds: 7 * 86_400 },
  3: { firstResponseSeconds: 2 * 3600, resolutionSeconds: 14 * 86_400 },
  2: { firstResponseSeconds: 3 * 3600, resolutionSeconds: 21 * 86_400 },
  1: { firstResponseSeconds: 4 * 3600, resolutionSeconds: 30 * 86_400 },
};

export type SlaMode = 'due-by' | 'targets';
export type SlaOutcome = 'met' | 'missed' | 'pending';

/**
 * The deadline for one SLA clock. `due-by` prefers Freshservice's own due time and falls back to the
 * target table; `targets` always uses the table. `null` when neither applies (unknown priority).
 */
export function slaDeadline(
  mode: SlaMode,
  kind: 'firstResponse' | 'resolution',
  ticket: { created_at: string; priority: number; fr_due_by: string | null; due_by: string | null },
): Date | null {
  if (mode === 'due-by') {
    const due = kind === 'firstResponse' ? ticket.fr_due_by : ticket.due_by;
    const dueDate = parseInstant(due);
    if (dueDate) return dueDate;
  }
  const target = SLA_TARGETS[ticket.priority];
  const created = parseInstant(ticket.created_at);
  if (!target || !created) return null;
  const seconds = kind === 'firstResponse' ? target.firstResponseSeconds : target.resolutionSeconds;
  return new Date(created.getTime() + seconds * 1000);
}

/** Met when done at or before the deadline; missed when done after it or still undone once it has passed. */
export function slaOutcome(deadline: Date, doneAt: Date | null, asOf: Date): SlaOutcome {
  if (doneAt) return doneAt.getTime() <= deadline.getTime() ? 'met' : 'missed';
  return asOf.getTime() > deadline.getTime() ? 'missed' : 'pending';
}

export function parseInstant(text: string | null | undefined): Date | null {
  if (!text) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}
