import type { SandboxAudienceMember } from '../../types.js';
import {
  bodyNotObject,
  invalidDateParameters,
  invalidResource,
  isApiResult,
  isObject,
  isOurList,
  json,
  link,
  noContent,
  notFound,
  pagingParameters,
  problem,
  type ApiResult,
  type FieldError,
  type Handler,
  type HandlerContext,
} from '../api.js';
import { findMember, isValidEmail, mailchimpTime, md5, subscriberHash } from '../state.js';

type MemberStatus = SandboxAudienceMember['status'];
const WRITE_STATUSES: MemberStatus[] = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional'];
const COMPLIANCE_STATUSES: MemberStatus[] = ['unsubscribed', 'cleaned'];
const INVALID_EMAIL = 'Please provide a valid email address.';

export const getList: Handler = (context) => {
  if (!isOurList(context)) return notFound();
  return json(listView(context));
};

export const getLists: Handler = (context) => json({ lists: [listView(context)], total_items: 1, _links: [link('self', `${context.site.apiRoot}/lists`, 'GET')] });

export const getMergeFields: Handler = (context) => {
  if (!isOurList(context)) return notFound();
  const tags = [...new Set(['FNAME', 'LNAME', ...context.state.members.flatMap((member) => Object.keys(member.merge_fields))])];
  const names: Record<string, string> = { FNAME: 'First Name', LNAME: 'Last Name' };
  const mergeFields = tags.map((tag, index) => ({
    merge_id: index + 1,
    tag,
    name: names[tag] ?? tag,
    type: 'text',
    required: false,
    default_value: '',
    public: true,
    display_order: index + 2,
    list_id: context.state.listId,
  }));
  return json({ merge_fields: mergeFields, list_id: context.state.listId, total_items: mergeFields.length });
};

export const listMembers: Handler = (context) => {
  if (!isOurList(context)) return notFound();
  const paging = pagingParameters(context.query);
  if (isApiResult(paging)) return paging;
  const status = context.query.status as MemberStatus | undefined;
  const badDate = invalidDateParameters(context.query, ['since_last_changed', 'before_last_changed']);
  if (badDate) return badDate;
  let members = context.state.members.filter((member) => !member.forgotten && (status ? member.status === status : member.status !== 'archived'));
  const { since_last_changed: since, before_last_changed: before, sort_field: sortField, sort_dir: sortDir } = context.query;
  if (since) members = members.filter((member) => Date.parse(member.last_changed) >= Date.parse(since));
  if (before) members = members.filter((member) => Date.parse(member.last_changed) < Date.parse(before));
  if (sortField) {
    const direction = sortDir === 'DESC' ? -1 : 1;
    members = [...members].sort((a, b) => direction * (Date.parse(a.last_changed) - Date.parse(b.last_changed)));
  }
  const page = members.slice(paging.offset, paging.offset + paging.count);
  const self = `${context.site.apiRoot}/lists/${context.state.listId}/members`;
  return json({
    members: page.map((member) => memberView(member, context)),
    list_id: context.state.listId,
    total_items: members.length,
    _links: [link('self', self, 'GET'), link('parent', `${context.site.apiRoot}/lists/${context.state.listId}`, 'GET'), link('create', self, 'POST')],
  });
};

export const getMember: Handler = (context) => {
  const member = visibleMember(context);
  return member ? json(memberView(member, context)) : notFound();
};

export const searchMembers: Handler = (context) => {
  const query = (context.query.query ?? '').trim().toLowerCase();
  if (context.query.list_id !== undefined && context.query.list_id !== context.state.listId) return notFound();
  if (query === '') return invalidResource([{ field: 'query', message: 'This value should not be blank.' }]);
  const candidates = context.state.members.filter((member) => !member.forgotten);
  const exact = candidates.filter((member) => member.email_address.toLowerCase() === query);
  const partial = candidates.filter(
    (member) =>
      !exact.includes(member) &&
      [member.email_address, member.merge_fields.FNAME, member.merge_fields.LNAME, fullName(member)].some((text) => (text ?? '').toLowerCase().includes(query)),
  );
  return json({
    exact_matches: { members: exact.map((member) => memberView(member, context)), total_items: exact.length },
    full_search: { members: partial.map((member) => memberView(member, context)), total_items: partial.length },
    _links: [link('self', `${context.site.apiRoot}/search-members`, 'GET')],
  });
};

/** POST /lists/{id}/members: add only; an address already on the list is refused with "Member Exists". */
export const addMember: Handler = (context) => {
  if (!isOurList(context)) return notFound();
  const body = context.body;
  if (!isObject(body)) return bodyNotObject();
  const errors = [...emailErrors(body.email_address, true), ...statusErrors(body, 'status', true)];
  if (errors.length > 0) return validationFailure(errors);
  const email = String(body.email_address).trim();
  const existing = findMember(context.state, subscriberHash(email));
  if (existing?.forgotten) return forgotten(existing.email_address);
  if (existing) {
    return problem(400, 'Member Exists', `${existing.email_address} is already a list member. Use PUT to insert or update list members.`);
  }
  const member = createMember(context, email, body.status as MemberStatus, body.merge_fields);
  return json(memberView(member, context));
};

