import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { MailchimpState } from './state.js';

/** What a simulated endpoint answers; the server turns it into an HTTP response. */
export interface ApiResult {
  status: number;
  body?: unknown;
  contentType?: string;
}

export interface HandlerContext {
  state: MailchimpState;
  clock: Clock;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  site: SiteInfo;
  /** Call after mutating `state` so the change is persisted before the response goes out. */
  changed(): void;
}

export interface SiteInfo {
  listName: string;
  /** `http://127.0.0.1:PORT`, for links (archive, unsubscribe) that point back at the sandbox. */
  origin: string;
  /** `http://127.0.0.1:PORT/3.0`, for `_links`. */
  apiRoot: string;
  /** Lowercased sending domains that are not verified: campaigns from them are not ready, Transactional rejects them as `unsigned`. */
  unverifiedDomains: string[];
  /** How long a Transactional metadata field stays in state `index` after `/metadata/add` before it is searchable. */
  metadataIndexMs: number;
}

export type Handler = (context: HandlerContext) => ApiResult;

/** One entry of a Marketing validation error's `errors` array. */
export interface FieldError {
  field: string;
  message: string;
}

/** A JSON object (not null, not an array), as request bodies and their parts must be. */
export function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ERROR_DOCS = 'https://mailchimp.com/developer/marketing/docs/errors/';

/** A Marketing API error: `application/problem+json` with type, title, status, detail, instance (and `errors` on validation). */
export function problem(status: number, title: string, detail: string, errors?: FieldError[]): ApiResult {
  return {
    status,
    contentType: 'application/problem+json; charset=utf-8',
    body: { type: ERROR_DOCS, title, status, detail, instance: randomUUID(), ...(errors ? { errors } : {}) },
  };
}

export function invalidResource(errors: FieldError[], detail = "The resource submitted could not be validated. For field-specific details, see the 'errors' array."): ApiResult {
  return problem(400, 'Invalid Resource', detail, errors);
}

/** The 400 for a request body that is not a JSON object. */
export function bodyNotObject(): ApiResult {
  return invalidResource([{ field: '', message: 'Schema describes object, NULL found instead' }]);
}

/** Whether the `{listId}` in the path is the sandbox's one audience. */
export function isOurList(context: HandlerContext): boolean {
  return context.params.listId === context.state.listId;
}

export function notFound(): ApiResult {
  return problem(404, 'Resource Not Found', 'The requested resource could not be found.');
}

export function json(body: unknown, status = 200): ApiResult {
  return { status, body };
}

export function noContent(): ApiResult {
  return { status: 204 };
}

/** Reads a paging parameter the way Mailchimp does: default when absent, 400 when not a number or out of range. */
export function pagingParameters(query: Record<string, string>): { count: number; offset: number } | ApiResult {
  const count = query.count === undefined ? 10 : Number(query.count);
  const offset = query.offset === undefined ? 0 : Number(query.offset);
  if (!Number.isInteger(count) || count < 0 || count > 1000) {
    return invalidResource([{ field: 'count', message: 'Value must be an integer between 0 and 1000.' }], 'The count parameter must be between 0 and 1000.');
  }
  if (!Number.isInteger(offset) || offset < 0) {
    return invalidResource([{ field: 'offset', message: 'Value must be a non-negative integer.' }]);
  }
  return { count, offset };
}

/** A 400 naming every date-time query parameter that does not parse (e.g. a `+00:00` sent unencoded). */
export function invalidDateParameters(query: Record<string, string>, names: string[]): ApiResult | undefined {
  const errors = names
    .filter((name) => query[name] !== undefined && Number.isNaN(Date.parse(query[name]!)))
    .map((name) => ({ field: name, message: `"${query[name]}" is not a valid ISO 8601 date-time.` }));
  return errors.length > 0 ? invalidResource(errors) : undefined;
}

export function isApiResult(value: unknown): value is ApiResult {
  return typeof value === 'object' && value !== null && 'status' in value && typeof (value as ApiResult).status === 'number';
}

export function link(rel: string, href: string, method: string): { rel: string; href: string; method: string } {
  return { rel, href, method };
}
