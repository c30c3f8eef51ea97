/**
 * Serves the signed, expiring links of `src/report/links.ts`: `GET /reports/<id>?exp=<unix seconds>&sig=<hmac>`.
 * Whoever holds the link can read that one report until it expires; nothing else is exposed.
 */
import type { Express, Request, Response } from 'express';
import type { Config } from '../config.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { verifyReportLink } from '../report/links.js';

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
  logger?: Logger;
}

/** On top of the server's security headers: a report is private to whoever holds its link. */
function privateHeaders(response: Response): void {
  response.set({ 'Cache-Control': 'private, no-store', 'X-Robots-Tag': 'noindex, nofollow' });
}

/** Serves `GET /reports/:id`. A bad or expired link gets the same 403 page whether the report exists or not. */
export function mountReportLinks(routes: Express, deps: ReportLinkDeps): void {
  routes.get('/reports/:id', async (request: Request, response: Response) => {
    privateHeaders(response);
    const reportId = String(request.params.id ?? '');
    const valid = verifyReportLink({
      reportId,
      exp: request.query.exp,
      sig: request.query.sig,
      secret: deps.config.report.linkSecret,
      now: deps.clock.now(),
    });
    if (!valid) {
      response.status(403).type('html').send(NOT_AVAILABLE);
      return;
    }
    try {
      const html = await deps.loadWebHtml(reportId);
      if (html === undefined) {
        response.status(404).type('html').send(NOT_AVAILABLE.replace('This link is not valid', 'This report is no longer available'));
        return;
      }
      response.status(200).type('html').send(html);
    } catch (error) {
      deps.logger?.error({ err: error, reportId }, 'could not load a report for its link');
      response.status(500).type('html').send(NOT_AVAILABLE.replace('This link is not valid', 'This report could not be shown right now'));
    }
  });
}
