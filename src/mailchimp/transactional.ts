import axios, { type AxiosInstance } from 'axios';
import type { Logger } from '../logger.js';
import { LeaseLostError, type SendRecord } from '../store/sends.js';
import { MAX_PASSES, NOT_RESUMED, type ChannelResult, type DeliveryChannel, type DeliveryJob, type EmailAttachment, type TestEmail } from './channel.js';
import { UserFacingError } from '../errors.js';

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
  /** `content` base64-encoded. */
  attachments?: Array<{ type: string; name: string; content: string }>;
}

/**
 * A failed Transactional call. `uncertain` means no answer arrived (timeout, network, 5xx), so the
 * message may or may not have gone; anything else is Mailchimp's definite refusal.
 */
export class TransactionalError extends UserFacingError {
  override name = 'TransactionalError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly uncertain: boolean,
  ) {
    super(message);
  }

  /** HTTP 429: `/messages/search` allows 20 calls a minute. */
  get rateLimited(): boolean {
    return this.status === 429;
  }
}

/** A custom metadata field as `/metadata/list` reports it; only an `active` one finds messages. */
export interface MetadataField {
  name: string;
  state: 'active' | 'index' | 'delete';
  view_template?: string;
}

/** Whether `/messages/search` can find messages by a metadata field, and if not, why (one sentence for people). */
export type SearchReadiness = { ready: true } | { ready: false; reason: string };

export interface TransactionalClient {
  /** Never retried: a repeated `messages/send` is a second email. */
  send(message: TransactionalMessage): Promise<TransactionalRecipientResult[]>;
  /**
   * Messages whose metadata field `field` equals `value`, sent on or after `dateFrom` (YYYY-MM-DD). Only
   * finds anything once `field` is indexed (see ensureSearchable); at most 20 calls a minute (else 429).
   */
  searchByMetadata(field: string, value: string, dateFrom: string): Promise<TransactionalSearchResult[]>;
  /**
   * Makes sure `field` is an indexed metadata field, adding it when it is missing (and saying so in the
   * log). Remembered once it is active; asked again after any other answer.
   */
  ensureSearchable(field: string): Promise<SearchReadiness>;
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
    // Refusals come as `{status:'error', name, message}` with HTTP 400 (401 for a bad key; before July 2023,
    // 500). Only a 5xx without a named error (or with GeneralError) leaves it open whether the message went.
    const problem = (data && typeof data === 'object' ? data : {}) as { status?: string; name?: string; message?: string };
    const named = problem.status === 'error' && typeof problem.name === 'string' && problem.name !== 'GeneralError';
    throw new TransactionalError(
      problem.message ?? `Mailchimp Transactional answered HTTP ${response.status}.`,
      response.status,
      problem.name ?? `HTTP_${response.status}`,
      !named && response.status >= 500,
    );
  }

  async function listMetadata(): Promise<MetadataField[]> {
    const fields = await call<unknown>('/metadata/list', {});
    if (!Array.isArray(fields)) throw new TransactionalError('Mailchimp Transactional answered /metadata/list without a list.', 200, 'Malformed_Response', true);
    return fields as MetadataField[];
  }

  async function checkSearchable(field: string): Promise<SearchReadiness> {
    try {
      let fields = await listMetadata();
      if (!fields.some((candidate) => candidate.name === field)) {
        try {
          await call<MetadataField>('/metadata/add', { name: field });
          options.logger.info({ field }, `Mailchimp Transactional: added the metadata field ${field} to the search index, so a send that got no answer can be looked up instead of sent twice`);
        } catch (error) {
          if (error instanceof TransactionalError && error.code === 'Metadata_FieldLimit') {
            const reason = fieldLimitReason(field, fields);
            options.logger.error({ field, indexed: fields.map((candidate) => candidate.name) }, reason);
            return { ready: false, reason };
          }
          // Another process may have added it first; the list says.
          fields = await listMetadata();
          if (!fields.some((candidate) => candidate.name === field)) throw error;
        }
        fields = await listMetadata();
      }
      const state = fields.find((candidate) => candidate.name === field)?.state;
      if (state === 'active') return { ready: true };
      const reason = state === 'delete'
        ? `The metadata field ${field} is being deleted in Mailchimp Transactional; reports wait until it is gone, and then it is indexed again.`
        : `Mailchimp Transactional is still indexing the metadata field ${field}; reports wait until it is searchable, so that a send without an answer can always be looked up. Try again in a few minutes.`;
      options.logger.warn({ field, state }, reason);
      return { ready: false, reason };
    } catch (error) {
      const reason = `Could not check with Mailchimp Transactional that the metadata field ${field} is indexed (${error instanceof Error ? error.message : String(error)}).`;
      options.logger.warn({ field, err: error }, reason);
      return { ready: false, reason };
    }
  }

  const searchable = new Map<string, Promise<SearchReadiness>>();

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
      if (!Array.isArray(results)) throw new TransactionalError('Mailchimp Transactional answered a search without a list.', 200, 'Malformed_Response', true);
      return results as TransactionalSearchResult[];
    },
    ensureSearchable(field) {
      // One check at a time per field; a field found active stays known, anything else is asked again next time.
      let pending = searchable.get(field);
      if (!pending) {
        pending = checkSearchable(field).then((readiness) => {
          if (!readiness.ready) searchable.delete(field);
          return readiness;
        });
        searchable.set(field, pending);
      }
      return pending;
    },
  };
}

