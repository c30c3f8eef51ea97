import type { FreshserviceCsatResponse, FreshserviceTicket, FreshserviceTimeEntry } from '../freshservice/types.js';

export const DATASET_SCHEMA_VERSION = 1;

/** A ticket exactly as Freshservice returned it (with `stats`), plus its time entries and CSAT response. */
export interface DatasetTicket extends FreshserviceTicket {
  time_entries: FreshserviceTimeEntry[];
  csat_response: FreshserviceCsatResponse | null;
}

/**
 * Everything one client's report for one period needs: tickets created in the period,
 * resolved in it, or still open at its end. Written as JSON under DATA_DIR/datasets/.
 */
export interface Dataset {
  schemaVersion: typeof DATASET_SCHEMA_VERSION;
  client: { id: number; name: string };
  /** Half-open [from, to) as ISO 8601 instants with offset. */
  period: { from: string; to: string };
  timezone: string;
  pulledAt: string;
  /** Status code → label, including custom statuses from /ticket_form_fields. */
  statusLabels: Record<string, string>;
  tickets: DatasetTicket[];
}
