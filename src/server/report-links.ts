/**
 * Serves the signed, expiring links of `src/report/links.ts`: `GET /reports/<id>?exp=<unix seconds>&sig=<hmac>`
 * and the report's PDF at `/reports/<id>/pdf` with the same query. Whoever holds the link can read that one
 * report until it expires; nothing else is exposed.
 */
import type { Express, Request, Response } from 'express';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { reportPath, verifyReportLink } from '../report/links.js';
import { withPdfLink, withoutPdfLink } from '../report/render.js';

const NOT_AVAILABLE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>Link not valid</title>
<style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#1f2933}h1{font-size:1.4rem}</style>
</head><body><h1>This link is not valid</h1><p>It may have expired or been copied incompletely. Ask your service provider for a new link.</p></body></html>`;

export interface ReportLinkDeps {
  config: Pick<Config, 'report'>;
  clock: Clock;
  /** The web HTML of a report, or undefined when there is none. */
  loadWebHtml(reportId: string): Promise<string | undefined>;
  /** The report's PDF and the name to save it under, or undefined when it has none. */
  loadPdf?(reportId: string): Promise<{ content: Buffer; fileName: string } | undefined>;
  logger?: Logger;
}

/** On top of the server's security headers: a report is private to whoever holds its link. */
function privateHeaders(response: Response): void {
  response.set({ 'Cache-Control': 'private, no-store', 'X-Robots-Tag': 'noindex, nofollow' });
}

/** Whether the request carries a valid signature for this report; answers the 403 page itself when not. */
function signed(request: Request, response: Response, deps: ReportLinkDeps): string | undefined {
  privateHeaders(response);
  const reportId = String(request.params.id ?? '');
  const valid = verifyReportLink({
    reportId,
    exp: request.query.exp,
    sig: request.query.sig,
    secret: deps.config.report.linkSecret,
    now: deps.clock.now(),
  });
  if (valid) return reportId;
  response.status(403).type('html').send(NOT_AVAILABLE);
  return undefined;
}

function unavailable(response: Response, status: 404 | 500, deps: ReportLinkDeps, error?: unknown, reportId?: string): void {
  if (error) deps.logger?.error({ err: error, reportId }, 'could not load a report for its link');
  response.status(status).type('html').send(NOT_AVAILABLE.replace('This link is not valid', status === 404 ? 'This report is no longer available' : 'This report could not be shown right now'));
}

/**
 * Serves `GET /reports/:id` (its Download PDF link carrying the page's own signature) and `GET /reports/:id/pdf`.
 * A bad or expired link gets the same 403 page whether the report exists or not.
 */
export function mountReportLinks(routes: Express, deps: ReportLinkDeps): void {
  routes.get('/reports/:id', async (request: Request, response: Response) => {
    const reportId = signed(request, response, deps);
    if (!reportId) return;
    try {
      const html = await deps.loadWebHtml(reportId);
      if (html === undefined) return unavailable(response, 404, deps);
      const pdfHref = `${reportPath(reportId, true)}?exp=${String(request.query.exp)}&sig=${String(request.query.sig)}`;
      response.status(200).type('html').send(deps.loadPdf ? withPdfLink(html, pdfHref) : withoutPdfLink(html));
    } catch (error) {
      unavailable(response, 500, deps, error, reportId);
    }
  });

  routes.get('/reports/:id/pdf', async (request: Request, response: Response) => {
    const reportId = signed(request, response, deps);
    if (!reportId) return;
    try {
      const pdf = await deps.loadPdf?.(reportId);
      if (!pdf) return unavailable(response, 404, deps);
      response.status(200).type('application/pdf').attachment(pdf.fileName).send(pdf.content);
    } catch (error) {
      unavailable(response, 500, deps, error, reportId);
    }
  });
}
