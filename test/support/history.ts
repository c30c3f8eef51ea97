import type { HistoryEntry } from '../../src/report/history.js';
import type { Metrics } from '../../src/report/metrics.js';

/** A month's entry of a year of trends as that month's own report gives its figures, written out for comparison. */
export function entryFromReport(month: { key: string; label: string }, metrics: Metrics): HistoryEntry {
  return {
    month: month.key,
    label: month.label,
    tickets: metrics.tickets.created,
    resolved: metrics.tickets.resolvedInPeriod,
    openAtEnd: metrics.tickets.openAtEnd,
    sla: { met: metrics.sla.firstResponse.met, missed: metrics.sla.firstResponse.missed, percent: metrics.sla.firstResponse.percent },
    csat: { responses: metrics.csat.responses, positive: metrics.csat.positive, percentPositive: metrics.csat.percentPositive },
    hours: metrics.time.hours,
    billableHours: metrics.time.billableHours,
  };
}
