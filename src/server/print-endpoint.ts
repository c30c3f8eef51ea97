/**
 * `POST /internal/print` (see src/pdf/print-handoff.ts): the bot prints a page a command line on the same
 * machine and data folder wrote, with the Chromium it keeps running. Only from the loopback interface and not
 * through a proxy (a reverse proxy on the same machine also connects from loopback), only with the bot's print
 * token (compared in constant time); anything else is refused before the body is read.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../logger.js';
import { PdfUnavailableError, type PdfPrinter } from '../pdf/printer.js';
import { PRINT_PATH, PRINT_REQUEST, printingDir } from '../pdf/print-handoff.js';
import { refuseRequest } from './refusal.js';

export interface PrintEndpointDeps {
  dataDir: string;
  /** The secret a command line must present, as the bot announced it in DATA_DIR/bot.json. */
  token: string;
  printer: Pick<PdfPrinter, 'print'>;
  logger: Logger;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function mountPrintEndpoint(routes: Express, deps: PrintEndpointDeps): void {
  const { logger } = deps;
  const authenticated = (request: Request, response: Response, next: NextFunction) => {
    const peer = request.socket.remoteAddress;
    if (!peer || !LOOPBACK.has(peer)) return refuseRequest(response, logger, 403, { surface: 'print', reason: 'not from this machine', peer });
    if (request.get('forwarded') !== undefined || request.get('x-forwarded-for') !== undefined) {
      return refuseRequest(response, logger, 403, { surface: 'print', reason: 'forwarded by a proxy', peer });
    }
    const [scheme, token] = (request.get('authorization') ?? '').split(' ');
    if (scheme !== 'Bearer' || !token || !sameSecret(token, deps.token)) return refuseRequest(response, logger, 401, { surface: 'print', reason: 'no or wrong print token', peer });
    next();
  };
  routes.post(PRINT_PATH, authenticated, express.json({ limit: '16kb' }), async (request: Request, response: Response) => {
    const parsed = PRINT_REQUEST.safeParse(request.body);
    if (!parsed.success) {
      response.status(400).type('text/plain').send('bad request');
      return;
    }
    let html: string;
    try {
      html = await fs.readFile(path.join(printingDir(deps.dataDir), parsed.data.file), 'utf8');
    } catch {
      response.status(404).type('text/plain').send('no such page');
      return;
    }
    try {
      response.type('application/pdf').send(await deps.printer.print(html, parsed.data.frame));
    } catch (error) {
      if (!(error instanceof PdfUnavailableError)) logger.error({ err: error }, 'Printing a page for the command line failed');
      response.status(503).type('text/plain').send(error instanceof PdfUnavailableError ? error.message : 'printing failed');
    }
  });
}
