import { invalidResource, isApiResult, isObject, isOurList, json, link, noContent, notFound, pagingParameters, type FieldError, type Handler, type HandlerContext } from '../api.js';
import { mailchimpTime, type StaticSegment } from '../state.js';

/** POST /lists/{id}/segments `{name, static_segment:[emails]}`; addresses not on the list are ignored. */
export const createSegment: Handler = (context) => {
  if (!isOurList(context)) return notFound();
  const body = isObject(context.body) ? context.body : {};
  const errors: FieldError[] = [];
  if (typeof body.name !== 'string' || body.name.trim() === '') errors.push({ field: 'name', message: 'This value should not be blank.' });
  if (body.options !== undefined) errors.push({ field: 'options', message: 'The sandbox supports static segments only.' });
  if (body.static_segment !== undefined && !isStringArray(body.static_segment)) errors.push({ field: 'static_segment', message: 'Schema describes array of strings.' });
  if (errors.length > 0) return invalidResource(errors);
  const now = mailchimpTime(context.clock.now());
  context.state.sequence += 1;
  const segment: StaticSegment = {
    id: 10_000 + context.state.sequence,
    name: body.name.trim(),
    emails: onList(context, body.static_segment ?? []),
    created_at: now,
    updated_at: now,
  };
  context.state.segments.push(segment);
  context.changed();
  return json(segmentView(segment, context));
};

export const listSegments: Handler = (context) => {
  if (!isOurList(context)) return notFound();
  const paging = pagingParameters(context.query);
  if (isApiResult(paging)) return paging;
  const segments = context.query.type === undefined || context.query.type === 'static' ? context.state.segments : [];
  return json({
    segments: segments.slice(paging.offset, paging.offset + paging.count).map((segment) => segmentView(segment, context)),
    list_id: context.state.listId,
    total_items: segments.length,
    _links: [link('self', `${context.site.apiRoot}/lists/${context.state.listId}/segments`, 'GET')],
  });
};

export const getSegment: Handler = (context) => {
  const segment = findSegment(context);
  return segment ? json(segmentView(segment, context)) : notFound();
};

export const deleteSegment: Handler = (context) => {
  const segment = findSegment(context);
  if (!segment) return notFound();
  context.state.segments = context.state.segments.filter((candidate) => candidate !== segment);
  context.changed();
  return noContent();
};

/** POST /lists/{id}/segments/{segment_id} `{members_to_add, members_to_remove}`: batch add or remove. */
export const updateSegmentMembers: Handler = (context) => {
  const segment = findSegment(context);
  if (!segment) return notFound();
  const body = isObject(context.body) ? context.body : {};
  const toAdd: unknown = body.members_to_add ?? [];
  const toRemove: unknown = body.members_to_remove ?? [];
  if (!isStringArray(toAdd) || !isStringArray(toRemove)) {
    return invalidResource([{ field: 'members_to_add', message: 'members_to_add and members_to_remove must be arrays of email addresses.' }]);
  }
  const addable = onList(context, toAdd);
  const added = addable.filter((email) => !segment.emails.includes(email));
  const removable = toRemove.map((email) => email.trim().toLowerCase()).filter((email) => segment.emails.includes(email));
  const notOnList = toAdd.filter((email) => !addable.includes(email.trim().toLowerCase()));
  segment.emails = [...segment.emails.filter((email) => !removable.includes(email)), ...added];
  segment.updated_at = mailchimpTime(context.clock.now());
  context.changed();
  const view = (emails: string[]) => emails.map((email) => ({ email_address: email }));
  return json({
    members_added: view(added),
    members_removed: view(removable),
    errors: notOnList.length > 0 ? [{ email_addresses: notOnList, error: 'Email addresses are not subscribed to the list.' }] : [],
    total_added: added.length,
    total_removed: removable.length,
    error_count: notOnList.length,
    _links: [],
  });
};

function segmentView(segment: StaticSegment, context: HandlerContext): Record<string, unknown> {
  return {
    id: segment.id,
    name: segment.name,
    member_count: segment.emails.length,
    type: 'static',
    created_at: segment.created_at,
    updated_at: segment.updated_at,
    list_id: context.state.listId,
    _links: [link('self', `${context.site.apiRoot}/lists/${context.state.listId}/segments/${segment.id}`, 'GET')],
  };
}

function onList(context: HandlerContext, emails: string[]): string[] {
  const members = new Set(context.state.members.filter((member) => !member.forgotten).map((member) => member.email_address.toLowerCase()));
  return [...new Set(emails.map((email) => email.trim().toLowerCase()))].filter((email) => members.has(email));
}

function findSegment(context: HandlerContext): StaticSegment | undefined {
  if (!isOurList(context)) return undefined;
  return context.state.segments.find((segment) => String(segment.id) === context.params.segmentId);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
