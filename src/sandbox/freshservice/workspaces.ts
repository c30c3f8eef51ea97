import type { FreshserviceRequester } from '../../freshservice/types.js';
import type { SandboxWorld } from '../world/world.js';
import { placeEveryTicket } from '../world/stored-world.js';

/**
 * How the simulated account is organised. Employee Support Mode (`esm`, the default): the world's
 * departments are the MSP's client companies, account-wide, and tickets sit in two workspaces (IT, and
 * Field Services for on-site work). Freshservice for MSPs (`msp`): every company is a client workspace
 * of its own, holding its tickets, its contacts and the company as its one department; id 2 is the
 * Default client and id 3 the MSP itself, as the API documents.
 */
export type SandboxAccountMode = 'esm' | 'msp';

export interface SandboxWorkspace {
  id: number;
  name: string;
  description: string | null;
  /** "workspace" in Employee Support Mode, "client" for MSPs. */
  type: 'workspace' | 'client';
  primary: boolean;
  restricted: boolean;
  state: 'active' | 'inactive';
  template_name: string;
  created_at: string;
  updated_at: string;
  /** MSP only. */
  metadata?: {
    primary_contact: { first_name: string; last_name: string; email: string | null; phone: string | null } | null;
    email_domains: string[];
    custom_fields: Record<string, unknown>;
  };
}

export interface AccountLayout {
  mode: SandboxAccountMode;
  workspaces: SandboxWorkspace[];
  /** The workspace whose tickets a list shows without `workspace_id`. */
  primaryWorkspaceId: number;
  /** MSP: the client workspace a contact belongs to. */
  workspaceOfRequester(requester: FreshserviceRequester): number;
}

export const PRIMARY_WORKSPACE_ID = 2;
const FIELD_SERVICES_WORKSPACE_ID = 3;
const MSP_WORKSPACE_ID = 3;
/** Client workspaces are numbered from here, in the world's department order. */
export const FIRST_CLIENT_WORKSPACE_ID = 4;
const CREATED_AT = '2020-03-02T09:00:00Z';

function workspace(id: number, name: string, type: SandboxWorkspace['type'], extra: Partial<SandboxWorkspace> = {}): SandboxWorkspace {
  return {
    id,
    name,
    description: null,
    type,
    primary: id === PRIMARY_WORKSPACE_ID,
    restricted: false,
    state: 'active',
    template_name: 'it',
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    ...extra,
  };
}

/**
 * Puts the world's tickets (and their time entries) and departments into workspaces for `mode`, in
 * place, and returns the layout the routes serve.
 */
export function applyAccountLayout(world: SandboxWorld, mode: SandboxAccountMode): AccountLayout {
  if (mode === 'esm') return esmLayout(world);
  return mspLayout(world);
}

function placeTickets(world: SandboxWorld, workspaceOf: (ticket: SandboxWorld['tickets'][number]) => number): void {
  placeEveryTicket(world, (ticket, timeEntries) => {
    ticket.workspace_id = workspaceOf(ticket);
    for (const entry of timeEntries ?? []) entry.workspace_id = ticket.workspace_id;
  });
}

function esmLayout(world: SandboxWorld): AccountLayout {
  const fieldServices = world.groups.find((group) => group.name === 'Field Services')?.id;
  placeTickets(world, (ticket) => (ticket.group_id === fieldServices ? FIELD_SERVICES_WORKSPACE_ID : PRIMARY_WORKSPACE_ID));
  for (const department of world.departments) department.workspace_id = PRIMARY_WORKSPACE_ID;
  return {
    mode: 'esm',
    workspaces: [workspace(PRIMARY_WORKSPACE_ID, 'IT', 'workspace'), workspace(FIELD_SERVICES_WORKSPACE_ID, 'Field Services', 'workspace', { template_name: 'facilities' })],
    primaryWorkspaceId: PRIMARY_WORKSPACE_ID,
    workspaceOfRequester: () => PRIMARY_WORKSPACE_ID,
  };
}

function mspLayout(world: SandboxWorld): AccountLayout {
  const clientOf = new Map(world.departments.map((department, index) => [department.id, FIRST_CLIENT_WORKSPACE_ID + index]));
  const clientOfDepartment = (departmentId: number | null | undefined) => (departmentId == null ? PRIMARY_WORKSPACE_ID : (clientOf.get(departmentId) ?? PRIMARY_WORKSPACE_ID));
  placeTickets(world, (ticket) => clientOfDepartment(ticket.department_id));
  const requesters = new Map(world.requesters.map((requester) => [requester.id, requester]));
  const clients = world.departments.map((department, index) => {
    department.workspace_id = clientOfDepartment(department.id);
    const contact = requesters.get(department.prime_user_id ?? -1);
    // Every third single-domain client has no email domains on record: its contacts' addresses are all there is.
    const domains = department.domains.length === 1 && index % 3 === 0 ? [] : [...department.domains];
    return workspace(department.workspace_id, department.name, 'client', {
      description: department.description,
      primary: false,
      created_at: department.created_at,
      updated_at: department.updated_at,
      metadata: {
        primary_contact: contact ? { first_name: contact.first_name, last_name: contact.last_name ?? '', email: contact.primary_email, phone: null } : null,
        email_domains: domains,
        custom_fields: {},
      },
    });
  });
  const empty = { primary_contact: null, email_domains: [], custom_fields: {} };
  return {
    mode: 'msp',
    workspaces: [
      workspace(PRIMARY_WORKSPACE_ID, 'Default client', 'client', { metadata: empty }),
      workspace(MSP_WORKSPACE_ID, 'Intego IT', 'client', { primary: false, metadata: { ...empty, email_domains: ['intego-it.com'] } }),
      ...clients,
    ],
    primaryWorkspaceId: PRIMARY_WORKSPACE_ID,
    workspaceOfRequester: (requester) => clientOfDepartment(requester.department_ids[0]),
  };
}
