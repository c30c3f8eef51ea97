import axios, { type AxiosInstance } from 'axios';
import type { Logger } from '../logger.js';
import { LeaseLostError, type SendRecord } from '../store/sends.js';
import { MAX_PASSES, NOT_RESUMED, type ChannelResult, type DeliveryChannel, type TestEmail } from './channel.js';

/** One recipient of one message as `/messages/send` reports it (inside an HTTP 200, even when rejected). */
export interface TransactionalRecipientResult {
  email: string;
  status: 'sent' | 'queued' | 'scheduled' | 'rejected' | 'invalid';
  reject_reason?: string | null;
  _id: string;
}

/** One recipient of one message as `/messages/search` reports it. */
export interface TransactionalSearchResult {
  _id: string;
  ts: number;
  email: string;
  subject: string;
  /** `sent`, `bounced`, `rejected`, … */
  state: string;
  reject?: { reason: string } | null;
  metadata?: Record<string, string>;
  tags?: string[];
}

export interface TransactionalMessage {
  subject: string;
  html: string;
  from_email?: string;
  from_name: string;
  to: Array<{ email: string; type: 'to' | 'cc' | 'bcc' }>;
  headers?: Record<string, string>;
  /** Always false: report data must never be read as merge tags. */
  merge: false;
  tags: string[];
  metadata: Record<string, string>;
  track_opens?: boolean;
  track_clicks?: boolean;
}

/**
 * A failed Transactional call. `uncertain` means no answer arrived (timeout, network, 5xx), so the
 * message may or may not have gone; anything else is Mailchimp's definite refusal.
 */
export class TransactionalError extends Error {
  override name = 'TransactionalError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly uncertain: boolean,
  ) {
    super(message);
  }
}

export interface TransactionalClient {
  /** Never retried: a repeated `messages/send` is a second email. */
  send(message: TransactionalMessage): Promise<TransactionalRecipientResult[]>;
  /** Messages whose metadata field `field` equals `value`, sent on or after `dateFrom` (YYYY-MM-DD). */
  searchByMetadata(field: string, value: string, dateFrom: string): Promise<TransactionalSearchResult[]>;
}

export interface TransactionalOptions {
  /** Up to and including the API version, e.g. https://mandrillapp.com/api/1.0 */
  baseUrl: string;
  apiKey: string;
  logger: Logger;
  timeoutMs?: number;
}

/**
 * Mailchimp Transactional (Mandrill): every call is a POST whose JSON body carries `key`.
 * Written directly on axios because the official SDK resolves failed calls instead of rejecting.
 */
export function createTransactionalClient(options: TransactionalOptions): TransactionalClient {
  const client: AxiosInstance = axios.create({
    baseURL: options.baseUrl.replace(/\/+$/, ''),
    timeout: options.timeoutMs ?? 120_000,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': 'IntegoReport' },
    validateStatus: () => true,
  });

  async function call<T>(endpoint: string, body: Record<string, unknown>): Promise<T> {
    let response;
    try {
      response = await client.post(endpoint, { key: options.apiKey, ...body });
    } catch (error) {
      const timedOut = axios.isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT');
      throw new TransactionalError(
        timedOut ? 'Mailchimp Transactional did not answer in time.' : 'Mailchimp Transactional could not be reached.',
        0,
        timedOut ? 'Timeout' : 'Network_Error',
        true,
      );
    }
    options.logger.debug({ endpoint, status: response.status }, 'transactional request');
    const data = response.data as unknown;
    if (response.status >= 200 && response.status < 300) return data as T;
    // Mandrill answers its own refusals with HTTP 500 and `{status:'error', name, message}`; only a body
    // without a named error (or a GeneralError) leaves it open whether the message went.
    const problem = (data && typeof data === 'object' ? data : {}) as { status?: string; name?: string; message?: string };
    const named = problem.status === 'error' && typeof problem.name === 'string' && problem.name !== 'GeneralError';
    throw new TransactionalError(
      problem.message ?? `Mailchimp Transactional answered HTTP ${response.status}.`,
      response.status,
      problem.name ?? `HTTP_${response.status}`,
      !named && response.status >= 500,
    );
  }

  return {
    async send(message) {
      const results = await call<unknown>('/messages/send', { message });
      if (!Array.isArray(results)) {
        throw new TransactionalError('Mailchimp Transactional answered without a result per recipient.', 200, 'Malformed_Response', true);
      }
      return results as TransactionalRecipientResult[];
    },
    async searchByMetadata(field, value, dateFrom) {
      const results = await call<unknown>('/messages/search', {
        query: `u_${field}:"${value.replace(/"/g, '')}"`,
        date_from: dateFrom,
        limit: 1000,
      });
      return Array.isArray(results) ? (results as TransactionalSearchResult[]) : [];
    },
  };
}

