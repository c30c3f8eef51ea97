import type { SandboxAudienceMember } from '../../types.js';
import { isObject, type FieldError } from '../api.js';

/** Inline segment options of a campaign's recipients (OAS3 `segment_opts`). */
export interface SegmentOpts {
  saved_segment_id?: number;
  match?: 'any' | 'all';
  conditions?: SegmentCondition[];
}

export interface SegmentCondition {
  condition_type: string;
  field: string;
  op: string;
  value?: string | number;
}

const EMAIL_FIELDS = ['EMAIL', 'merge0'];
const STRING_OPS = ['is', 'not', 'contains', 'notcontain', 'starts', 'ends', 'greater', 'less'];
const TEXT_MERGE_OPS = [...STRING_OPS, 'blank', 'blank_not'];
/** The audience's positional merge ids: merge1 is FNAME, merge2 is LNAME. */
const POSITIONAL_MERGE_TAGS: Record<string, string> = { merge1: 'FNAME', merge2: 'LNAME' };

export function validateSegmentOpts(opts: unknown): FieldError[] {
  if (opts === undefined) return [];
  if (!isObject(opts)) return [{ field: 'recipients.segment_opts', message: 'Schema describes object, ' + typeName(opts) + ' found instead' }];
  const errors: FieldError[] = [];
  if (opts.saved_segment_id !== undefined && !Number.isInteger(opts.saved_segment_id)) {
    errors.push({ field: 'recipients.segment_opts.saved_segment_id', message: 'Schema describes integer, ' + typeName(opts.saved_segment_id) + ' found instead' });
  }
  if (opts.match !== undefined && opts.match !== 'any' && opts.match !== 'all') {
    errors.push({ field: 'recipients.segment_opts.match', message: 'Value is not one of enum values: any, all' });
  }
  if (opts.conditions === undefined) return errors;
  if (!Array.isArray(opts.conditions)) {
    return [...errors, { field: 'recipients.segment_opts.conditions', message: 'Schema describes array, ' + typeName(opts.conditions) + ' found instead' }];
  }
  opts.conditions.forEach((condition: unknown, index: number) => {
    const prefix = `recipients.segment_opts.conditions[${index}]`;
    if (!isObject(condition)) {
      errors.push({ field: prefix, message: 'Schema describes object, ' + typeName(condition) + ' found instead' });
      return;
    }
    const { condition_type: type, field, op } = condition;
    if (type === 'EmailAddress') {
      if (!EMAIL_FIELDS.includes(String(field))) errors.push({ field: `${prefix}.field`, message: `Value is not one of enum values: ${EMAIL_FIELDS.join(', ')}` });
      if (!STRING_OPS.includes(String(op))) errors.push({ field: `${prefix}.op`, message: `Value is not one of enum values: ${STRING_OPS.join(', ')}` });
      if (typeof condition.value !== 'string') errors.push({ field: `${prefix}.value`, message: 'Schema describes string, ' + typeName(condition.value) + ' found instead' });
    } else if (type === 'TextMerge') {
      if (typeof field !== 'string' || field === '') errors.push({ field: `${prefix}.field`, message: 'This value should not be blank.' });
      if (!TEXT_MERGE_OPS.includes(String(op))) errors.push({ field: `${prefix}.op`, message: `Value is not one of enum values: ${TEXT_MERGE_OPS.join(', ')}` });
    } else {
      errors.push({ field: `${prefix}.condition_type`, message: 'The sandbox supports the EmailAddress and TextMerge condition types.' });
    }
  });
  return errors;
}

/**
 * A predicate for "member belongs to the segment"; no conditions means the whole audience. With a saved segment
 * (`savedEmails`, lowercased), a member must be in it and also match any inline conditions.
 */
export function segmentMatcher(opts: SegmentOpts | undefined, savedEmails?: ReadonlySet<string>): (member: SandboxAudienceMember) => boolean {
  const tests = (opts?.conditions ?? []).map(conditionTest);
  const inConditions = tests.length === 0
    ? () => true
    : opts?.match === 'any'
      ? (member: SandboxAudienceMember) => tests.some((test) => test(member))
      : (member: SandboxAudienceMember) => tests.every((test) => test(member));
  if (!savedEmails) return inConditions;
  return (member) => savedEmails.has(member.email_address.trim().toLowerCase()) && inConditions(member);
}

function conditionTest(condition: SegmentCondition): (member: SandboxAudienceMember) => boolean {
  const expected = String(condition.value ?? '').trim().toLowerCase();
  const read = condition.condition_type === 'EmailAddress'
    ? (member: SandboxAudienceMember) => member.email_address
    : (member: SandboxAudienceMember) => member.merge_fields[POSITIONAL_MERGE_TAGS[condition.field] ?? condition.field] ?? '';
  return (member) => compare(read(member).trim().toLowerCase(), condition.op, expected);
}

function compare(actual: string, op: string, expected: string): boolean {
  switch (op) {
    case 'is': return actual === expected;
    case 'not': return actual !== expected;
    case 'contains': return actual.includes(expected);
    case 'notcontain': return !actual.includes(expected);
    case 'starts': return actual.startsWith(expected);
    case 'ends': return actual.endsWith(expected);
    case 'greater': return actual > expected;
    case 'less': return actual < expected;
    case 'blank': return actual === '';
    case 'blank_not': return actual !== '';
    default: return false;
  }
}

/** A readable description like Mailchimp's `segment_text`. */
export function describeSegment(opts: SegmentOpts | undefined, savedSegmentName?: string): string {
  const conditions = opts?.conditions ?? [];
  const saved = savedSegmentName === undefined ? '' : `Contacts in the saved segment "${savedSegmentName}"`;
  if (conditions.length === 0) return saved;
  const parts = conditions.map((condition) => {
    const field = condition.condition_type === 'EmailAddress' ? 'Email Address' : (POSITIONAL_MERGE_TAGS[condition.field] ?? condition.field);
    return `${field} ${condition.op} ${String(condition.value ?? '')}`.trim();
  });
  const inline = `Contacts match ${opts?.match ?? 'all'} of the following conditions: ${parts.join('; ')}`;
  return saved ? `${saved}. ${inline}` : inline;
}

/** The addresses an inline segment names with `EmailAddress is`, for explaining an empty segment. */
export function namedEmails(opts: SegmentOpts | undefined): string[] {
  return (opts?.conditions ?? [])
    .filter((condition) => condition.condition_type === 'EmailAddress' && condition.op === 'is')
    .map((condition) => String(condition.value ?? '').trim());
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
