import type {
  FreshserviceAgent,
  FreshserviceCsatResponse,
  FreshserviceDepartment,
  FreshserviceTicket,
  FreshserviceTicketStats,
  FreshserviceTimeEntry,
} from '../../freshservice/types.js';
import type { Rng } from '../rng.js';
import type { IncidentSpike } from './volumes.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const GROUPS = [
  { id: 21_000_001_001, name: 'Service Desk' },
  { id: 21_000_001_002, name: 'Network Team' },
  { id: 21_000_001_003, name: 'Field Services' },
  { id: 21_000_001_004, name: 'Security Operations' },
] as const;

export const CATEGORIES: Record<string, { group: number; subCategories: string[]; subjects: string[] }> = {
  Hardware: {
    group: 2,
    subCategories: ['Laptop', 'Desktop', 'Monitor', 'Peripherals'],
    subjects: ["Laptop won't power on", 'Monitor flickering at desk {n}', 'Docking station not detecting second screen', 'Keyboard replacement for {name}', 'New laptop for new starter {name}', 'Battery swelling on laptop'],
  },
  Software: {
    group: 0,
    subCategories: ['Microsoft 365', 'Line of business', 'Installation'],
    subjects: ['Excel crashes when opening large workbook', 'Install Adobe Acrobat Pro for {name}', 'Teams keeps signing me out', 'Outlook add-in missing after update', 'AutoCAD licence renewal', 'Accounting package update failed'],
  },
  Network: {
    group: 1,
    subCategories: ['Wi-Fi', 'VPN', 'Internet', 'Firewall'],
    subjects: ['Wi-Fi drops in meeting room {n}', 'VPN disconnects every 10 minutes', 'Slow internet at the branch office', 'Cannot reach the shared drive', 'Firewall rule request for vendor portal', 'Switch port dead at desk {n}'],
  },
  Access: {
    group: 0,
    subCategories: ['Password', 'New user', 'Leaver', 'Permissions'],
    subjects: ['Password reset for {name}', 'MFA device lost', 'Access to the Finance shared folder', 'New user account for {name}', 'Disable account for leaver {name}', 'Locked out after password change'],
  },
  Email: {
    group: 0,
    subCategories: ['Mailbox', 'Delivery', 'Shared mailbox'],
    subjects: ['Mailbox full', 'Emails to a customer bouncing', 'Shared mailbox permissions for {name}', 'Phishing email reported', 'Calendar invites not arriving', 'Out of office not working'],
  },
  Printing: {
    group: 2,
    subCategories: ['Printer', 'Scanner', 'Consumables'],
    subjects: ['Printer on floor {n} jammed', 'Cannot print to the colour printer', 'Scanner not sending to email', 'Toner replacement for printer {n}', 'Print jobs stuck in queue'],
  },
  Security: {
    group: 3,
    subCategories: ['Alert', 'Endpoint', 'Awareness'],
    subjects: ['Suspicious login alert for {name}', 'Antivirus flagged a downloaded file', 'USB device blocked', 'Security awareness training access', 'Lost phone with company email'],
  },
};

/** Work our agents raise themselves, from monitoring (source 14, Alerts) or on their own initiative (source 2, Portal). */
const PROACTIVE_WORK: ReadonlyArray<{ subject: string; source: number; category: string }> = [
  { subject: 'Proactive: disk space low on FS0{n}', source: 14, category: 'Hardware' },
  { subject: 'Proactive: backup job failed on SQL0{n}', source: 14, category: 'Software' },
  { subject: 'Proactive: certificate expiring on the client portal', source: 14, category: 'Security' },
  { subject: 'Proactive: patching completed on {n} servers', source: 2, category: 'Software' },
  { subject: 'Proactive: firmware update for firewall', source: 2, category: 'Network' },
];

/** Subjects that must come out escaped everywhere they are shown or sent. */
export const HOSTILE_SUBJECTS = [
  'Printer shows <script>alert(1)</script> on its display',
  'Hi *|FNAME|*, your mailbox is almost full',
  'Template {{x}} not rendering in the HR portal',
  'בעיה בהתחברות ל-VPN מהבית',
  'لا يمكن الوصول إلى البريد الإلكتروني',
  'Q3 "Budget" & <Forecast> sheet won\'t open',
];

