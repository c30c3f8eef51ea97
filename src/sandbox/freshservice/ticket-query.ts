import type { FreshserviceTicket } from '../../freshservice/types.js';

/** A query the filter endpoint refuses; the message goes into the 400 body. */
export class TicketQueryError extends Error {
  override name = 'TicketQueryError';
}

export type TicketPredicate = (ticket: FreshserviceTicket) => boolean;

const NUMBER_FIELDS: Record<string, (t: FreshserviceTicket) => number | null | undefined> = {
  priority: (t) => t.priority,
  status: (t) => t.status,
  urgency: (t) => t.urgency,
  impact: (t) => t.impact,
  agent_id: (t) => t.responder_id,
  group_id: (t) => t.group_id,
  requester_id: (t) => t.requester_id,
  workspace_id: (t) => t.workspace_id,
  // Not in the documented list, but accepted here (and, per tenant reports, by the real filter).
  department_id: (t) => t.department_id,
};
const DATE_FIELDS: Record<string, (t: FreshserviceTicket) => string | null> = {
  created_at: (t) => t.created_at,
  updated_at: (t) => t.updated_at,
  due_by: (t) => t.due_by,
  fr_due_by: (t) => t.fr_due_by,
};
const MAX_QUERY_LENGTH = 512;
const DAY_MS = 86_400_000;

type Value = { kind: 'number'; value: number } | { kind: 'string'; value: string } | { kind: 'null' } | { kind: 'boolean'; value: boolean };
type Token = { kind: '(' | ')' | 'AND' | 'OR' } | { kind: 'condition'; field: string; op: '=' | '>=' | '<='; value: Value; text: string };

/**
 * Parses the `/tickets/filter` query language: the whole query in double quotes, `field:value`,
 * `field:>value` (≥) and `field:<value` (≤), strings and dates in single quotes, AND/OR and parentheses.
 * `emailOf` resolves a requester id to an email for the `email` field.
 */
export function parseTicketQuery(raw: string, emailOf: (requesterId: number | null) => string | null = () => null): TicketPredicate {
  // "Enclosed between a pair of double quotes and can have up to 512 characters": counted with the quotes, the stricter reading.
  if (raw.length > MAX_QUERY_LENGTH) throw new TicketQueryError(`query is longer than ${MAX_QUERY_LENGTH} characters`);
  if (raw.length < 2 || !raw.startsWith('"') || !raw.endsWith('"')) throw new TicketQueryError('query must be enclosed in double quotes');
  const tokens = tokenize(raw.slice(1, -1));
  let position = 0;
  const peek = (): Token | undefined => tokens[position];

  const parseExpression = (): TicketPredicate => {
    const parts = [parseTerm()];
    while (peek()?.kind === 'OR') {
      position += 1;
      parts.push(parseTerm());
    }
    return parts.length === 1 ? parts[0]! : (t) => parts.some((part) => part(t));
  };
  const parseTerm = (): TicketPredicate => {
    const parts = [parseFactor()];
    while (peek()?.kind === 'AND') {
      position += 1;
      parts.push(parseFactor());
    }
    return parts.length === 1 ? parts[0]! : (t) => parts.every((part) => part(t));
  };
  const parseFactor = (): TicketPredicate => {
    const token = tokens[position];
    position += 1;
    if (!token) throw new TicketQueryError('query ends unexpectedly');
    if (token.kind === '(') {
      const inner = parseExpression();
      if (tokens[position]?.kind !== ')') throw new TicketQueryError('missing closing parenthesis');
      position += 1;
      return inner;
    }
    if (token.kind === 'condition') return conditionPredicate(token, emailOf);
    throw new TicketQueryError(`unexpected ${token.kind}`);
  };

  const predicate = parseExpression();
  if (position < tokens.length) throw new TicketQueryError(`unexpected ${tokens[position]!.kind} after a complete condition`);
  return predicate;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const condition = /^([a-z_][a-z0-9_]*):([<>])?('([^']*)'|-?\d+(?:\.\d+)?|null|true|false)/;
  let rest = text.trim();
  while (rest.length > 0) {
    if (rest.startsWith('(') || rest.startsWith(')')) {
      tokens.push({ kind: rest[0] as '(' | ')' });
      rest = rest.slice(1);
    } else if (/^(AND|OR)\b/.test(rest)) {
      const word = rest.startsWith('AND') ? 'AND' : 'OR';
      tokens.push({ kind: word });
      rest = rest.slice(word.length);
    } else {
      const match = condition.exec(rest);
      if (!match) throw new TicketQueryError(`cannot read the query at "${rest.slice(0, 30)}"`);
      const [text, field, op, literal, quoted] = match;
      const value: Value =
        quoted !== undefined ? { kind: 'string', value: quoted }
        : literal === 'null' ? { kind: 'null' }
        : literal === 'true' || literal === 'false' ? { kind: 'boolean', value: literal === 'true' }
        : { kind: 'number', value: Number(literal) };
      tokens.push({ kind: 'condition', field: field!, op: op === '>' ? '>=' : op === '<' ? '<=' : '=', value, text });
      rest = rest.slice(text.length);
    }
    rest = rest.trimStart();
  }
  if (tokens.length === 0) throw new TicketQueryError('query is empty');
  return tokens;
}