export interface TransactionalChannelSettings {
  fromName: string;
  /** Sender address on a domain verified in Mailchimp Transactional; also the Reply-To. */
  fromEmail: string;
  /** After an unanswered send, how long an empty search is not yet taken as "it did not go" (search lags). */
  settleMs?: number;
}

const DEFAULT_SETTLE_MS = 5 * 60_000;

const REPORT_TAG = 'integoreport';

function day(iso: string): string {
  return iso.slice(0, 10);
}

function isRejected(result: TransactionalRecipientResult): boolean {
  return result.status === 'rejected' || result.status === 'invalid';
}

function rejection(result: TransactionalRecipientResult): string {
  return `Mailchimp Transactional ${result.status} ${result.email}${result.reject_reason ? `: ${result.reject_reason}` : ''}.`;
}

/** Per-recipient verdicts for one send: the client's decides; a rejected internal copy is only a note. */
function judge(record: SendRecord, results: TransactionalRecipientResult[]): ChannelResult {
  const client = record.to[0]!.toLowerCase();
  const own = results.filter((result) => result.email.toLowerCase() === client);
  if (own.length === 0) return { kind: 'uncertain', reason: `Mailchimp Transactional gave no result for ${record.to[0]}.` };
  const notes = results
    .filter((result) => result.email.toLowerCase() !== client && isRejected(result))
    .map((result) => `The copy to ${result.email} was ${result.status}${result.reject_reason ? ` (${result.reject_reason})` : ''}.`);
  if (own.every(isRejected)) return { kind: 'failed', reason: rejection(own[0]!) };
  return { kind: 'sent', messageIds: results.map((result) => result._id), notes: notes.length ? notes : undefined };
}

/**
 * Delivery through Mailchimp Transactional: one message to the client plus the internal copy, with
 * `merge: false` and the ledger key in `metadata.report_key`. An attempt that takes over an open row,
 * or follows an unanswered call, first searches for that key and never sends when a message exists.
 */
export function createTransactionalChannel(client: TransactionalClient, settings: TransactionalChannelSettings): DeliveryChannel {
  const settleMs = settings.settleMs ?? DEFAULT_SETTLE_MS;
  const message = (subject: string, html: string, to: string[], key: string, kind: 'report' | 'test'): TransactionalMessage => ({
    subject,
    html,
    from_email: settings.fromEmail,
    from_name: settings.fromName,
    to: to.map((email) => ({ email, type: 'to' as const })),
    headers: { 'Reply-To': settings.fromEmail },
    merge: false,
    tags: kind === 'test' ? [REPORT_TAG, `${REPORT_TAG}-test`] : [REPORT_TAG],
    metadata: { report_key: key, kind },
  });

  return {
    name: 'transactional',
    async deliver(job) {
      let lookFirst = job.reconcile || job.record.uncertain === true || !job.mayAct;
      let lastProblem = 'Mailchimp Transactional did not answer.';
      for (let attempt = 0; attempt < MAX_PASSES; attempt += 1) {
        try {
          if (lookFirst) {
            const found = await client.searchByMetadata('report_key', job.record.key, day(job.record.searchSince));
            const recipient = job.record.to[0]!.toLowerCase();
            const delivered = found.filter((item) => item.email.toLowerCase() === recipient && item.state !== 'rejected');
            if (delivered.length > 0) return { kind: 'sent', messageIds: found.map((item) => item._id), already: true };
            if (!job.mayAct) return { kind: 'failed', reason: NOT_RESUMED };
            const unansweredAt = job.record.sendAttemptedAt ? Date.parse(job.record.sendAttemptedAt) : undefined;
            if (unansweredAt !== undefined && job.now().getTime() - unansweredAt < settleMs) {
              const minutes = Math.ceil((unansweredAt + settleMs - job.now().getTime()) / 60_000);
              return { kind: 'uncertain', reason: `Mailchimp Transactional has not confirmed an earlier attempt yet; it is looked up again, and sent only if still absent, in about ${minutes} min` };
            }
          }
          await job.progress({ status: 'requested', sendAttemptedAt: job.now().toISOString() });
          const results = await client.send(message(job.record.subject, job.html, job.record.to, job.record.key, 'report'));
          return judge(job.record, results);
        } catch (error) {
          if (error instanceof LeaseLostError) throw error;
          if (!(error instanceof TransactionalError) || !error.uncertain) {
            return { kind: 'failed', reason: `Mailchimp Transactional said: ${error instanceof Error ? error.message : String(error)}` };
          }
          lastProblem = error.message;
          lookFirst = true;
          job.record = await job.progress({});
        }
      }
      return { kind: 'uncertain', reason: lastProblem };
    },
    async sendTest(email: TestEmail) {
      const results = await client.send(message(email.subject, email.html, [email.to], `${email.key}:test`, 'test'));
      const rejected = results.find(isRejected);
      if (rejected) throw new TransactionalError(rejection(rejected), 200, 'Rejected', false);
      return { messageIds: results.map((result) => result._id) };
    },
  };
}