/** Freshservice SLA defaults by priority (calendar time): first reply, resolution. */
const SLA_TARGETS: Record<number, [number, number]> = {
  4: [30 * MINUTE, 7 * DAY],
  3: [2 * HOUR, 14 * DAY],
  2: [3 * HOUR, 21 * DAY],
  1: [4 * HOUR, 30 * DAY],
};
const TYPICAL_RESOLUTION: Record<number, number> = { 4: 6 * HOUR, 3: 30 * HOUR, 2: 72 * HOUR, 1: 120 * HOUR };
/** Minutes one logged work session takes, by priority: most tickets take well under an hour in all. */
const SESSION_MINUTES: Record<number, readonly number[]> = {
  1: [10, 15, 20, 30, 45],
  2: [15, 20, 30, 45, 60],
  3: [20, 30, 45, 60, 90],
  4: [30, 45, 60, 90, 120, 180],
};

export const TICKET_ID_BASE = 10_000;
const TIME_ENTRY_ID_BASE = 70_000;
const CSAT_ID_BASE = 21_000_500_000;

export interface TicketPlan {
  departmentId: number;
  createdMs: number;
  /** Raised by this incident: its category and subjects, a higher priority, never proactive. */
  incident?: IncidentSpike;
}

export interface TicketsSeed {
  tickets: FreshserviceTicket[];
  timeEntries: Record<number, FreshserviceTimeEntry[]>;
  csat: Record<number, FreshserviceCsatResponse>;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A creation instant in [fromMs, toMs), mostly inside office hours on weekdays. */
export function creationTime(rng: Rng, fromMs: number, toMs: number): number {
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const day = fromMs + Math.floor(rng.next() * (toMs - fromMs));
    const date = new Date(day);
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
    if (weekend && rng.chance(0.8)) continue;
    const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), rng.int(7, 17), rng.int(0, 59), rng.int(0, 59));
    if (start >= fromMs && start < toMs) return start;
    return Math.floor(day / 1000) * 1000;
  }
  return Math.floor((fromMs + Math.floor(rng.next() * (toMs - fromMs))) / 1000) * 1000;
}

