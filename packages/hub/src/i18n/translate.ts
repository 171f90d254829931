/**
 * Owns the translation of the hub's pages: every string a page shows comes from a locale catalog
 * (catalogs/), written in ICU MessageFormat and formatted by FormatJS' intl-messageformat.
 *
 * The language is a fact of the request, like its id: it is negotiated once (HubRequest.locale,
 * from ui_locales, the picker's cookie and Accept-Language) and read here through the request's
 * scope rather than passed to every renderer, because some pages are rendered inside
 * oidc-provider's callbacks (logout, its error page), where the hub cannot pass anything in.
 * Outside a request (startup, tests of a renderer) pages are English. Decision 0015.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { escapeHtml, SafeHtml } from '../http/html.ts';
import { currentHubRequest } from '../request/hub-request.ts';
import { CATALOGS, type MessageKey } from './catalogs/index.ts';
import type { LocalizableText } from './localizable-text.ts';
import { DEFAULT_LOCALE, type Locale } from './locales.ts';

export type { MessageKey } from './catalogs/index.ts';
export type { LocalizableText } from './localizable-text.ts';

/** Values of a message's arguments. SafeHtml values are inserted as markup by `th`, as text by `t`. */
export type MessageValues = Readonly<Record<string, string | number | SafeHtml>>;

/** The language of the page being rendered for the current request. */
export function currentLocale(): Locale {
  return currentHubRequest()?.locale ?? DEFAULT_LOCALE;
}

const compiled = new Map<string, IntlMessageFormat>();

function formatOf(locale: Locale, key: string): IntlMessageFormat {
  const id = `${locale}\u0000${key}`;
  let format = compiled.get(id);
  if (!format) {
    const source = (CATALOGS[locale] as Record<string, string>)[key] ?? (CATALOGS[DEFAULT_LOCALE] as Record<string, string>)[key];
    if (source === undefined) throw new TypeError(`no message "${key}" in the catalogs`);
    format = new IntlMessageFormat(source, locale, undefined, { ignoreTag: true });
    compiled.set(id, format);
  }
  return format;
}

/** A message without arguments is the same text every time: formatted once per language. */
const plain = new Map<string, unknown[]>();

function parts(locale: Locale, key: string, values: MessageValues | undefined): unknown[] {
  if (values === undefined) {
    const id = `${locale}\u0000${key}`;
    let out = plain.get(id);
    if (!out) {
      const formatted = formatOf(locale, key).format();
      out = Array.isArray(formatted) ? formatted : [formatted];
      plain.set(id, out);
    }
    return out;
  }
  // SafeHtml values come back from the formatter as parts of their own; strings (the catalog's
  // text and string values alike) are text, escaped by `th`.
  const out = formatOf(locale, key).format(values as Record<string, never> | undefined);
  return Array.isArray(out) ? out : [out];
}

/** A message as plain text, in the current request's language (or `locale`). */
export function t(key: MessageKey, values?: MessageValues, locale: Locale = currentLocale()): string {
  return parts(locale, key, values)
    .map((p) => (p instanceof SafeHtml ? p.value : String(p)))
    .join('');
}

/** A message as markup: the catalog's text escaped, SafeHtml values (a `<strong>` name) kept as they are. */
export function th(key: MessageKey, values?: MessageValues, locale: Locale = currentLocale()): SafeHtml {
  return new SafeHtml(
    parts(locale, key, values)
      .map((p) => (p instanceof SafeHtml ? p.value : escapeHtml(p)))
      .join(''),
  );
}

/** Whether a key (built at run time, like a Kratos message id's) has a message. */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(CATALOGS[DEFAULT_LOCALE], key);
}

export function text(key: MessageKey, values?: MessageValues): LocalizableText {
  return { key, values, english: t(key, values, DEFAULT_LOCALE) };
}

/** A LocalizableText in the current request's language. */
export function translateText(text: LocalizableText): string {
  return t(text.key as MessageKey, text.values as MessageValues | undefined);
}
