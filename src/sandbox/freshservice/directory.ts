import type { FreshserviceDepartment, FreshserviceRequester } from '../../freshservice/types.js';
import { agentAsRequester } from '../world/world.js';
import { DEFAULT_PER_PAGE, isPositiveInteger, paged, validation, workspaceParam, type ApiContext, type Query, type Reply } from './replies.js';

/** A department as served: for MSPs without `head_user_id`, `prime_user_id` and `domains` ("Freshservice" only fields). */
export function servedDepartment(context: ApiContext, department: FreshserviceDepartment): Record<string, unknown> {
  const served: Record<string, unknown> = { ...department };
  if (context.layout.mode === 'msp') for (const field of ['head_user_id', 'prime_user_id', 'domains']) delete served[field];
  return served;
}

/** `GET /departments` of one workspace (`workspace_id`, else 2), newest first; a query may only name a department. */
export function listDepartments(context: ApiContext, query: Query, url: URL): Reply {
  const workspace = workspaceParam(context, query, { allowAll: false });
  if (typeof workspace === 'object') return workspace;
  let departments = context.world.departments.filter((d) => d.workspace_id === workspace).sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
  const raw = query.get('query');
  if (raw !== null) {
    const match = /^"name:'([^']*)'"$/.exec(raw);
    if (!match) return validation('query', "The sandbox supports only query=\"name:'…'\" on departments");
    departments = departments.filter((d) => d.name.toLowerCase() === match[1]!.toLowerCase());
  }
  return paged(context, departments.map((department) => servedDepartment(context, department)), query, url, 'departments');
}

/**
 * `GET /requesters`, agents too with `include_agents=true`, filtered by `email` or a `query`. For MSPs,
 * the contacts of one client: `belongs_to_workspace_ids` (else 2, the Default client), each listed with it.
 */
export function listRequesters(context: ApiContext, query: Query, url: URL): Reply {
  const { world, layout } = context;
  let people: FreshserviceRequester[] = [...world.requesters];
  if (layout.mode === 'msp') {
    const text = query.get('belongs_to_workspace_ids') ?? '2';
    if (!/^\d+$/.test(text) || Number(text) <= 1) return validation('belongs_to_workspace_ids', 'It should be a single client id greater than 1');
    people = people
      .filter((requester) => layout.workspaceOfRequester(requester) === Number(text))
      .map((requester) => ({ ...requester, belongs_to_workspace_ids: [Number(text)] }));
  }
  if (query.get('include_agents') === 'true') {
    people = people.concat(
      world.agents.map(agentAsRequester),
    );
  }
  const email = query.get('email');
  if (email !== null) people = people.filter((r) => r.primary_email?.toLowerCase() === email.toLowerCase());
  const raw = query.get('query');
  if (raw !== null) {
    const test = requesterQuery(raw);
    if (typeof test === 'string') return validation('query', test);
    const page = query.get('page') ?? '1';
    if (isPositiveInteger(page) && Number(page) > 40) return validation('page', 'It should be less than or equal to 40');
    people = people.filter(test);
    return paged(context, sortByFirstName(people), query, url, 'requesters', DEFAULT_PER_PAGE);
  }
  return paged(context, sortByFirstName(people), query, url, 'requesters');
}

function requesterQuery(raw: string): ((r: FreshserviceRequester) => boolean) | string {
  if (!raw.startsWith('"') || !raw.endsWith('"') || raw.length < 2) return 'query must be enclosed in double quotes';
  const parts = raw.slice(1, -1).split(/\s+OR\s+/);
  const tests: Array<(r: FreshserviceRequester) => boolean> = [];
  for (const part of parts) {
    const match = /^\s*(department_id|primary_email|first_name|last_name):(?:(\d+)|'([^']*)')\s*$/.exec(part);
    if (!match) return `cannot read "${part}" (the sandbox supports OR-joined department_id, primary_email, first_name, last_name)`;
    const [, field, number, text] = match;
    if (field === 'department_id') {
      if (number === undefined) return 'department_id expects a number';
      tests.push((r) => r.department_ids.includes(Number(number)));
    } else {
      if (text === undefined) return `${field} expects a string`;
      const key = field as 'primary_email' | 'first_name' | 'last_name';
      tests.push((r) => (r[key] ?? '').toLowerCase() === text.toLowerCase());
    }
  }
  return (r) => tests.some((test) => test(r));
}

function sortByFirstName(people: FreshserviceRequester[]): FreshserviceRequester[] {
  return [...people].sort((a, b) => a.first_name.localeCompare(b.first_name) || a.id - b.id);
}
