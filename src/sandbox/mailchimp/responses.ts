import http from 'node:http';
import type { RecordedRequest } from '../types.js';
import { problem, type ApiResult } from './api.js';
import { transactionalError } from './transactional/errors.js';

export type Service = RecordedRequest['service'];

/** A 5xx in the shape each API uses: Marketing's problem JSON (or a proxy's HTML page for 502/503), Transactional's error. */
export function serverFailure(service: Service, status: number): ApiResult {
  if (service === 'transactional') {
    return transactionalError(-1, 'GeneralError', 'An unexpected error occurred processing the request. Mailchimp Transactional developers have been notified.', status);
  }
  if (status === 500) return problem(500, 'Internal Server Error', 'An unexpected internal error has occurred. Please contact Support for more information.');
  return { status, contentType: 'text/html; charset=utf-8', body: `<html><body><h1>${status} ${http.STATUS_CODES[status]}</h1></body></html>` };
}

/** Writes an API result; `malformed` (an injected fault) sends half the body under a 200. */
export function send(response: http.ServerResponse, result: ApiResult, malformed = false): void {
  if (result.status === 204 && !malformed) {
    response.writeHead(204).end();
    return;
  }
  const isText = typeof result.body === 'string' && (result.contentType ?? '').startsWith('text/');
  const text = isText ? (result.body as string) : JSON.stringify(result.body ?? {});
  const payload = malformed ? text.slice(0, Math.max(1, Math.floor(text.length / 2))) : text;
  response.writeHead(malformed ? 200 : result.status, { 'Content-Type': malformed ? 'application/json; charset=utf-8' : (result.contentType ?? 'application/json; charset=utf-8') });
  response.end(payload);
}

export function sendHtml(response: http.ServerResponse, status: number, html: string): true {
  const page = /<html[\s>]/i.test(html) ? html : `<!doctype html><html><body>${html}</body></html>`;
  response.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  return true;
}

export function parseBody(raw: string): { ok: true; value: unknown } | { ok: false } {
  if (raw.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

/** The Transactional key never lands in the request log. */
export function redactKey(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('key' in body)) return body;
  return { ...(body as Record<string, unknown>), key: '[redacted]' };
}

export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
