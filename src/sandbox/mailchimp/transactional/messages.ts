import { isObject, json, type Handler, type HandlerContext } from '../api.js';
import { transactionalError, validationError } from './errors.js';
import { evaluateMergeTags, type MergeValues } from '../merge-tags.js';
import { emailDomain, isValidEmail, mailchimpTime, nextId, type TransactionalMessage } from '../state.js';
import { activeFieldNames } from './metadata.js';

const SEARCH_WINDOW_DAYS = 7;
const SYNC_RECIPIENT_LIMIT = 10;
/** "This method may be called up to 20 times per minute"; enforced with a 429 since April 2023. */
const SEARCHES_PER_MINUTE = 20;

export const sendMessage: Handler = (context) => {
  const body = context.body as Record<string, any>;
  const message = body.message;
  if (!isObject(message)) return validationError('{"message":"Please enter an array"}');
  if (!Array.isArray(message.to) || message.to.length === 0) return validationError('{"message":{"to":"Please enter an array"}}');
  if (message.to.some((recipient: unknown) => !isObject(recipient) || typeof recipient.email !== 'string')) {
    return validationError('{"message":{"to":[{"email":"Please enter a valid email address"}]}}');
  }
  if (message.metadata !== undefined && !isObject(message.metadata)) return validationError('{"message":{"metadata":"Please enter an array"}}');
  const attachments = attachmentsOf(message.attachments);
  if (attachments === undefined) return validationError('{"message":{"attachments":"Please enter an array of {type, name, content} with base64 content"}}');
  const now = context.clock.now();
  const fromEmail = typeof message.from_email === 'string' ? message.from_email : '';
  const queued = body.async === true || message.to.length > SYNC_RECIPIENT_LIMIT;
  const metadata = stringRecord(message.metadata);
  const indexedNow = activeFieldNames(context.state, now);
  const indexed = Object.keys(metadata).filter((key) => indexedNow.has(key));
  const tags = Array.isArray(message.tags) ? message.tags.map(String) : [];
  const results = (message.to as Array<{ email: string }>).map((recipient) => {
    const email = recipient.email.trim();
    const { state, reject_reason } = verdict(context, email, fromEmail, queued);
    const stored: TransactionalMessage = {
      _id: nextId(context.state, 'transactional', 32),
      ts: Math.floor(now.getTime() / 1000),
      email,
      sender: fromEmail,
      subject: typeof message.subject === 'string' ? message.subject : '',
      tags,
      metadata,
      state,
      reject_reason,
      indexed,
    };
    context.state.transactionalMessages.push(stored);
    return stored;
  });
  const delivered = results.filter((result) => result.state === 'sent' || result.state === 'queued');
  if (delivered.length > 0) {
    const values = mergeEnabled(message) ? mergeValuesFor(message, delivered[0]!.email) : undefined;
    const render = (text: string): string => (values ? evaluateMergeTags(text, values) : text);
    context.state.outbox.push({
      id: nextId(context.state, 'outbox', 16),
      kind: 'transactional',
      messageId: delivered[0]!._id,
      to: delivered.map((result) => result.email),
      subject: render(typeof message.subject === 'string' ? message.subject : ''),
      fromName: typeof message.from_name === 'string' ? message.from_name : '',
      replyTo: replyTo(message.headers) ?? fromEmail,
      html: render(typeof message.html === 'string' ? message.html : typeof message.text === 'string' ? message.text : ''),
      sentAt: mailchimpTime(now),
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
    });
  }
  context.changed();
  return json(
    results.map((result) => ({
      email: result.email,
      status: result.state,
      reject_reason: result.reject_reason,
      ...(result.state === 'queued' ? { queued_reason: 'attempted' } : {}),
      _id: result._id,
    })),
  );
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `message.attachments` as the outbox keeps them, or undefined when one is not a `{type, name, content}` with base64 content. */
function attachmentsOf(value: unknown): Array<{ name: string; type: string; size: number }> | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return undefined;
  const files: Array<{ name: string; type: string; size: number }> = [];
  for (const file of value) {
    if (!isObject(file) || typeof file.type !== 'string' || typeof file.name !== 'string' || typeof file.content !== 'string') return undefined;
    const content = file.content.replace(/\s+/g, '');
    if (content.length % 4 !== 0 || !BASE64.test(content)) return undefined;
    files.push({ name: file.name, type: file.type, size: Buffer.from(content, 'base64').length });
  }
  return files;
}

/**
 * `/messages/search`: a simple version of the Lucene query language. Terms are ANDed: `u_<field>:<value>`
 * matches a metadata field, but only one that was indexed (`/metadata/add`) when the message was sent;
 * `email:`, `subject:`, `tags:`, `sender:` match those fields, `*` matches everything, and a bare word
 * matches the subject or address. More than 20 searches in a minute are refused with a 429.
 */