export function seedTickets(
  rng: Rng,
  options: { anchorMs: number; plans: TicketPlan[]; departments: FreshserviceDepartment[]; agents: FreshserviceAgent[]; requestersByDepartment: Map<number, number[]>; requesterNames: Map<number, string> },
): TicketsSeed {
  const { anchorMs } = options;
  const plans = [...options.plans].sort((a, b) => a.createdMs - b.createdMs || a.departmentId - b.departmentId);
  const activeAgents = options.agents.filter((agent) => agent.active);
  const tickets: FreshserviceTicket[] = [];
  const timeEntries: Record<number, FreshserviceTimeEntry[]> = {};
  const csat: Record<number, FreshserviceCsatResponse> = {};
  let nextTimeEntryId = TIME_ENTRY_ID_BASE;

  plans.forEach((plan, index) => {
    const id = TICKET_ID_BASE + index;
    const created = plan.createdMs;
    const { incident } = plan;
    // Proactive work is raised by one of our agents; everything else by someone at the client.
    const proactiveWork = incident === undefined && rng.chance(0.1) ? rng.pick(PROACTIVE_WORK) : undefined;
    const proactive = proactiveWork !== undefined;
    const requesterIds = options.requestersByDepartment.get(plan.departmentId) ?? [];
    const requesterId = proactive ? rng.pick(activeAgents).id : pickRequester(rng, requesterIds);
    const requesterName = requesterId === null ? 'a colleague' : options.requesterNames.get(requesterId) ?? 'a colleague';
    const priority = incident ? rng.weighted([[1, 5], [2, 40], [3, 40], [4, 15]] as const) : rng.weighted([[1, 15], [2, 55], [3, 22], [4, 8]] as const);
    const categoryName = proactiveWork?.category ?? incident?.category ?? rng.pick(Object.keys(CATEGORIES));
    const category = CATEGORIES[categoryName]!;
    const template = proactiveWork?.subject ?? rng.pick(incident?.subjects ?? category.subjects);
    const subject = template.replace('{n}', String(rng.int(1, 6))).replace('{name}', requesterName);
    const type = proactive || incident !== undefined || rng.chance(0.62) ? 'Incident' : 'Service Request';
    const [frTarget, resolveTarget] = SLA_TARGETS[priority]!;
    const hasDueBys = !rng.chance(0.02);
    const frDue = created + frTarget;
    const due = created + resolveTarget;

    const ageMs = anchorMs - created;
    let firstResponse: number | null = created + Math.round(frTarget * (0.05 + 1.4 * rng.next() ** 2));
    // Unanswered tickets are recent ones: older ones were all picked up but for a rare straggler.
    if (rng.chance(ageMs < 2 * HOUR ? 0.5 : ageMs < 14 * DAY ? 0.02 : 0.002) || firstResponse > anchorMs) firstResponse = null;
    // An incident's surge of tickets queues behind itself: three times the usual time to resolve.
    const strain = incident ? 3 : 1;
    let resolved: number | null = created + Math.round(TYPICAL_RESOLUTION[priority]! * strain * (0.1 + 3 * rng.next() ** 3) * (rng.chance(0.03) ? 8 : 1));
    // A few wait weeks on a vendor, a delivery or the client: the backlog that outlives its month. One in five of
    // those older than a month was parked and forgotten: still waiting now, untouched since its first days.
    const waiting = incident === undefined && rng.chance(0.05);
    const parked = waiting && ageMs > 30 * DAY && rng.chance(0.2);
    if (waiting) resolved = parked ? null : created + rng.int(20, 75) * DAY;
    const activeUntil = parked ? created + rng.int(3, 12) * DAY : anchorMs;
    if (firstResponse !== null && resolved !== null && resolved < firstResponse) resolved = firstResponse + rng.int(5, 90) * MINUTE;
    if (firstResponse === null && !rng.chance(0.01)) resolved = null;
    if (resolved !== null && resolved > anchorMs) resolved = null;
    let closed: number | null = resolved === null ? null : resolved + rng.int(48, 96) * HOUR;
    if (closed !== null && closed > anchorMs) closed = null;
    let status: number;
    let pendingSince: number | null = null;
    if (closed !== null) status = 5;
    else if (resolved !== null) status = 4;
    else {
      status = parked ? rng.weighted([[3, 30], [6, 30], [7, 40]] as const) : rng.weighted([[2, 45], [3, 20], [6, 20], [7, 15]] as const);
      if (status !== 2) pendingSince = created + Math.floor(rng.next() * Math.max(1, activeUntil - created));
    }
    // Some closed tickets skipped Resolved: Freshservice leaves resolved_at null for them.
    if (status === 5 && rng.chance(0.04)) resolved = null;

    const outbound = firstResponse === null ? 0 : rng.int(1, 4);
    const inbound = proactive ? 0 : rng.int(0, 3);
    const requesterReplied = inbound > 0 ? created + Math.floor(rng.next() * Math.max(1, (resolved ?? closed ?? activeUntil) - created)) : null;
    const responder = proactive ? requesterId : firstResponse === null && status === 2 && rng.chance(0.5) ? null : rng.pick(activeAgents).id;

    const events = [created, firstResponse, resolved, closed, pendingSince, requesterReplied].filter((t): t is number => t !== null);

    const entries: FreshserviceTimeEntry[] = [];
    if (rng.chance(0.62)) {
      const workFrom = firstResponse ?? created;
      const workTo = Math.max(workFrom, resolved ?? closed ?? activeUntil);
      const count = rng.int(1, priority === 4 ? 3 : 2);
      for (let n = 0; n < count; n += 1) {
        const executed = workFrom + Math.floor(rng.next() * (workTo - workFrom));
        const running = !parked && status !== 4 && status !== 5 && n === count - 1 && rng.chance(0.08);
        const minutes = running ? rng.int(1, 40) : rng.pick(SESSION_MINUTES[priority]!);
        const entryId = nextTimeEntryId;
        nextTimeEntryId += 1;
        entries.push({
          id: entryId,
          workspace_id: 2,
          created_at: iso(executed),
          updated_at: iso(executed),
          start_time: iso(executed),
          timer_running: running,
          billable: rng.chance(0.88),
          time_spent: `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`,
          executed_at: iso(executed),
          task_id: null,
          note: running ? 'Working on it' : rng.pick(['Remote session', 'On-site visit', 'Investigated logs', 'Called the user', 'Applied fix and tested']),
          agent_id: responder ?? rng.pick(activeAgents).id,
          custom_fields: {},
        });
        events.push(executed);
      }
      timeEntries[id] = entries;
    }

    const finished = resolved ?? closed;
    // Surveys go to the requester, so none for the work our agents raised themselves.
    if (finished !== null && !proactive && rng.chance(0.16)) {
      const answered = finished + rng.int(1, 72) * HOUR;
      if (answered <= anchorMs) {
        csat[id] = csatResponse(rng, CSAT_ID_BASE + index, answered);
        events.push(answered);
      }
    }

    const lastEvent = Math.max(...events);
    const updated = Math.min(anchorMs, lastEvent + rng.int(0, 30) * MINUTE);
    const stats: FreshserviceTicketStats = {
      ticket_id: id,
      created_at: iso(created),
      updated_at: iso(updated),
      opened_at: null,
      group_escalated: false,
      inbound_count: inbound,
      outbound_count: outbound,
      status_updated_at: iso(closed ?? resolved ?? pendingSince ?? created),
      pending_since: pendingSince === null ? null : iso(pendingSince),
      resolved_at: resolved === null ? null : iso(resolved),
      closed_at: closed === null ? null : iso(closed),
      first_assigned_at: responder !== null && rng.chance(0.4) ? iso(created + rng.int(1, 20) * MINUTE) : null,
      assigned_at: null,
      agent_responded_at: firstResponse === null ? null : iso(firstResponse),
      requester_responded_at: requesterReplied === null ? null : iso(requesterReplied),
      first_responded_at: firstResponse === null ? null : iso(firstResponse),
      first_resp_time_in_secs: firstResponse === null ? null : Math.round((firstResponse - created) / 1000),
      resolution_time_in_secs: resolved === null ? 0 : Math.round((resolved - created) / 1000),
    };
    const frEscalated = hasDueBys && (firstResponse ?? anchorMs) > frDue;
    tickets.push({
      id,
      workspace_id: 2,
      subject,
      description_text: `${subject}. Reported by ${requesterName}.`,
      status,
      priority,
      urgency: Math.min(3, Math.max(1, priority - 1)),
      impact: Math.min(3, Math.max(1, priority - 1)),
      source: proactiveWork?.source ?? rng.weighted([[1, 45], [2, 35], [3, 15], [4, 5]] as const),
      type,
      category: categoryName,
      sub_category: rng.pick(category.subCategories),
      item_category: null,
      department_id: plan.departmentId,
      requester_id: requesterId,
      requested_for_id: requesterId,
      responder_id: responder,
      group_id: GROUPS[category.group]!.id,
      created_at: iso(created),
      updated_at: iso(updated),
      due_by: hasDueBys ? iso(due) : null,
      fr_due_by: hasDueBys ? iso(frDue) : null,
      fr_escalated: frEscalated,
      is_escalated: frEscalated || (hasDueBys && (finished ?? anchorMs) > due),
      spam: false,
      deleted: false,
      tags: rng.chance(0.05) ? ['vip'] : [],
      custom_fields: { proactive_case: proactive },
      stats,
    });
  });
  return { tickets, timeEntries, csat };
}

