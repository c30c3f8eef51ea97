/**
 * The helpdesk dataset: what a helpdesk source writes for one client and period, and everything the
 * report's metrics and model read from it. Freshservice is the helpdesk source today; the dataset keeps
 * its field names and codes (status 2 Open, 3 Pending, 4 Resolved, 5 Closed; priority 1 Low … 4 Urgent),
 * so a dataset file holds each ticket as Freshservice returned it. The fields below are the contract:
 * a source fills every one of them, and the report reads nothing else.
 */

export const DATASET_SCHEMA_VERSION = 1;

export interface DatasetTicketStats {
  first_responded_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
}

export interface DatasetTimeEntry {
  /** "hh:mm". */
  time_spent: string;
  executed_at: string;
  billable: boolean;
  timer_running: boolean;
}

export interface DatasetCsatResponse {
  /** "Happy", "3/4", "3 out of 5"…; read when there is no `score`. */
  overall_rating_text: string | null;
  score?: { acquired_score: number; total_score: number } | null;
  created_at: string;
}

export interface DatasetTicket {
  id: number;
  subject: string;
  status: number;
  priority: number;
  type: string | null;
  category: string | null;
  sub_category?: string | null;
  /** Who raised it: a person of the client, or one of our agents for work we started. */
  requester_id?: number | null;
  created_at: string;
  /** The helpdesk's own SLA due times, when it has them. */
  due_by: string | null;
  fr_due_by: string | null;
  deleted?: boolean;
  spam?: boolean;
  /** `proactive_case: true` marks work we started ourselves. */
  custom_fields: Record<string, unknown>;
  stats?: DatasetTicketStats;
  time_entries: DatasetTimeEntry[];
  csat_response: DatasetCsatResponse | null;
}

/**
 * Everything one client's report for one period needs: tickets created in the period,
 * resolved in it, or still open at its end. Written as JSON under DATA_DIR/datasets/.
 */
export interface Dataset<Ticket extends DatasetTicket = DatasetTicket> {
  schemaVersion: typeof DATASET_SCHEMA_VERSION;
  client: { id: number; name: string };
  /** Half-open [from, to) as ISO 8601 instants with offset. */
  period: { from: string; to: string };
  timezone: string;
  pulledAt: string;
  /** Status code → label, including custom statuses. */
  statusLabels: Record<string, string>;
  tickets: Ticket[];
  /**
   * Tickets whose time entries and CSAT were not fetched (a pull with an enrichment budget): their
   * `time_entries` and `csat_response` are empty for want of data, not because there is none.
   */
  unenriched?: number[];
}