function fieldLimitReason(field: string, indexed: MetadataField[]): string {
  const names = indexed.map((candidate) => candidate.name).join(', ');
  return `Mailchimp Transactional already indexes ${indexed.length} custom metadata fields (${names}), the most an account may have, so ${field} cannot be added and a send without an answer could not be looked up; reports are not sent this way until one of those fields is deleted on Mailchimp Transactional's Custom Metadata settings page.`;
}

export interface TransactionalChannelSettings {
  fromName: string;
  /** Sender address on a domain verified in Mailchimp Transactional; also the Reply-To. */
  fromEmail: string;
  /** After an unanswered send, how long an empty search is not yet taken as "it did not go" (search lags). */
  settleMs?: number;
}

const DEFAULT_SETTLE_MS = 5 * 60_000;
/** "You can retry your request 60 seconds after you sent the first of the original 20 requests." */
const SEARCH_BACKOFF_MS = 60_000;

const REPORT_TAG = 'integoreport';
/** The metadata field that carries the ledger key; indexed so that `/messages/search` can find a send by it. */
const REPORT_KEY_FIELD = 'report_key';

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

/** A send call may have gone out without an answer on this row (the ledger recorded the attempt, or left it uncertain). */
function maybeSent(record: SendRecord): boolean {
  return record.uncertain === true || record.sendAttemptedAt !== undefined;
}

/**
 * Delivery through Mailchimp Transactional: one message to the client plus the internal copy, with
 * `merge: false` and the ledger key in `metadata.report_key`. Nothing is sent until that field is indexed
 * for search. An attempt that takes over an open row, or follows an unanswered call, first searches for
 * the key and never sends when a message exists, nor when the search cannot answer (rate limit, index).
 */
