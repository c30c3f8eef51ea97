import type { FreshserviceDepartment } from '../../freshservice/types.js';
import { listDepartments, listRequesters, servedDepartment } from './directory.js';
import { notFound, oneById, paged, type ApiContext, type Query, type Reply } from './replies.js';
import { ticketsResource } from './tickets.js';

const RESOURCES = new Set(['tickets', 'departments', 'requesters', 'agents', 'ticket_form_fields', 'groups', 'workspaces']);

/** Answers one request under `/api/v2` (`path` without that prefix); GET only, like the parts of the API we read. */
export function route(context: ApiContext, method: string, path: string, query: Query, url: URL): Reply {
  const { world } = context;
  const segments = path.split('/').filter(Boolean);
  const [resource, idText, sub] = segments;
  if (segments.length > 3 || !resource || !RESOURCES.has(resource)) return notFound();
  if (method !== 'GET') return { status: 405, credits: 1, body: { code: 'method_not_allowed', message: 'The sandbox serves GET requests only.' } };

  if (resource === 'tickets') return ticketsResource(context, idText, sub, query, url);
  if (sub !== undefined) return notFound();
  if (resource === 'departments') {
    if (idText === undefined) return listDepartments(context, query, url);
    const found = oneById(world.departments, idText, 'department');
    return found.status === 200 ? { ...found, body: { department: servedDepartment(context, (found.body as { department: FreshserviceDepartment }).department) } } : found;
  }
  if (resource === 'workspaces') return idText === undefined ? paged(context, context.layout.workspaces, query, url, 'workspaces') : oneById(context.layout.workspaces, idText, 'workspace');
  if (resource === 'requesters') return idText === undefined ? listRequesters(context, query, url) : oneById(world.requesters, idText, 'requester');
  if (resource === 'agents') return idText === undefined ? paged(context, world.agents, query, url, 'agents') : oneById(world.agents, idText, 'agent');
  if (idText !== undefined) return notFound();
  if (resource === 'ticket_form_fields') return { status: 200, credits: 1, body: { ticket_fields: world.formFields } };
  return paged(context, world.groups, query, url, 'groups');
}