/** The prime user (first) raises more than their share; among colleagues, a few raise most of the tickets. */
function pickRequester(rng: Rng, requesterIds: readonly number[]): number | null {
  if (requesterIds.length === 0) return null;
  if (rng.chance(0.15)) return requesterIds[0]!;
  return requesterIds[Math.floor(requesterIds.length * rng.next() ** 1.5)]!;
}

function csatResponse(rng: Rng, id: number, answeredMs: number): FreshserviceCsatResponse {
  const question = 'How would you rate your overall satisfaction for the resolution provided by the agent?';
  if (rng.chance(0.1)) {
    const [rating, text] = rng.weighted([[[103, 'Happy'], 6], [[102, 'Neutral'], 3], [[101, 'Unhappy'], 1]] as const);
    return {
      id,
      overall_rating: rating,
      overall_rating_text: text,
      primary_question: question,
      questionnaire_responses: [{ question: { question_text: question }, answers: [{ answer_text: text }] }],
      created_at: iso(answeredMs),
      updated_at: iso(answeredMs),
    };
  }
  const acquired = rng.weighted([[4, 55], [3, 25], [2, 12], [1, 8]] as const);
  return {
    id,
    overall_rating: 300 + acquired,
    overall_rating_text: `${acquired}/4`,
    primary_question: question,
    score: { acquired_score: acquired, total_score: 4 },
    questionnaire_responses: [{ question: { question_text: question }, answers: [{ answer_text: `${acquired}/4` }] }],
    created_at: iso(answeredMs),
    updated_at: iso(answeredMs),
  };
}
