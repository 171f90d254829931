import type { FastifySchemaValidationError, RouteShorthandOptions } from 'fastify';
import { SsoHubError } from './ssohub-error.ts';

/**
 * Owns the wording of route schema failures (a body, a path parameter or a query parameter that
 * fails the TypeBox schema of its route). Fastify turns a failure into an error carrying Ajv's
 * findings (`validation`) and the part of the request (`validationContext`); presentError asks
 * here what to show: one sentence naming the field, never the value sent.
 *
 * Ajv stops at the first problem (Fastify's `allErrors: false`, which bounds the work a hostile
 * body can cause), so the message names one field.
 */

/** The part of a request a schema checks (Fastify's `validationContext`). */
type SchemaErrorDataVar = 'body' | 'headers' | 'params' | 'querystring';
type SchemaErrorFormatter = NonNullable<RouteShorthandOptions['schemaErrorFormatter']>;

/** The error Fastify builds for a request that fails its route's schema. */
export interface SchemaValidationError extends Error {
  validation: FastifySchemaValidationError[];
  validationContext?: SchemaErrorDataVar;
}

export function isSchemaValidationError(err: unknown): err is SchemaValidationError {
  const e = err as { validation?: unknown; statusCode?: unknown };
  return err instanceof Error && e.statusCode === 400 && Array.isArray(e.validation);
}

/** What is shown for a schema failure: `<field> <problem>`, e.g. `sid must be a string`. */
export function validationMessage(err: SchemaValidationError): string {
  const issue = err.validation[0];
  const context = err.validationContext ?? 'body';
  if (!issue) return `${WHOLE[context]} is not valid`;
  return describe(issue, context);
}

/**
 * A route's `schemaErrorFormatter` that keeps hand-written messages for some fields (the ones the
 * API promised before it had schemas), keyed by `<part>.<field>` (`body.sid`, `querystring.count`)
 * or by the part alone for the body (or query) as a whole (`body`: not an object). Other fields
 * get the generic message.
 *
 * @example
 * ```ts
 * admin.get('/admin/audit', { schema: { querystring: AuditQuery }, schemaErrorFormatter: fieldMessages({ 'querystring.count': 'count must be …' }) }, …)
 * ```
 */
export function fieldMessages(messages: Record<string, string>): SchemaErrorFormatter {
  return (errors, context) => {
    const issue = errors[0];
    const key = issue ? [context, fieldOf(issue)].filter(Boolean).join('.') : context;
    const message = messages[key];
    if (message !== undefined) return new SsoHubError('SSOHUB_ERR_BAD_REQUEST', message, { status: 400 });
    // Fastify adds the findings (validation, validationContext) and presentError words it.
    return new Error(issue ? describe(issue, context) : `${WHOLE[context]} is not valid`);
  };
}

const WHOLE: Record<SchemaErrorDataVar, string> = {
  body: 'the request body',
  querystring: 'the query string',
  params: 'the address',
  headers: 'the request headers',
};

const LABEL: Record<SchemaErrorDataVar, string> = { body: '', querystring: 'query parameter ', params: 'path parameter ', headers: 'header ' };

/** Longest field name quoted back: a name is chosen by the caller, and a body may be 64 KiB. */
const MAX_FIELD = 64;

function describe(issue: FastifySchemaValidationError, context: SchemaErrorDataVar): string {
  const field = fieldOf(issue);
  const subject = field ? `${LABEL[context]}${field}` : WHOLE[context];
  const p = issue.params as Record<string, unknown>;
  switch (issue.keyword) {
    case 'required':
      return `${subject} is required`;
    case 'additionalProperties':
      return `${subject} is not accepted here`;
    case 'type':
      return `${subject} must be ${typeWords(p.type, field === '' && context === 'body')}`;
    case 'enum':
      return `${subject} must be one of: ${(p.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `${subject} must be ${String(p.allowedValue)}`;
    case 'minLength':
      return p.limit === 1 ? `${subject} must not be empty` : `${subject} must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `${subject} must be at most ${String(p.limit)} characters`;
    case 'pattern':
      return `${subject} is not in the expected format`;
    case 'format':
      return `${subject} must be ${p.format === 'uuid' ? 'a UUID' : `a valid ${String(p.format)}`}`;
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return `${subject} must be ${String(p.comparison)} ${String(p.limit)}`;
    case 'minItems':
      return `${subject} must have at least ${String(p.limit)} items`;
    case 'maxItems':
      return `${subject} must have at most ${String(p.limit)} items`;
    default:
      return `${subject} is not valid`;
  }
}

/**
 * The field an issue is about, as a caller writes it (`redirect_uris[0]`, `a.b`): the instance
 * path, plus the property a `required` or `additionalProperties` issue names. '' for the part as
 * a whole.
 */
function fieldOf(issue: FastifySchemaValidationError): string {
  const p = issue.params as { missingProperty?: unknown; additionalProperty?: unknown };
  const steps = issue.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const named = issue.keyword === 'required' ? p.missingProperty : issue.keyword === 'additionalProperties' ? p.additionalProperty : undefined;
  if (typeof named === 'string') steps.push(named);
  const path = steps.reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s), '');
  return path.length > MAX_FIELD ? `${path.slice(0, MAX_FIELD)}…` : path;
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

function typeWords(type: unknown, wholeBody: boolean): string {
  if (wholeBody && type === 'object') return 'a JSON object (or form fields)';
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => ARTICLE[String(t)] ?? String(t)).join(' or ');
}
