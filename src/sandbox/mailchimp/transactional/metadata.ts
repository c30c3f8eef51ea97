import { isObject, json, type Handler, type HandlerContext } from '../api.js';
import { mailchimpTime, type MailchimpState, type MetadataField } from '../state.js';
import { transactionalError, validationError } from './errors.js';

/** "You can select up to 10 metadata fields to index and make searchable" (`/messages/send`, `metadata`). */
export const METADATA_FIELD_LIMIT = 10;
/** Alphanumeric and underscores, not starting with an underscore; at most 64 characters (`/metadata/add`). */
const FIELD_NAME = /^[A-Za-z0-9]\w{0,63}$/;

/** `/metadata/list`: the custom metadata fields indexed for the account. */
export const listMetadata: Handler = (context) => json(context.state.metadataFields.map((field) => fieldView(field, context)));

/**
 * `/metadata/add {name, view_template?}`: the field is indexed from now on (`state: index` until
 * `site.metadataIndexMs` has passed, then `active`); an eleventh field is refused with `Metadata_FieldLimit`.
 */
export const addMetadata: Handler = (context) => {
  const body = isObject(context.body) ? context.body : {};
  const name: unknown = body.name;
  if (typeof name !== 'string' || name === '') return validationError('{"name":"Please enter a value"}');
  if (!FIELD_NAME.test(name)) return validationError('{"name":"Only letters, digits and underscores, not starting with an underscore, at most 64 characters"}');
  if (body.view_template !== undefined && typeof body.view_template !== 'string') return validationError('{"view_template":"Please enter a string"}');
  if (context.state.metadataFields.some((field) => field.name === name)) return validationError(`{"name":"A metadata field named ${name} already exists"}`);
  if (context.state.metadataFields.length >= METADATA_FIELD_LIMIT) return transactionalError(-1, 'Metadata_FieldLimit', 'Custom metadata field limit reached');
  const field: MetadataField = {
    name,
    view_template: typeof body.view_template === 'string' ? body.view_template : '',
    activeAt: mailchimpTime(new Date(context.clock.now().getTime() + context.site.metadataIndexMs)),
  };
  context.state.metadataFields.push(field);
  context.changed();
  return json(fieldView(field, context));
};

/** Names of the fields a message sent now is indexed under. */
export function activeFieldNames(state: MailchimpState, now: Date): Set<string> {
  return new Set(state.metadataFields.filter((field) => isActive(field, now)).map((field) => field.name));
}

function isActive(field: MetadataField, now: Date): boolean {
  return Date.parse(field.activeAt) <= now.getTime();
}

function fieldView(field: MetadataField, context: Pick<HandlerContext, 'clock'>): Record<string, unknown> {
  return { name: field.name, state: isActive(field, context.clock.now()) ? 'active' : 'index', view_template: field.view_template };
}
