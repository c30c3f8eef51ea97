import type { FreshserviceClient } from './client.js';
import { FreshserviceNotFoundError, FreshservicePermissionError } from './errors.js';
import type { FreshserviceTicket, FreshserviceWorkspace } from './types.js';

/**
 * Employee Support Mode (`esm`): the MSP's client companies are departments, account-wide. Freshservice
 * for MSPs (`msp`): every client is a workspace of type "client" (README.md, "Workspaces and MSP mode").
 */
export type AccountMode = 'esm' | 'msp';

/** Which workspaces to read: one by id, or all of them. */
export type WorkspaceSetting = number | 'all';

export interface AccountSettings {
  /** Known mode (FRESHSERVICE_MODE); left out, it is detected from the workspaces. */
  mode?: AccountMode;
  workspace?: WorkspaceSetting;
}

/** One ticket listing a sync runs, by the `workspace_id` it passes (0: every workspace, Employee Support Mode only; none on an account without workspaces). */
export interface TicketScope {
  key: string;
  workspaceId?: number;
}

export interface FreshserviceAccount {
  mode: AccountMode;
  /** Every workspace the key sees (empty when the account has none to list). */
  workspaces: FreshserviceWorkspace[];
  /** MSP mode: the client workspaces reports are made for. */
  clients: FreshserviceWorkspace[];
  /** The ticket listings that cover every client: one in Employee Support Mode, one per client for MSPs. */
  scopes: TicketScope[];
}

/** MSP mode's built-in workspaces: 1 is global, 3 the MSP itself. */
const GLOBAL_WORKSPACE_ID = 1;
const DEFAULT_CLIENT_ID = 2;
const MSP_WORKSPACE_ID = 3;

/** A workspace of an MSP account: typed "client" (the docs write "Client" and "client") or carrying client metadata. */
function isClientWorkspace(workspace: FreshserviceWorkspace): boolean {
  return String(workspace.type ?? '').toLowerCase() === 'client' || (workspace.metadata !== undefined && workspace.metadata !== null);
}

/** The client a ticket is reported under: its department in Employee Support Mode, its workspace for MSPs. */
export function clientIdOf(mode: AccountMode, ticket: FreshserviceTicket): number | null {
  return (mode === 'msp' ? ticket.workspace_id : ticket.department_id) ?? null;
}

/**
 * Reads the account's workspaces and works out its mode and what to list. An account whose key may
 * not list workspaces (403/404: no workspaces feature) is a single-workspace Employee Support account.
 * In MSP mode the Default client (id 2) counts as a client only while it holds tickets, and the MSP's
 * own workspace (id 3) never does; both are readings of the docs' defaults, not documented rules.
 */
export async function readAccount(client: FreshserviceClient, settings: AccountSettings = {}): Promise<FreshserviceAccount> {
  const workspaces = await listWorkspaces(client);
  const mode = settings.mode ?? (workspaces.some(isClientWorkspace) ? 'msp' : 'esm');
  const only = settings.workspace ?? 'all';
  if (mode === 'esm') {
    // workspace_id=0 lists every workspace's tickets (Employee Support Mode only); an account with one workspace needs none.
    const scope: TicketScope = only !== 'all' ? { key: String(only), workspaceId: only } : workspaces.length > 1 ? { key: 'all', workspaceId: 0 } : { key: 'all' };
    return { mode, workspaces, clients: [], scopes: [scope] };
  }
  let clients = workspaces.filter(
    (workspace) => workspace.id !== GLOBAL_WORKSPACE_ID && workspace.id !== MSP_WORKSPACE_ID && (workspace.state ?? 'active') === 'active' && (settings.mode === 'msp' || isClientWorkspace(workspace)),
  );
  if (only !== 'all') clients = clients.filter((workspace) => workspace.id === only);
  const defaultClient = clients.find((workspace) => workspace.id === DEFAULT_CLIENT_ID);
  if (defaultClient && !(await holdsTickets(client, DEFAULT_CLIENT_ID))) clients = clients.filter((workspace) => workspace !== defaultClient);
  return { mode, workspaces, clients, scopes: clients.map((workspace) => ({ key: String(workspace.id), workspaceId: workspace.id })) };
}

async function listWorkspaces(client: FreshserviceClient): Promise<FreshserviceWorkspace[]> {
  const workspaces: FreshserviceWorkspace[] = [];
  try {
    for await (const page of client.paginate<FreshserviceWorkspace>('/workspaces', { key: 'workspaces' })) workspaces.push(...page);
  } catch (error) {
    if (error instanceof FreshserviceNotFoundError || error instanceof FreshservicePermissionError) return [];
    throw error;
  }
  // MSP samples show ids as strings ("id":"3"); accept both.
  return workspaces.map((workspace) => ({ ...workspace, id: Number(workspace.id) }));
}

async function holdsTickets(client: FreshserviceClient, workspaceId: number): Promise<boolean> {
  const response = await client.get<{ total?: number }>('/tickets/filter', { params: { query: `"created_at:>'2010-01-01'"`, workspace_id: workspaceId } });
  return (response.data?.total ?? 0) > 0;
}
