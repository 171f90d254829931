import type { FastifySchemaValidationError, RouteShorthandOptions } from 'fastify';
import { DEFAULT_LOCALE, type Locale } from '../i18n/locales.ts';
import { currentLocale, type MessageKey, t } from '../i18n/translate.ts';
import { SsoHubError } from './ssohub-error.ts';

/**
 * Owns the wording of route schema failures (a body, a path parameter or a query parameter that
 * fails the TypeBox schema of its route). Fastify turns a failure into an error carrying Ajv's
 * findings (`validation`) and the part of the request (`validationContext`); presentError asks
 * here what to show: one sentence naming the field, never the value sent.
 *
 * The sentence is translated (the error page shows it in the user's language; logs and JSON keep
 * the English); the field name is quoted as the caller wrote it.
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

/** What is shown for a schema failure: `<field> <problem>`, e.g. `sid must be a string` (English, or `locale`). */
export function validationMessage(err: SchemaValidationError, locale: Locale = DEFAULT_LOCALE): string {
  const issue = err.validation[0];
  const context = err.validationContext ?? 'body';
  if (!issue) return t('errors.schema.invalid', { subject: t(WHOLE[context], undefined, locale) }, locale);
  return describe(issue, context, locale);
}

/** validationMessage in the current request's language, for the error page. */
export function validationPageMessage(err: SchemaValidationError): string {
  return validationMessage(err, currentLocale());
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
    return new Error(issue ? describe(issue, context, DEFAULT_LOCALE) : t('errors.schema.invalid', { subject: t(WHOLE[context], undefined, DEFAULT_LOCALE) }, DEFAULT_LOCALE));
  };
}

const WHOLE: Record<SchemaErrorDataVar, MessageKey> = {
  body: 'errors.schema.whole.body',
  querystring: 'errors.schema.whole.querystring',
  params: 'errors.schema.whole.params',
  headers: 'errors.schema.whole.headers',
};

const LABEL: Record<SchemaErrorDataVar, MessageKey | undefined> = {
  body: undefined,
  querystring: 'errors.schema.subject.querystring',
  params: 'errors.schema.subject.params',
  headers: 'errors.schema.subject.headers',
};

/** Longest field name quoted back: a name is chosen by the caller, and a body may be 64 KiB. */
const MAX_FIELD = 64;

function describe(issue: FastifySchemaValidationError, context: SchemaErrorDataVar, locale: Locale): string {
  const field = fieldOf(issue);
  const label = LABEL[context];
  const subject = !field ? t(WHOLE[context], undefined, locale) : label ? t(label, { field }, locale) : field;
  const p = issue.params as Record<string, unknown>;
  const say = (key: MessageKey, values: Record<string, string | number> = {}) => t(key, { subject, ...values }, locale);
  const limit = Number(p.limit);
  switch (issue.keyword) {
    case 'required':
      return say('errors.schema.required');
    case 'additionalProperties':
      return say('errors.schema.not_accepted');
    case 'type':
      return say('errors.schema.must_be', { expected: typeWords(p.type, field === '' && context === 'body', locale) });
    case 'enum':
      return say('errors.schema.one_of', { values: (p.allowedValues as unknown[]).map(String).join(', ') });
    case 'const':
      return say('errors.schema.must_be', { expected: String(p.allowedValue) });
    case 'minLength':
      return limit === 1 ? say('errors.schema.not_empty') : say('errors.schema.min_length', { limit });
    case 'maxLength':
      return say('errors.schema.max_length', { limit });
    case 'pattern':
      return say('errors.schema.pattern');
    case 'format':
      return p.format === 'uuid' ? say('errors.schema.uuid') : say('errors.schema.format', { format: String(p.format) });
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return say('errors.schema.compare', { comparison: String(p.comparison), limit: String(p.limit) });
    case 'minItems':
      return say('errors.schema.min_items', { limit });
    case 'maxItems':
      return say('errors.schema.max_items', { limit });
    default:
      return say('errors.schema.invalid');
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

const ARTICLE: Record<string, MessageKey> = {
  string: 'errors.schema.type.string',
  integer: 'errors.schema.type.integer',
  number: 'errors.schema.type.number',
  boolean: 'errors.schema.type.boolean',
  object: 'errors.schema.type.object',
  array: 'errors.schema.type.array',
  null: 'errors.schema.type.null',
};

function typeWords(type: unknown, wholeBody: boolean, locale: Locale): string {
  if (wholeBody && type === 'object') return t('errors.schema.type.json_body', undefined, locale);
  const types = Array.isArray(type) ? type : [type];
  const words = types.map((w) => {
    const key = ARTICLE[String(w)];
    return key ? t(key, undefined, locale) : String(w);
  });
  // "a string or null", "une chaîne de caractères ou null": the language's own "or".
  return new Intl.ListFormat(locale, { type: 'disjunction' }).format(words);
}
