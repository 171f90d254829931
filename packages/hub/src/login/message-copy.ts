/**
 * Our wording for Kratos' UI texts, in the page's language. The catalogs (i18n/catalogs/<locale>/
 * kratos.ts) key each text by Kratos' stable id, `kratos.<id>` (every id Kratos v1.3.1 defines,
 * kratos-text-ids.ts); tests and the page's data-testid use the id, never the English text. An
 * entry keyed `kratos.<id>:<group>` wins over the plain id, for the few labels Kratos reuses
 * across groups. A message's arguments are the fields of the Kratos text's `context` it names.
 * An id missing from the catalogs (a newer Kratos) keeps Kratos' own English text.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { CATALOGS } from '../i18n/catalogs/index.ts';
import { DEFAULT_LOCALE } from '../i18n/locales.ts';
import { currentLocale, hasMessage, type MessageKey, type MessageValues, t } from '../i18n/translate.ts';

export interface KratosText {
  id: number;
  text: string;
  type?: string;
  context?: object;
}

/** The text to show for a Kratos message or label. */
export function copyFor(text: KratosText, group?: string): string {
  const key = keyFor(text, group);
  const values = key && valuesFor(key, text);
  // Without a value the message names, Kratos' own text says more than a message with a hole.
  return key && values ? t(key, values) : text.text;
}

/** Titles of our identity schema's fields (deploy/kratos/identity.schema.json), which Kratos sends as label 1070002. */
const SCHEMA_TITLES: Readonly<Record<string, MessageKey>> = {
  Email: 'kratos.title.email',
  'Email address': 'kratos.title.email_address',
  'Full name': 'kratos.title.full_name',
};

function keyFor(text: KratosText, group: string | undefined): MessageKey | undefined {
  const candidates = [group === undefined ? undefined : `kratos.${text.id}:${group}`, variantOf(text), `kratos.${text.id}`];
  return candidates.find((k): k is MessageKey => k !== undefined && hasMessage(k));
}

/** A more precise message than the id's, chosen from the context. */
function variantOf(text: KratosText): string | undefined {
  const context = contextOf(text);
  switch (text.id) {
    case 1070002:
      return typeof context.title === 'string' ? SCHEMA_TITLES[context.title] : undefined;
    case 4000001:
      // JSON schema's format check: `"x" is not valid "email"`.
      return typeof context.reason === 'string' && /is not valid "email"$/.test(context.reason) ? 'kratos.4000001.email' : undefined;
    case 4000028:
      return context.credential_identifier_hint ? undefined : 'kratos.4000028.no_hint';
    default:
      return undefined;
  }
}

function contextOf(text: KratosText): Record<string, unknown> {
  return (text.context ?? {}) as Record<string, unknown>;
}

/** The values of the arguments `key`'s message names, from the text's context; undefined when one is missing. */
function valuesFor(key: MessageKey, text: KratosText): MessageValues | undefined {
  const context = contextOf(text);
  const values: Record<string, string | number> = {};
  for (const [name, numeric] of argumentsOf(key)) {
    const value = contextValue(name, context);
    if (value === undefined) return undefined;
    if (numeric) {
      const n = Number(value);
      if (!Number.isFinite(n)) return undefined;
      values[name] = n;
    } else {
      values[name] = value;
    }
  }
  return values;
}

function contextValue(name: string, context: Record<string, unknown>): string | number | undefined {
  switch (name) {
    case 'used_at':
      return dateOf(context.used_at_unix, context.used_at);
    case 'secrets':
      // The lookup codes, each a Kratos text of its own (a code, or "used on …").
      return Array.isArray(context.secrets) ? context.secrets.map((s: KratosText) => copyFor(s)).join(', ') : undefined;
  }
  const value = context[name];
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.join(', ');
  return undefined;
}

/** A date in the page's language. Date only: the hub does not know the reader's time zone. */
function dateOf(unix: unknown, iso: unknown): string | undefined {
  const ms = typeof unix === 'number' ? unix * 1000 : typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms)) return undefined;
  return new Intl.DateTimeFormat(currentLocale(), { dateStyle: 'long', timeZone: 'UTC' }).format(ms);
}

type Ast = ReturnType<IntlMessageFormat['getAst']>;
interface AstElement {
  type: number;
  value?: string;
  options?: Record<string, { value: Ast }>;
}

const ARGUMENTS = new Map<MessageKey, Map<string, boolean>>();

/** The arguments a message names (every locale names the same: catalogs.test.ts), each with whether it is a number. */
function argumentsOf(key: MessageKey): Map<string, boolean> {
  let found = ARGUMENTS.get(key);
  if (!found) {
    found = new Map();
    collect(new IntlMessageFormat(CATALOGS[DEFAULT_LOCALE][key], DEFAULT_LOCALE, undefined, { ignoreTag: true }).getAst(), found);
    ARGUMENTS.set(key, found);
  }
  return found;
}

// Element types of @formatjs/icu-messageformat-parser: 1 argument, 2 number, 5 select, 6 plural.
function collect(ast: Ast, into: Map<string, boolean>): void {
  for (const el of ast as unknown as AstElement[]) {
    if ((el.type === 1 || el.type === 2 || el.type === 5 || el.type === 6) && el.value !== undefined) {
      into.set(el.value, into.get(el.value) === true || el.type === 2 || el.type === 6);
    }
    for (const option of Object.values(el.options ?? {})) collect(option.value, into);
  }
}