/**
 * PUT /lists/{id}/members/{hash}: add or update. `status_if_new` applies only on create; `status` overwrites.
 * The spec requires `email_address` and `status_if_new` even for an existing member (its prose says
 * "only if the email address is not already present"); the contract takes the schema's stricter word.
 */
export const upsertMember: Handler = (context) => {
  if (!isOurList(context)) return notFound();
  const hash = resolveHash(context.params.hash ?? '');
  if (!hash) return notFound();
  const body = context.body as Record<string, any>;
  const existing = findMember(context.state, hash);
  const isNew = !existing || existing.status === 'archived';
  const errors = [...emailErrors(body.email_address, true), ...mergeFieldErrors(body.merge_fields)];
  if (errors.length > 0) return validationFailure(errors);
  if (subscriberHash(body.email_address) !== hash) {
    return invalidResource([{ field: 'email_address', message: 'The subscriber hash in the URL does not match this email address.' }], 'The subscriber hash does not match the email address.');
  }
  if (existing?.forgotten) return forgotten(existing.email_address);
  if (!existing) {
    const status = (body.status ?? body.status_if_new) as MemberStatus;
    return json(memberView(createMember(context, String(body.email_address).trim(), status, body.merge_fields), context));
  }
  const refusal = updateMember(context, existing, isNew ? (body.status ?? body.status_if_new) : body.status, body.merge_fields);
  return refusal ?? json(memberView(existing, context));
};

export const patchMember: Handler = (context) => {
  const member = visibleMember(context);
  if (!member) return notFound();
  const body = context.body;
  if (!isObject(body)) return bodyNotObject();
  const errors = [...statusErrors(body, 'status', false), ...mergeFieldErrors(body.merge_fields)];
  if (errors.length > 0) return validationFailure(errors);
  return updateMember(context, member, body.status, body.merge_fields) ?? json(memberView(member, context));
};

/** DELETE archives the contact (it can come back with PUT). */
export const archiveMember: Handler = (context) => {
  const member = visibleMember(context);
  if (!member) return notFound();
  member.status = 'archived';
  member.last_changed = mailchimpTime(context.clock.now());
  context.changed();
  return noContent();
};

/** POST …/actions/delete-permanent: the contact is "forgotten" and can never be re-imported. */
export const deleteMemberPermanently: Handler = (context) => {
  const member = visibleMember(context);
  if (!member) return notFound();
  member.forgotten = true;
  member.last_changed = mailchimpTime(context.clock.now());
  context.changed();
  return noContent();
};

export const getMemberTags: Handler = (context) => {
  const member = visibleMember(context);
  if (!member) return notFound();
  const tags = member.tags.map((name) => ({ id: tagId(name), name, date_added: member.last_changed }));
  return json({ tags, total_items: tags.length, _links: [] });
};

/** POST …/tags `{tags:[{name, status:'active'|'inactive'}]}` → 204. */
export const postMemberTags: Handler = (context) => {
  const member = visibleMember(context);
  if (!member) return notFound();
  const body = context.body as { tags: Array<{ name: string; status: 'active' | 'inactive' }> };
  const errors: FieldError[] = body.tags.flatMap((tag, index) => (tag.name.trim() === '' ? [{ field: `tags[${index}].name`, message: 'This value should not be blank.' }] : []));
  if (errors.length > 0) return invalidResource(errors);
  for (const tag of body.tags) {
    const name = tag.name.trim();
    const has = member.tags.includes(name);
    if (tag.status === 'active' && !has) member.tags.push(name);
    if (tag.status === 'inactive' && has) member.tags = member.tags.filter((existing) => existing !== name);
  }
  member.last_changed = mailchimpTime(context.clock.now());
  context.changed();
  return noContent();
};

function memberView(member: SandboxAudienceMember, context: Pick<HandlerContext, 'state' | 'site'>): Record<string, unknown> {
  const hash = subscriberHash(member.email_address);
  const listId = context.state.listId;
  return {
    id: hash,
    email_address: member.email_address,
    unique_email_id: md5(`unique:${hash}`).slice(0, 10),
    contact_id: md5(`contact:${hash}`),
    full_name: fullName(member),
    web_id: parseInt(hash.slice(0, 7), 16),
    email_type: 'html',
    status: member.status,
    consents_to_one_to_one_messaging: true,
    merge_fields: { ...member.merge_fields },
    stats: { avg_open_rate: 0, avg_click_rate: 0 },
    ip_signup: '',
    timestamp_signup: '',
    ip_opt: '',
    timestamp_opt: member.last_changed,
    member_rating: 2,
    last_changed: member.last_changed,
    language: '',
    vip: false,
    email_client: '',
    location: { latitude: 0, longitude: 0, gmtoff: 0, dstoff: 0, country_code: '', timezone: '', region: '' },
    source: 'API - Generic',
    tags_count: member.tags.length,
    tags: member.tags.map((name) => ({ id: tagId(name), name })),
    list_id: listId,
    _links: [link('self', `${context.site.apiRoot}/lists/${listId}/members/${hash}`, 'GET')],
  };
}