function compare(actual: number, op: '=' | '>=' | '<=', expected: number): boolean {
  return op === '=' ? actual === expected : op === '>=' ? actual >= expected : actual <= expected;
}

function conditionPredicate(token: Extract<Token, { kind: 'condition' }>, emailOf: (id: number | null) => string | null): TicketPredicate {
  const { field, op, value } = token;
  const invalid = (why: string) => new TicketQueryError(`${token.text}: ${why}`);
  const numberField = NUMBER_FIELDS[field];
  if (numberField) {
    if (value.kind === 'null') {
      if (op !== '=') throw invalid('null cannot be compared');
      return (t) => numberField(t) == null;
    }
    if (value.kind !== 'number') throw invalid(`${field} expects a number`);
    return (t) => {
      const actual = numberField(t);
      return actual != null && compare(actual, op, value.value);
    };
  }
  const dateField = DATE_FIELDS[field];
  if (dateField) {
    if (value.kind !== 'string') throw invalid(`${field} expects a date in single quotes`);
    const range = dateRange(value.value);
    if (!range) throw invalid(`${field} expects 'yyyy-mm-dd' or 'yyyy-mm-ddThh:mm:ssZ'`);
    const [start, end] = range;
    return (t) => {
      const raw = dateField(t);
      if (raw === null) return false;
      const actual = Date.parse(raw);
      return op === '>=' ? actual >= start : op === '<=' ? actual < end : actual >= start && actual < end;
    };
  }
  if (field === 'tag') {
    if (value.kind !== 'string' || op !== '=') throw invalid('tag expects a string');
    return (t) => (t.tags ?? []).includes(value.value);
  }
  if (field === 'email') {
    if (value.kind !== 'string' || op !== '=') throw invalid('email expects a string');
    return (t) => emailOf(t.requester_id)?.toLowerCase() === value.value.toLowerCase();
  }
  if (field === 'proactive_case') {
    if (value.kind !== 'boolean' || op !== '=') throw invalid('proactive_case expects true or false');
    return (t) => (t.custom_fields.proactive_case === true) === value.value;
  }
  throw invalid(`${field} is not a filterable field`);
}

/** [start, end) in ms: a whole UTC day for 'yyyy-mm-dd', one instant for a full timestamp. */
function dateRange(text: string): [number, number] | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const start = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(start) ? null : [start, start + DAY_MS];
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(text)) {
    const instant = Date.parse(text);
    return Number.isNaN(instant) ? null : [instant, instant + 1];
  }
  return null;
}