export const searchMessages: Handler = (context) => {
  const body = context.body as Record<string, any>;
  const now = context.clock.now();
  const minuteAgo = now.getTime() - 60_000;
  context.state.recentSearches = context.state.recentSearches.filter((at) => at > minuteAgo);
  if (context.state.recentSearches.length >= SEARCHES_PER_MINUTE) {
    return transactionalError(-1, 'Too_Many_Requests', `You have exceeded the limit of ${SEARCHES_PER_MINUTE} searches per minute; retry 60 seconds after the first of them.`, 429);
  }
  context.state.recentSearches.push(now.getTime());
  context.changed();
  const indexedNow = activeFieldNames(context.state, now);
  const from = parseDate(body.date_from) ?? now.getTime() - SEARCH_WINDOW_DAYS * 86_400_000;
  const to = parseDate(body.date_to, true) ?? Number.POSITIVE_INFINITY;
  const limit = Math.min(Number(body.limit ?? 100) || 100, 1000);
  const terms = tokenize(typeof body.query === 'string' ? body.query : '*');
  const tagFilter = Array.isArray(body.tags) ? body.tags.map(String) : [];
  const senderFilter = Array.isArray(body.senders) ? body.senders.map(String) : [];
  const matches = context.state.transactionalMessages
    .filter((message) => message.ts * 1000 >= from && message.ts * 1000 <= to)
    .filter((message) => tagFilter.length === 0 || tagFilter.some((tag: string) => message.tags.includes(tag)))
    .filter((message) => senderFilter.length === 0 || senderFilter.includes(message.sender))
    .filter((message) => terms.every((term) => matchesTerm(message, term, indexedNow)))
    .sort((a, b) => b.ts - a.ts)
    .slice(0, limit);
  return json(matches.map(searchView));
};

export const messageInfo: Handler = (context) => {
  const id = (context.body as Record<string, unknown>).id;
  const message = context.state.transactionalMessages.find((candidate) => candidate._id === id);
  return message ? json(searchView(message)) : transactionalError(11, 'Unknown_Message', `No message exists with the id '${String(id)}'`, 404);
};

function verdict(context: HandlerContext, email: string, fromEmail: string, queued: boolean): Pick<TransactionalMessage, 'state' | 'reject_reason'> {
  if (!isValidEmail(email)) return { state: 'invalid', reject_reason: null };
  if (!isValidEmail(fromEmail)) return { state: 'rejected', reject_reason: 'invalid-sender' };
  if (context.site.unverifiedDomains.includes(emailDomain(fromEmail))) return { state: 'rejected', reject_reason: 'unsigned' };
  const lower = email.toLowerCase();
  const member = context.state.members.find((candidate) => candidate.email_address.toLowerCase() === lower);
  if (context.state.suppressions.includes(lower) || member?.status === 'unsubscribed') return { state: 'rejected', reject_reason: 'unsub' };
  if (member?.status === 'cleaned') return { state: 'rejected', reject_reason: 'hard_bounce' };
  return { state: queued ? 'queued' : 'sent', reject_reason: null };
}

function mergeEnabled(message: Record<string, any>): boolean {
  return message.merge === true || Array.isArray(message.merge_vars) || Array.isArray(message.global_merge_vars);
}

/** Global merge vars overlaid with the first recipient's own vars (Mandrill's names are case-insensitive). */
function mergeValuesFor(message: Record<string, any>, email: string): MergeValues {
  const values: MergeValues = { EMAIL: email };
  const apply = (vars: unknown): void => {
    if (!Array.isArray(vars)) return;
    for (const entry of vars) if (isObject(entry) && typeof entry.name === 'string') values[entry.name.toUpperCase()] = String(entry.content ?? '');
  };
  apply(message.global_merge_vars);
  if (Array.isArray(message.merge_vars)) {
    const own = message.merge_vars.find((entry: unknown) => isObject(entry) && String(entry.rcpt).toLowerCase() === email.toLowerCase());
    if (own) apply(own.vars);
  }
  return values;
}

function replyTo(headers: unknown): string | undefined {
  if (!isObject(headers)) return undefined;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'reply-to');
  return entry ? String(entry[1]) : undefined;
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]));
}

function tokenize(query: string): string[] {
  return (query.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []).filter((term) => term.toUpperCase() !== 'AND');
}

/** `indexedNow`: metadata fields still indexed; a message is found by one only if it was also indexed when sent. */
function matchesTerm(message: TransactionalMessage, term: string, indexedNow: Set<string>): boolean {
  if (term === '*') return true;
  const separator = term.indexOf(':');
  const field = separator === -1 ? '' : term.slice(0, separator).toLowerCase();
  const value = unquote(separator === -1 ? term : term.slice(separator + 1)).toLowerCase();
  if (field.startsWith('u_')) {
    const key = term.slice(2, separator);
    const searchable = indexedNow.has(key) && (message.indexed ?? []).includes(key);
    return searchable && (message.metadata[key] ?? '').toLowerCase() === value;
  }
  switch (field) {
    case 'email':
    case 'full_email':
      return message.email.toLowerCase() === value;
    case 'subject':
      return message.subject.toLowerCase().includes(value);
    case 'tags':
      return message.tags.some((tag) => tag.toLowerCase() === value);
    case 'sender':
      return message.sender.toLowerCase() === value;
    default:
      return message.subject.toLowerCase().includes(value) || message.email.toLowerCase().includes(value);
  }
}

function unquote(text: string): string {
  return text.replace(/^"(.*)"$/, '$1');
}

function parseDate(value: unknown, endOfDay = false): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const parsed = Date.parse(dateOnly ? `${text}T${endOfDay ? '23:59:59' : '00:00:00'}Z` : `${text.replace(' ', 'T')}${/Z|[+-]\d{2}:?\d{2}$/.test(text) ? '' : 'Z'}`);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function searchView(message: TransactionalMessage): Record<string, unknown> {
  return {
    ts: message.ts,
    _id: message._id,
    sender: message.sender,
    template: null,
    subject: message.subject,
    email: message.email,
    tags: message.tags,
    opens: 0,
    clicks: 0,
    state: message.state === 'rejected' || message.state === 'invalid' ? 'rejected' : 'sent',
    metadata: message.metadata,
    opens_detail: [],
    clicks_detail: [],
    smtp_events: [],
    resends: [],
    reject: message.reject_reason ? { reason: message.reject_reason } : null,
  };
}