function listView(context: HandlerContext): Record<string, unknown> {
  const members = context.state.members.filter((member) => !member.forgotten);
  const count = (status: MemberStatus): number => members.filter((member) => member.status === status).length;
  return {
    id: context.state.listId,
    web_id: parseInt(md5(context.state.listId).slice(0, 6), 16),
    name: context.site.listName,
    contact: { company: 'IntegoReport Sandbox', address1: '', city: '', state: '', zip: '', country: 'US' },
    permission_reminder: 'You are receiving this email because you are a client of ours.',
    campaign_defaults: { from_name: '', from_email: '', subject: '', language: 'en' },
    date_created: members[0]?.last_changed ?? mailchimpTime(context.clock.now()),
    list_rating: 0,
    email_type_option: false,
    visibility: 'prv',
    double_optin: false,
    stats: {
      member_count: count('subscribed'),
      unsubscribe_count: count('unsubscribed'),
      cleaned_count: count('cleaned'),
      total_contacts: members.length,
    },
  };
}

function createMember(context: HandlerContext, email: string, status: MemberStatus, mergeFields: unknown): SandboxAudienceMember {
  const member: SandboxAudienceMember = {
    email_address: email,
    status,
    merge_fields: { FNAME: '', LNAME: '', ...stringFields(mergeFields) },
    tags: [],
    last_changed: mailchimpTime(context.clock.now()),
  };
  context.state.members.push(member);
  context.changed();
  return member;
}

function updateMember(context: HandlerContext, member: SandboxAudienceMember, status: unknown, mergeFields: unknown): ApiResult | undefined {
  if (status === 'subscribed' && COMPLIANCE_STATUSES.includes(member.status)) {
    return problem(
      400,
      'Member In Compliance State',
      `${member.email_address} is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.`,
    );
  }
  const nextFields = { ...member.merge_fields, ...stringFields(mergeFields) };
  const nextStatus = (status as MemberStatus | undefined) ?? member.status;
  if (nextStatus === member.status && JSON.stringify(nextFields) === JSON.stringify(member.merge_fields)) return undefined;
  member.status = nextStatus;
  member.merge_fields = nextFields;
  member.last_changed = mailchimpTime(context.clock.now());
  context.changed();
  return undefined;
}

function forgotten(email: string): ApiResult {
  return problem(
    400,
    'Forgotten Email Not Subscribed',
    `${email} was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.`,
  );
}

function visibleMember(context: HandlerContext): SandboxAudienceMember | undefined {
  if (!isOurList(context)) return undefined;
  const hash = resolveHash(context.params.hash ?? '');
  const member = hash ? findMember(context.state, hash) : undefined;
  return member && !member.forgotten ? member : undefined;
}

/** The path segment is the MD5 of the lowercased address; the spec also accepts the address itself. */
function resolveHash(segment: string): string | undefined {
  const decoded = decodeURIComponent(segment);
  if (decoded.includes('@')) return subscriberHash(decoded);
  return /^[0-9a-f]{32}$/i.test(decoded) ? decoded.toLowerCase() : undefined;
}

function emailErrors(email: unknown, required: boolean): FieldError[] {
  if (email === undefined || email === '') return required ? [{ field: 'email_address', message: 'This value should not be blank.' }] : [];
  return isValidEmail(email) ? [] : [{ field: 'email_address', message: INVALID_EMAIL }];
}

function statusErrors(body: Record<string, unknown>, field: 'status' | 'status_if_new', required: boolean): FieldError[] {
  const value = body[field];
  if (value === undefined) return required ? [{ field, message: 'Schema describes enum, NULL found instead' }] : [];
  return WRITE_STATUSES.includes(value as MemberStatus) ? [] : [{ field, message: `Value is not one of enum values: ${WRITE_STATUSES.join(', ')}` }];
}

function mergeFieldErrors(mergeFields: unknown): FieldError[] {
  if (mergeFields === undefined) return [];
  if (!isObject(mergeFields)) return [{ field: 'merge_fields', message: 'Schema describes object, ' + typeof mergeFields + ' found instead' }];
  return Object.entries(mergeFields)
    .filter(([, value]) => typeof value !== 'string' && typeof value !== 'number')
    .map(([tag]) => ({ field: `merge_fields.${tag}`, message: 'Merge field values must be strings or numbers.' }));
}

/** Mailchimp names a bad address in `detail` itself; other validation failures point at `errors`. */
function validationFailure(errors: FieldError[]): ApiResult {
  return errors.some((error) => error.message === INVALID_EMAIL) ? invalidResource(errors, INVALID_EMAIL) : invalidResource(errors);
}

function stringFields(mergeFields: unknown): Record<string, string> {
  if (!isObject(mergeFields)) return {};
  return Object.fromEntries(Object.entries(mergeFields).map(([tag, value]) => [tag, String(value)]));
}

function fullName(member: SandboxAudienceMember): string {
  return `${member.merge_fields.FNAME ?? ''} ${member.merge_fields.LNAME ?? ''}`.trim();
}

function tagId(name: string): number {
  return parseInt(md5(`tag:${name.toLowerCase()}`).slice(0, 6), 16);
}
