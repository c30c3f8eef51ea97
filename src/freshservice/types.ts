/** Raw Freshservice API v2 shapes, with Freshservice's own field names. Every field the API may return as null is nullable. */

export interface FreshserviceTicketStats {
  ticket_id?: number;
  created_at?: string | null;
  updated_at?: string | null;
  opened_at?: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  first_responded_at: string | null;
  agent_responded_at?: string | null;
  requester_responded_at?: string | null;
  status_updated_at?: string | null;
  pending_since?: string | null;
  first_assigned_at?: string | null;
  assigned_at?: string | null;
  group_escalated?: boolean;
  inbound_count?: number;
  outbound_count?: number;
  first_resp_time_in_secs?: number | null;
  resolution_time_in_secs?: number | null;
}

export interface FreshserviceTicket {
  id: number;
  workspace_id?: number | null;
  subject: string;
  description_text?: string | null;
  status: number;
  priority: number;
  urgency?: number | null;
  impact?: number | null;
  source?: number | null;
  type: string | null;
  category: string | null;
  sub_category?: string | null;
  item_category?: string | null;
  department_id: number | null;
  requester_id: number | null;
  requested_for_id?: number | null;
  responder_id: number | null;
  group_id: number | null;
  created_at: string;
  updated_at: string;
  due_by: string | null;
  fr_due_by: string | null;
  fr_escalated?: boolean;
  is_escalated?: boolean;
  spam?: boolean;
  deleted?: boolean;
  tags?: string[];
  custom_fields: Record<string, unknown>;
  stats?: FreshserviceTicketStats;
}

export interface FreshserviceTimeEntry {
  id: number;
  workspace_id?: number | null;
  created_at: string;
  updated_at: string;
  start_time: string | null;
  timer_running: boolean;
  billable: boolean;
  time_spent: string;
  executed_at: string;
  task_id: number | null;
  note: string | null;
  agent_id: number;
  custom_fields?: Record<string, unknown>;
}

export interface FreshserviceCsatResponse {
  id: number;
  overall_rating: number | null;
  overall_rating_text: string | null;
  primary_question?: string | null;
  score?: { acquired_score: number; total_score: number } | null;
  questionnaire_responses?: Array<{ question: { question_text: string }; answers: Array<{ answer_text: string }> }>;
  created_at: string;
  updated_at: string;
}

export interface FreshserviceDepartment {
  id: number;
  name: string;
  description: string | null;
  head_user_id: number | null;
  prime_user_id: number | null;
  domains: string[];
  custom_fields: Record<string, unknown>;
  workspace_id?: number | null;
  created_at: string;
  updated_at: string;
}

/** `GET /workspaces`: a workspace (Employee Support Mode) or a client (MSP mode, with `metadata`). */
export interface FreshserviceWorkspace {
  id: number;
  name: string;
  description?: string | null;
  /** "workspace" or "client" (the docs also write "Client"). */
  type?: string;
  primary?: boolean;
  state?: string;
  metadata?: {
    primary_contact?: { first_name?: string | null; last_name?: string | null; email?: string | null; phone?: string | null } | null;
    email_domains?: string[] | null;
    custom_fields?: Record<string, unknown>;
  } | null;
}

export interface FreshserviceRequester {
  id: number;
  first_name: string;
  last_name: string | null;
  job_title?: string | null;
  primary_email: string | null;
  secondary_emails?: string[];
  department_ids: number[];
  /** MSP mode: the client the contact belongs to (one id). */
  belongs_to_workspace_ids?: number[];
  active: boolean;
  is_agent?: boolean;
  created_at?: string;
  updated_at?: string;
}

export interface FreshserviceAgent {
  id: number;
  first_name: string;
  last_name: string | null;
  email: string | null;
  department_ids?: number[];
  active: boolean;
}

export interface FreshserviceFormFieldChoice {
  id: number | string;
  value: string;
  requester_display_value?: string;
  nested_options?: FreshserviceFormFieldChoice[];
}

export interface FreshserviceFormField {
  id: number;
  name: string;
  label: string;
  field_type: string;
  choices?: FreshserviceFormFieldChoice[];
}

/** Freshservice's error body: `{ description, errors: [{ field?, message, code }] }`. */
export interface FreshserviceErrorBody {
  description?: string;
  errors?: Array<{ field?: string; message: string; code?: string }>;
  code?: string;
  message?: string;
}
