/**
 * Signed, expiring links to the web rendering of a report, `/reports/<id>?exp=<unix seconds>&sig=<hmac>`,
 * and to its PDF, `/reports/<id>/pdf?…`. The HMAC covers the report id and the expiry, so a link opens that
 * one report (in either form) until it expires.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const DAY_SECONDS = 86_400;
const REPORT_ID = /^[A-Za-z0-9_.-]{1,128}$/;

export interface SignReportLinkOptions {
  reportId: string;
  baseUrl: string;
  secret: string;
  ttlDays?: number;
  now: Date;
  /** The PDF instead of the web page. */
  pdf?: boolean;
}

function signature(secret: string, reportId: string, expires: number): string {
  return createHmac('sha256', secret).update(`report:${reportId}:${expires}`).digest('base64url');
}

/** The public URL of a report, valid for `ttlDays` (default 30) from `now`. */
export function signReportLink(options: SignReportLinkOptions): string {
  const expires = Math.floor(options.now.getTime() / 1000) + Math.round((options.ttlDays ?? 30) * DAY_SECONDS);
  const base = options.baseUrl.replace(/\/+$/, '');
  return `${base}${reportPath(options.reportId, options.pdf)}?exp=${expires}&sig=${signature(options.secret, options.reportId, expires)}`;
}

/** `/reports/<id>` or `/reports/<id>/pdf`. */
export function reportPath(reportId: string, pdf = false): string {
  return `/reports/${encodeURIComponent(reportId)}${pdf ? '/pdf' : ''}`;
}

/** Whether `sig` is the signature of this report id and expiry, and the expiry is still ahead of `now`. */
export function verifyReportLink(options: { reportId: string; exp: unknown; sig: unknown; secret: string; now: Date }): boolean {
  if (!REPORT_ID.test(options.reportId) || typeof options.exp !== 'string' || typeof options.sig !== 'string') return false;
  if (!/^\d{1,12}$/.test(options.exp)) return false;
  const expires = Number(options.exp);
  const expected = Buffer.from(signature(options.secret, options.reportId, expires));
  const given = Buffer.from(options.sig);
  const matches = given.length === expected.length && timingSafeEqual(given, expected);
  return matches && expires * 1000 > options.now.getTime();
}
