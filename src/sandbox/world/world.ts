import type {
  FreshserviceAgent,
  FreshserviceCsatResponse,
  FreshserviceDepartment,
  FreshserviceFormField,
  FreshserviceRequester,
  FreshserviceTicket,
  FreshserviceTimeEntry,
} from '../../freshservice/types.js';
import { createRng } from '../rng.js';
import { seedClients } from './seed-clients.js';
import { CATEGORIES, GROUPS, HOSTILE_SUBJECTS, seedTickets } from './seed-tickets.js';
import { DEFAULT_INCIDENTS, monthStartUtc, planTickets, type IncidentSpike } from './volumes.js';
import type { SandboxAudienceMember } from '../types.js';

export { LINKING_CASES, type LinkingCase, type LinkingSituation } from './seed-clients.js';
export { HOSTILE_SUBJECTS } from './seed-tickets.js';
export { monthStartUtc, type IncidentSpike } from './volumes.js';

/**
 * 2: volumes from seats, 13 months, incident spikes, proactive work raised by agents. 4: the same world, kept with
 * its tickets in shards by week (world/stored-world.ts); a stored world of schema 2 is converted, any other reseeded.
 */
export const WORLD_SCHEMA_VERSION = 4;

export interface SandboxWorld {
  schemaVersion: typeof WORLD_SCHEMA_VERSION;
  seed: number;
  /** ISO; tickets span the profile's full calendar months (UTC) before the anchor's month, plus the anchor month up to the anchor. */
  anchor: string;
  departments: FreshserviceDepartment[];
  requesters: FreshserviceRequester[];
  agents: FreshserviceAgent[];
  groups: Array<{ id: number; name: string }>;
  /** Each ticket carries its `stats` (served only with include=stats). Includes a few spam/deleted tickets. */
  tickets: FreshserviceTicket[];
  timeEntries: Record<number, FreshserviceTimeEntry[]>;
  csat: Record<number, FreshserviceCsatResponse>;
  formFields: FreshserviceFormField[];
  audience: { listId: string; members: SandboxAudienceMember[] };
}

export interface WorldProfile {
  departments: number;
  audienceMembers: number;
  /** Full calendar months of tickets before the anchor's month. */
  months: number;
  /** Multiplies every client's seats, and so its tickets and requesters: small test worlds use less than 1. */
  seatScale: number;
  /** At most one per client; an incident for a department the profile leaves out is ignored. */
  incidents: readonly IncidentSpike[];
}

export const DEFAULT_WORLD_PROFILE: WorldProfile = {
  departments: 25,
  audienceMembers: 300,
  months: 13,
  seatScale: 1,
  incidents: DEFAULT_INCIDENTS,
};

export const DEFAULT_WORLD_SEED = 20_261_125;

/** "First Last", as Freshservice shows a requester. */
export function requesterName(requester: Pick<FreshserviceRequester, 'first_name' | 'last_name'>): string {
  return `${requester.first_name} ${requester.last_name ?? ''}`.trim();
}

/** An agent as `/requesters?include_agents=true` lists them. */
export function agentAsRequester(agent: FreshserviceAgent): FreshserviceRequester {
  return { id: agent.id, first_name: agent.first_name, last_name: agent.last_name, primary_email: agent.email, department_ids: agent.department_ids ?? [], active: agent.active, is_agent: true };
}

/** Who raised a ticket: one of the client's requesters, or one of our agents (proactive work). */
export function ticketRequester(world: SandboxWorld, id: number | null): FreshserviceRequester | undefined {
  if (id === null) return undefined;
  const requester = world.requesters.find((r) => r.id === id);
  if (requester) return requester;
  const agent = world.agents.find((a) => a.id === id);
  return agent && agentAsRequester(agent);
}

/** Deterministic: the same anchor, seed and profile always give the same world, byte for byte. */
export function seedWorld(options: { anchor: Date; seed?: number; profile?: Partial<WorldProfile> }): SandboxWorld {
  const seed = options.seed ?? DEFAULT_WORLD_SEED;
  const profile = { ...DEFAULT_WORLD_PROFILE, ...options.profile };
  const anchorMs = Math.floor(options.anchor.getTime() / 1000) * 1000;
  const rng = createRng(seed);

  const clients = seedClients(rng, {
    anchorMs,
    departments: profile.departments,
    audienceMembers: profile.audienceMembers,
    seatScale: profile.seatScale,
  });
  const plans = planTickets(rng, {
    anchorMs,
    months: profile.months,
    seatScale: profile.seatScale,
    clients: clients.departments.map((department) => ({
      departmentId: department.id,
      seats: clients.seatsByDepartment.get(department.id)!,
      incident: profile.incidents.find((incident) => incident.department === department.name),
    })),
  });

  // Agents too: they are the requesters of the proactive work they raise.
  const requesterNames = new Map([...clients.requesters, ...clients.agents].map((person) => [person.id, requesterName(person)]));
  const seeded = seedTickets(rng, {
    anchorMs,
    plans,
    departments: clients.departments,
    agents: clients.agents,
    requestersByDepartment: clients.requestersByDepartment,
    requesterNames,
  });
  const agentIds = new Set(clients.agents.map((agent) => agent.id));
  plantHostileSubjects(seeded.tickets.filter((ticket) => ticket.requester_id === null || !agentIds.has(ticket.requester_id)), clients.departments[0]?.id, anchorMs);
  markSpamAndDeleted(seeded.tickets, anchorMs);
  reopenSome(seeded.tickets, clients.departments[0]?.id, anchorMs);

  return {
    schemaVersion: WORLD_SCHEMA_VERSION,
    seed,
    anchor: new Date(anchorMs).toISOString(),
    departments: clients.departments,
    requesters: clients.requesters,
    agents: clients.agents,
    groups: GROUPS.map((group) => ({ ...group })),
    tickets: seeded.tickets,
    timeEntries: seeded.timeEntries,
    csat: seeded.csat,
    formFields: formFields(),
    audience: { listId: listIdFor(seed), members: clients.members },
  };
}

