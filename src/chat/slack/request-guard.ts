/**
 * In front of Bolt at `/slack/events`: only requests Slack signed within the last or next five
 * minutes, each handled at most once. What was handled is kept in the data folder, so a request
 * replayed after a restart, or to another process on the same data folder, is refused too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { refuseRequest } from '../../server/refusal.js';
import type { SeenRequests } from '../../store/seen-requests.js';

/** Slack's window: a request stamped further than this from our clock, either way, is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
const BODY_LIMIT = '1mb';

export interface SlackRequestGuardOptions {
  signingSecret: string;
  clock: Clock;
  seen: SeenRequests;
  logger: Logger;
}

function header(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function signatureMatches(secret: string, timestamp: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * What makes a request the same request: its interaction's trigger id or its event's id (Slack's retries
 * are signed afresh but keep these), else its signature. A replay carries the signed body, so the same key.
 */
function requestKey(body: Buffer, contentType: string | undefined, signature: string): string {
  try {
    const text = body.toString('utf8');
    let fields: Record<string, unknown>;
    if (contentType?.startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(text);
      const payload = form.get('payload');
      fields = payload ? (JSON.parse(payload) as Record<string, unknown>) : Object.fromEntries(form);
    } else {
      fields = JSON.parse(text) as Record<string, unknown>;
    }
    const id = fields.trigger_id ?? fields.event_id;
    if (typeof id === 'string' && id) return `delivery:${id}`;
  } catch {
    // Bolt answers an unreadable body with 400; the signature still identifies it.
  }
  return `signature:${signature}`;
}

/**
 * Reads the raw body (Bolt parses `req.rawBody` after us), then checks the timestamp, the signature
 * and that the request was not handled before. A repeat that Slack marks as a retry
 * (`X-Slack-Retry-Num`) is answered 200 without running; any other repeat is a replay (401).
 */
export function slackRequestGuard(options: SlackRequestGuardOptions): RequestHandler[] {
  const { signingSecret, clock, seen, logger } = options;
  const readBody = express.raw({ type: () => true, limit: BODY_LIMIT });
  const check = (request: Request, response: Response, next: NextFunction) => {
    const refuse = (reason: string) => refuseRequest(response, logger, 401, { surface: 'slack', reason, peer: request.socket.remoteAddress });
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const timestamp = header(request, 'x-slack-request-timestamp');
    const signature = header(request, 'x-slack-signature');
    if (!timestamp || !signature) return refuse('no Slack signature headers');
    if (!/^\d{1,12}$/.test(timestamp)) return refuse('malformed timestamp');
    const skew = Number(timestamp) - Math.floor(clock.now().getTime() / 1000);
    if (Math.abs(skew) > MAX_CLOCK_SKEW_SECONDS) return refuse(`timestamp ${skew > 0 ? 'ahead of' : 'behind'} our clock by ${Math.abs(skew)} s, more than ${MAX_CLOCK_SKEW_SECONDS} s`);
    if (!signatureMatches(signingSecret, timestamp, body, signature)) return refuse('signature does not match');
    if (!seen.firstTime(requestKey(body, header(request, 'content-type'), signature))) {
      if (header(request, 'x-slack-retry-num')) {
        logger.info({ surface: 'slack', retry: header(request, 'x-slack-retry-num') }, 'a Slack retry of a request already handled; answered without running it again');
        response.status(200).end();
        return;
      }
      return refuse('replay of a request already handled');
    }
    (request as Request & { rawBody?: Buffer }).rawBody = body;
    next();
  };
  return [
    readBody,
    (request, response, next) => {
      try {
        check(request, response, next);
      } catch (error) {
        logger.error({ err: error }, 'could not check a Slack request against the ones already handled');
        if (!response.headersSent) response.status(500).end();
      }
    },
  ];
}
