import { DEFAULT_LOCALE, isLocale, type Locale, LOCALES } from './locales.ts';

/** The cookie the language picker sets (a year: a person's language rarely changes). */
export const LANGUAGE_COOKIE = 'ssohub_lang';
/**
 * The cookie that carries an app's `ui_locales` across the hops of one sign-in (authorization
 * request → hub page → Kratos → hub page): Kratos' redirects drop every query parameter the hub
 * adds, so the parameter alone would be lost after the first hop. Session-only: the next app may
 * ask for another language.
 */
export const UI_LOCALES_COOKIE = 'ssohub_ui_locales';

export interface LocaleSources {
  /** OIDC `ui_locales` (space-separated BCP 47 tags, in order of preference) or `?ui_locales=`. */
  uiLocales?: string | undefined;
  /** The ui_locales cookie (set from an app's authorization request). */
  uiLocalesCookie?: string | undefined;
  /** The language picker's cookie. */
  pickerCookie?: string | undefined;
  acceptLanguage?: string | undefined;
}

/**
 * The language of a page, in this order: what the app asked for (`ui_locales`, in the request or
 * carried by its cookie), then what the user picked, then what the browser prefers, then English.
 * The first source that names a shipped language wins; an unshipped one falls through to the next.
 */
export function negotiateLocale(sources: LocaleSources): Locale {
  return (
    firstShipped(splitTags(sources.uiLocales)) ??
    firstShipped(splitTags(sources.uiLocalesCookie)) ??
    (isLocale(sources.pickerCookie) ? sources.pickerCookie : undefined) ??
    firstShipped(acceptedLanguages(sources.acceptLanguage)) ??
    DEFAULT_LOCALE
  );
}

/** The first shipped language among tags (a region or script does not matter: `de-AT` is German). */
export function firstShipped(tags: readonly string[]): Locale | undefined {
  for (const tag of tags) {
    const language = tag.toLowerCase().split(/[-_]/)[0];
    if (isLocale(language)) return language;
  }
  return undefined;
}

function splitTags(value: string | undefined): string[] {
  return value ? value.split(/[\s,]+/).filter(Boolean).slice(0, 20) : [];
}

/**
 * The tags of an Accept-Language header (RFC 9110 12.5.4), best first. Ranges with q=0 are
 * refused ranges; `*` says nothing about which. Order among equal weights follows the header.
 * Bounded: a header is read only up to 50 ranges.
 */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  const ranges: { tag: string; q: number; at: number }[] = [];
  for (const [at, part] of header.split(',').slice(0, 50).entries()) {
    const [tag = '', ...params] = part.trim().split(';');
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!tag || tag === '*' || !(q > 0) || !/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(tag.trim())) continue;
    ranges.push({ tag: tag.trim(), q, at });
  }
  return ranges.sort((a, b) => b.q - a.q || a.at - b.at).map((r) => r.tag);
}

export { LOCALES };