/** The first department (Acme Corporation) gets the hostile subjects in the month before the anchor's month, on tickets its own people raised. */
function plantHostileSubjects(tickets: FreshserviceTicket[], departmentId: number | undefined, anchorMs: number): void {
  const from = new Date(monthStartUtc(anchorMs, -1)).toISOString();
  const to = new Date(monthStartUtc(anchorMs, 0)).toISOString();
  const candidates = tickets.filter((t) => t.department_id === departmentId && t.created_at >= from && t.created_at < to);
  HOSTILE_SUBJECTS.forEach((subject, index) => {
    const ticket = candidates[index * 7];
    if (!ticket) return;
    ticket.subject = subject;
    ticket.description_text = `${subject}. Reported through the portal.`;
  });
}

/** Three recent tickets (inside the default 30-day list window) are deleted or spam, so listings must skip them. */
function markSpamAndDeleted(tickets: FreshserviceTicket[], anchorMs: number): void {
  const since = new Date(anchorMs - 20 * 24 * 3_600_000).toISOString();
  const recent = tickets.filter((t) => t.created_at >= since && t.status === 2);
  const marks: Array<'deleted' | 'spam'> = ['deleted', 'deleted', 'spam'];
  marks.forEach((mark, index) => {
    const ticket = recent[index * 3];
    if (ticket) ticket[mark] = true;
  });
}

/**
 * Three of Acme's tickets resolved in the month before the anchor's month were reopened with their last update
 * and are open now. Freshservice's stats have no reopening time: `resolved_at` still shows the undone resolution.
 */
function reopenSome(tickets: FreshserviceTicket[], departmentId: number | undefined, anchorMs: number): void {
  const from = new Date(monthStartUtc(anchorMs, -1)).toISOString();
  const to = new Date(monthStartUtc(anchorMs, 0)).toISOString();
  const resolved = tickets.filter((t) => t.department_id === departmentId && (t.status === 4 || t.status === 5) && !t.spam && !t.deleted && t.stats?.resolved_at && t.stats.resolved_at >= from && t.stats.resolved_at < to);
  for (const ticket of resolved.slice(0, 3)) {
    const reopenedMs = Math.min(anchorMs, Math.max(Date.parse(ticket.updated_at), Date.parse(ticket.stats!.resolved_at!) + 86_400_000));
    const reopened = new Date(reopenedMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    ticket.status = 2;
    ticket.updated_at = reopened;
    ticket.stats = { ...ticket.stats!, closed_at: null, status_updated_at: reopened, updated_at: reopened };
  }
}

function listIdFor(seed: number): string {
  const rng = createRng(seed ^ 0x5eed);
  return Array.from({ length: 10 }, () => '0123456789abcdef'[rng.int(0, 15)]).join('');
}

function formFields(): FreshserviceFormField[] {
  const categories = Object.entries(CATEGORIES).map(([value, category], index) => ({
    id: 1001 + index,
    value,
    nested_options: category.subCategories.map((sub, subIndex) => ({ id: (1001 + index) * 100 + subIndex, value: sub })),
  }));
  return [
    { id: 21_000_700_001, name: 'requester', label: 'Requester', field_type: 'default_requester' },
    { id: 21_000_700_002, name: 'subject', label: 'Subject', field_type: 'default_subject' },
    { id: 21_000_700_003, name: 'ticket_type', label: 'Type', field_type: 'default_ticket_type', choices: [
      { id: 1, value: 'Incident' },
      { id: 2, value: 'Service Request' },
    ] },
    { id: 21_000_700_004, name: 'status', label: 'Status', field_type: 'default_status', choices: [
      { id: 2, value: 'Open', requester_display_value: 'Being Processed' },
      { id: 3, value: 'Pending', requester_display_value: 'Awaiting your Reply' },
      { id: 4, value: 'Resolved', requester_display_value: 'This ticket has been Resolved' },
      { id: 5, value: 'Closed', requester_display_value: 'This ticket has been Closed' },
      { id: 6, value: 'Waiting on Customer', requester_display_value: 'Awaiting your Reply' },
      { id: 7, value: 'Waiting on Third Party', requester_display_value: 'Being Processed' },
    ] },
    { id: 21_000_700_005, name: 'priority', label: 'Priority', field_type: 'default_priority', choices: [
      { id: 1, value: 'Low' },
      { id: 2, value: 'Medium' },
      { id: 3, value: 'High' },
      { id: 4, value: 'Urgent' },
    ] },
    { id: 21_000_700_006, name: 'source', label: 'Source', field_type: 'default_source', choices: [
      { id: 1, value: 'Email' },
      { id: 2, value: 'Portal' },
      { id: 3, value: 'Phone' },
      { id: 4, value: 'Chat' },
      { id: 14, value: 'Alerts' },
    ] },
    { id: 21_000_700_007, name: 'category', label: 'Category', field_type: 'default_category', choices: categories },
    { id: 21_000_700_008, name: 'department', label: 'Department', field_type: 'default_department' },
    { id: 21_000_700_009, name: 'group', label: 'Group', field_type: 'default_group', choices: GROUPS.map((g) => ({ id: g.id, value: g.name })) },
    { id: 21_000_700_010, name: 'proactive_case', label: 'Proactive case', field_type: 'custom_checkbox' },
  ];
}
