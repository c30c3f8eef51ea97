import { createRequire } from 'node:module';
import type { Ajv, ErrorObject } from 'ajv';
import { invalidResource, type ApiResult, type FieldError } from '../api.js';
import { MARKETING_CONTRACTS, type RequestContract } from './schemas.js';

/** RFC 3339 date-time, as the spec's `format: date-time` means it ("2015-10-21T15:41:36+00:00"). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The schemas are ours, checked against JSON Schema's meta-schema by the tests (test/sandbox.mailchimp.test.ts),
 * so the simulated Mailchimp does not compile the meta-schema again at every start (a few hundredths of a second).
 * Ajv itself is loaded with the first validator: a command line that never calls Mailchimp never parses it.
 */
function validator(options: { coerceTypes: boolean }): Ajv {
  // Through `require`, which the command line's bundle leaves to Node: a dynamic import would bundle ajv as a default export only.
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv({ allErrors: true, discriminator: true, coerceTypes: options.coerceTypes, validateSchema: false });
  ajv.addFormat('date-time', (text: string) => DATE_TIME.test(text) && !Number.isNaN(Date.parse(text)));
  return ajv;
}

// Query parameters arrive as text: `count=10` is the integer 10, `vip_only=true` the boolean.
// Each validator is made, and each schema compiled, on its first request; ajv keeps the result for the same schema object.
let queries: Ajv | undefined;
let bodies: Ajv | undefined;

/** The spec's description of `METHOD /route/:pattern`, if the sandbox holds the route to it. */
export function contractFor(method: string, pattern: string): RequestContract | undefined {
  return MARKETING_CONTRACTS[`${method} ${pattern}`];
}

/**
 * Mailchimp's 400 "Invalid Resource" for a request the spec does not allow, naming each problem in
 * `errors[]` the way real responses do; undefined when the request conforms.
 */
export function contractRefusal(contract: RequestContract, query: Record<string, string>, body: unknown): ApiResult | undefined {
  const errors: FieldError[] = [];
  // Every query schema is an object of optional parameters unless it names required ones: an empty query needs no
  // compiled validator (compiling the first one costs a command line a few hundredths of a second).
  if (Object.keys(query).length > 0 || contract.query.required !== undefined) {
    const checkQuery = (queries ??= validator({ coerceTypes: true })).compile(contract.query);
    // Checked on a copy, since coercion rewrites it; the problems quote what was sent.
    if (!checkQuery({ ...query })) errors.push(...describe(checkQuery.errors ?? [], query));
  }
  if (contract.body) {
    const checkBody = (bodies ??= validator({ coerceTypes: false })).compile(contract.body);
    if (!checkBody(body)) errors.push(...describe(checkBody.errors ?? [], body));
  }
  return errors.length > 0 ? invalidResource(errors) : undefined;
}

/** Ajv's findings in Mailchimp's words; a field is named with dots and `[index]` (`settings.reply_to`, `tags[0].name`). */
function describe(found: ErrorObject[], root: unknown): FieldError[] {
  const missing = new Map<string, string[]>();
  const errors: FieldError[] = [];
  for (const error of found) {
    const path = fieldPath(error.instancePath);
    const params = error.params as Record<string, any>;
    switch (error.keyword) {
      case 'required':
        missing.set(path, [...(missing.get(path) ?? []), params.missingProperty]);
        break;
      case 'type':
        errors.push({ field: path, message: `Schema describes ${params.type}, ${typeName(valueAt(root, error.instancePath))} found instead` });
        break;
      case 'enum':
        errors.push({ field: path, message: `Value is not one of enum values: ${(params.allowedValues as string[]).join(', ')}` });
        break;
      case 'additionalProperties':
        errors.push({ field: join(path, params.additionalProperty), message: 'The schema does not describe this field.' });
        break;
      case 'format':
        errors.push({ field: path, message: `"${String(valueAt(root, error.instancePath))}" is not a valid ISO 8601 date-time.` });
        break;
      case 'discriminator':
        errors.push({ field: join(path, 'condition_type'), message: 'The sandbox evaluates the EmailAddress and TextMerge condition types only.' });
        break;
      default:
        errors.push({ field: path, message: `Value ${error.message ?? 'is not valid'}.` });
    }
  }
  const required = [...missing].map(([field, names]) => ({ field, message: `Required fields were not provided: ${names.join(', ')}` }));
  return [...required, ...errors];
}

/** The steps of a JSON pointer (`/settings/reply_to` → settings, reply_to). */
function steps(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function fieldPath(instancePath: string): string {
  return steps(instancePath).reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : join(path, part)), '');
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

function valueAt(root: unknown, instancePath: string): unknown {
  return steps(instancePath).reduce<unknown>((value, part) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined), root);
}

/** Mailchimp's names for what was found: `NULL` for nothing, `array`, `object`, `string`, `integer`, `number`, `boolean`. */
function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