export function createTransactionalChannel(client: TransactionalClient, settings: TransactionalChannelSettings): DeliveryChannel {
  const settleMs = settings.settleMs ?? DEFAULT_SETTLE_MS;
  /** Searches are refused until then (ms): the account used its 20 a minute. */
  let searchPausedUntil = 0;
  const message = (subject: string, html: string, to: string[], key: string, kind: 'report' | 'test', attachments: EmailAttachment[] = []): TransactionalMessage => ({
    subject,
    html,
    from_email: settings.fromEmail,
    from_name: settings.fromName,
    to: to.map((email) => ({ email, type: 'to' as const })),
    headers: { 'Reply-To': settings.fromEmail },
    merge: false,
    tags: kind === 'test' ? [REPORT_TAG, `${REPORT_TAG}-test`] : [REPORT_TAG],
    metadata: { [REPORT_KEY_FIELD]: key, kind },
    ...(attachments.length > 0 ? { attachments: attachments.map((file) => ({ type: file.type, name: file.name, content: file.content.toString('base64') })) } : {}),
  });

  /** What Mailchimp shows for this row's key: a result when it decides the attempt, undefined when sending is safe. */
  async function lookUp(job: DeliveryJob): Promise<ChannelResult | undefined> {
    const now = job.now().getTime();
    if (now < searchPausedUntil) return searchLimited(searchPausedUntil - now);
    const index = await client.ensureSearchable(REPORT_KEY_FIELD);
    if (!index.ready) return { kind: maybeSent(job.record) ? 'uncertain' : 'failed', reason: index.reason };
    let found: TransactionalSearchResult[];
    try {
      found = await client.searchByMetadata(REPORT_KEY_FIELD, job.record.key, day(job.record.searchSince));
    } catch (error) {
      if (!(error instanceof TransactionalError)) throw error;
      if (error.rateLimited) {
        searchPausedUntil = now + SEARCH_BACKOFF_MS;
        return searchLimited(SEARCH_BACKOFF_MS);
      }
      // A refused search proves nothing: a row that may have gone out stays open.
      if (!error.uncertain && maybeSent(job.record)) return { kind: 'uncertain', reason: `Mailchimp Transactional refused to look the report up: ${error.message}` };
      throw error;
    }
    const recipient = job.record.to[0]!.toLowerCase();
    const delivered = found.filter((item) => item.email.toLowerCase() === recipient && item.state !== 'rejected');
    if (delivered.length > 0) return { kind: 'sent', messageIds: found.map((item) => item._id), already: true };
    if (!job.mayAct) return { kind: 'failed', reason: NOT_RESUMED };
    const unansweredAt = job.record.sendAttemptedAt ? Date.parse(job.record.sendAttemptedAt) : undefined;
    if (unansweredAt !== undefined && now - unansweredAt < settleMs) {
      return { kind: 'uncertain', reason: `Mailchimp Transactional has not confirmed an earlier attempt yet; it is looked up again, and sent only if still absent, in ${minutes(unansweredAt + settleMs - now)}` };
    }
    return undefined;
  }

  return {
    name: 'transactional',
    marksTestSubjects: false,
    prepare: async () => {
      await client.ensureSearchable(REPORT_KEY_FIELD);
    },
    async deliver(job) {
      let lookFirst = job.reconcile || job.record.uncertain === true || !job.mayAct;
      let lastProblem = 'Mailchimp Transactional did not answer.';
      for (let attempt = 0; attempt < MAX_PASSES; attempt += 1) {
        try {
          if (lookFirst) {
            const decided = await lookUp(job);
            if (decided) return decided;
          } else {
            // Only a message that search can find may be sent: an unanswered send is then looked up, never repeated blind.
            const index = await client.ensureSearchable(REPORT_KEY_FIELD);
            if (!index.ready) return { kind: 'failed', reason: index.reason };
          }
          await job.progress({ status: 'requested', sendAttemptedAt: job.now().toISOString() });
          const results = await client.send(message(job.record.subject, job.html, job.record.to, job.record.key, 'report', job.attachments));
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
      const results = await client.send(message(email.subject, email.html, [email.to], `${email.key}:test`, 'test', email.attachments));
      const rejected = results.find(isRejected);
      if (rejected) throw new TransactionalError(rejection(rejected), 200, 'Rejected', false);
      return { messageIds: results.map((result) => result._id) };
    },
  };
}

function searchLimited(waitMs: number): ChannelResult {
  return {
    kind: 'uncertain',
    reason: `Mailchimp Transactional allows 20 searches a minute and refused this one; it is looked up again, and sent only if still absent, in ${minutes(waitMs)}`,
  };
}

function minutes(ms: number): string {
  return `about ${Math.max(1, Math.ceil(ms / 60_000))} min`;
}
