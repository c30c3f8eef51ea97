import type { SandboxAudienceMember } from '../../types.js';

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

/** The audience's positional merge ids: merge1 is FNAME, merge2 is LNAME. */
const POSITIONAL_MERGE_TAGS: Record<string, string> = { merge1: 'FNAME', merge2: 'LNAME' };

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
