import type { Clock } from '../../clock.js';
import type { SandboxWorld } from '../world/world.js';
import type { AccountLayout } from './workspaces.js';

export const API_PREFIX = '/api/v2';
export const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

/** What the routes answer; the server adds the rate-limit headers and charges the credits. */
export interface Reply {
  status: number;
  body: unknown;
  /** Credits charged; errors cost 1 like any other request. */
  credits: number;
  headers?: Record<string, string>;
}

export type Query = URLSearchParams;

/** What every route reads: the live world, its workspaces, the clock, and where the sandbox listens (for `Link` headers). */
export interface ApiContext {
  world: SandboxWorld;
  layout: AccountLayout;
  clock: Clock;
  /** `http://127.0.0.1:PORT`, set once the server listens. */
  origin: string;
}

export const validation = (field: string, message: string, code = 'invalid_value'): Reply => ({
  status: 400,
  credits: 1,
  body: { description: 'Validation failed', errors: [{ field, message, code }] },
});

export const notFound = (): Reply => ({ status: 404, credits: 1, body: { code: 'access_denied', message: 'The requested resource does not exist or is not accessible.' } });

export function includesOf(query: Query): string[] {
  return (query.get('include') ?? '').split(',').map((name) => name.trim()).filter(Boolean);
}

/** The id in a path segment such as `/tickets/{id}`; null when it is not a number. */
export function numericId(idText: string | undefined): number | null {
  return idText !== undefined && /^\d+$/.test(idText) ? Number(idText) : null;
}

/** `{ [key]: item }` for the item whose id is in the path, or a 404. */
export function oneById<T extends { id: number }>(items: readonly T[], idText: string, key: string): Reply {
  const id = numericId(idText);
  const item = items.find((candidate) => candidate.id === id);
  return item ? { status: 200, credits: 1, body: { [key]: item } } : notFound();
}

export function isPositiveInteger(text: string): boolean {
  return /^\d+$/.test(text) && Number(text) >= 1;
}

/** One page of `items` under `key`, with a `Link: <…>; rel="next"` header while more pages follow. */
export function paged<T>(context: ApiContext, items: T[], query: Query, url: URL, key: string, pageSize?: number): Reply {
  const pageText = query.get('page') ?? '1';
  if (!isPositiveInteger(pageText)) return validation('page', 'It should be a Positive Integer');
  let perPage = pageSize ?? DEFAULT_PER_PAGE;
  if (pageSize === undefined && query.has('per_page')) {
    const perPageText = query.get('per_page')!;
    if (!isPositiveInteger(perPageText) || Number(perPageText) > MAX_PER_PAGE) {
      return validation('per_page', `It should be a Positive Integer less than or equal to ${MAX_PER_PAGE}`);
    }
    perPage = Number(perPageText);
  }
  const page = Number(pageText);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < items.length) {
    const next = new URL(url.toString());
    next.searchParams.set('page', String(page + 1));
    headers.Link = `<${context.origin}${next.pathname}${next.search}>; rel="next"`;
  }
  return { status: 200, credits: 1, body: { [key]: slice }, headers };
}

/**
 * The workspace a list covers: `workspace_id`, else the primary one (id 2). Values must be above 1;
 * 0 means every workspace, in Employee Support Mode only. A refusal comes back as the Reply.
 */
export function workspaceParam(context: ApiContext, query: Query, options: { allowAll: boolean }): number | 'all' | Reply {
  const text = query.get('workspace_id');
  if (text === null) return context.layout.primaryWorkspaceId;
  if (!/^\d+$/.test(text)) return validation('workspace_id', 'It should be a Positive Integer');
  const id = Number(text);
  if (id === 0 && options.allowAll) {
    return context.layout.mode === 'esm' ? 'all' : validation('workspace_id', 'Tickets from all workspaces are available only in Employee Support Mode');
  }
  if (id <= 1) return validation('workspace_id', 'It should be greater than 1');
  if (!context.layout.workspaces.some((workspace) => workspace.id === id)) return validation('workspace_id', 'There is no workspace with this id');
  return id;
}
