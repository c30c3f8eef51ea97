import { z } from 'zod';
import { computeMetrics, type Metrics } from '../../report/metrics.js';
import { formatDuration, formatDecimal } from '../../report/durations.js';
import { parsePeriod, periodFromRange } from '../../period/period.js';
import { DATASET_SCHEMA_VERSION, type Dataset } from '../../sources/helpdesk.js';
import { readDataFile } from '../../store/data-file.js';
import { UsageError } from '../errors.js';
import type { Output } from '../output.js';

/** What `metrics` reads of a dataset file, checked before any figure is computed from it. */
const DATASET_FILE_SCHEMA = z.object({
  schemaVersion: z.literal(DATASET_SCHEMA_VERSION),
  client: z.object({ id: z.number(), name: z.string() }),
  period: z.object({ from: z.string(), to: z.string() }),
  timezone: z.string(),
  statusLabels: z.record(z.string(), z.string()),
  tickets: z.array(
    z.object({
      id: z.number(),
      status: z.number(),
      priority: z.number(),
      created_at: z.string(),
      custom_fields: z.record(z.string(), z.unknown()),
      time_entries: z.array(z.object({ time_spent: z.string(), executed_at: z.string() })),
    }),
  ),
});

export interface MetricsOptions {
  input: string;
  period?: string;
  asOf?: string;
  sla: 'due-by' | 'targets';
}

function percent(value: number | null): string {
  return value === null ? '–' : `${formatDecimal(value, 1)} %`;
}

function counts(breakdown: Record<string, number>): string {
  const entries = Object.entries(breakdown).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? '–' : entries.map(([name, count]) => `${name} ${count}`).join(', ');
}

/** The metrics as a person reads them: one figure a line, durations in words. */
export function metricsLines(clientName: string, metrics: Metrics): string[] {
  const { tickets, sla, csat, time } = metrics;
  const row = (label: string, value: string) => `  ${label.padEnd(24)} ${value}`;
  return [
    `${clientName}: ${metrics.period.from} to ${metrics.period.to} (${metrics.period.timezone})`,
    row('Tickets created', `${tickets.created} (${tickets.resolved} resolved, ${tickets.open} open, ${tickets.proactive} proactive)`),
    row('Resolved in the period', String(tickets.resolvedInPeriod)),
    row('Open at the end', String(tickets.openAtEnd)),
    row('First response', `median ${formatDuration(metrics.firstResponse.medianSeconds)}, mean ${formatDuration(metrics.firstResponse.meanSeconds)}, 90 % within ${formatDuration(metrics.firstResponse.p90Seconds)}`),
    row('Resolution', `median ${formatDuration(metrics.resolution.medianSeconds)}, mean ${formatDuration(metrics.resolution.meanSeconds)}, 90 % within ${formatDuration(metrics.resolution.p90Seconds)}`),
    row(`SLA first reply (${sla.mode})`, `${percent(sla.firstResponse.percent)}: ${sla.firstResponse.met} met, ${sla.firstResponse.missed} missed, ${sla.firstResponse.pending} pending`),
    row(`SLA resolution (${sla.mode})`, `${percent(sla.resolution.percent)}: ${sla.resolution.met} met, ${sla.resolution.missed} missed, ${sla.resolution.pending} pending`),
    row('Satisfaction', csat.responses === 0 ? 'no survey answers' : `${percent(csat.percentPositive)} positive of ${csat.responses} answers`),
    row('Time logged', `${formatDecimal(time.hours, 2)} h (${formatDecimal(time.billableHours, 2)} h billable, ${time.entries} entries)`),
    row('By type', counts(metrics.breakdown.type)),
    row('By priority', counts(metrics.breakdown.priority)),
    row('By category', counts(metrics.breakdown.category)),
    row('By status', counts(metrics.breakdown.status)),
  ];
}

/** `integoreport metrics --input <dataset.json>`: the metrics of a dataset, readable or as JSON. */
export async function metrics(out: Output, options: MetricsOptions): Promise<void> {
  const dataset = await readDataFile<Dataset>(options.input, DATASET_FILE_SCHEMA);
  if (!dataset) throw new UsageError(`There is no dataset file ${options.input}.`, 'no-such-file');
  const asOf = options.asOf ? new Date(options.asOf) : new Date();
  if (Number.isNaN(asOf.getTime())) throw new UsageError(`--as-of "${options.asOf}" is not an ISO 8601 date and time.`, 'bad-argument');
  const period = options.period
    ? parsePeriod(options.period, { timezone: dataset.timezone, now: asOf })
    : periodFromRange(dataset.period.from, dataset.period.to, dataset.timezone);
  const result = computeMetrics(dataset, { period, asOf, sla: options.sla });
  out.result(result, () => metricsLines(dataset.client.name, result));
}
