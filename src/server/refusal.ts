import type { Response } from 'express';
import type { Logger } from '../logger.js';

/** Why a request was refused, for the log only: the caller learns nothing but the status. */
export interface Refusal {
  surface: 'slack' | 'teams' | 'print';
  reason: string;
  peer?: string;
}

/**
 * Answers a request that failed authentication (401) or is not allowed here (403) with the single
 * word "unauthorised", and logs one structured warning saying why (no stack, no secret).
 */
export function refuseRequest(response: Response, logger: Logger, status: 401 | 403, refusal: Refusal): void {
  logger.warn(refusal, 'request refused');
  response.status(status).type('text/plain').send('unauthorised');
}
