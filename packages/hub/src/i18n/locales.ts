/**
 * The languages the hub's pages ship in. Adding one means adding its catalog
 * (catalogs/<locale>.ts, checked complete by the compiler and catalogs.test.ts), its Kratos email
 * templates (deploy/kratos/courier-templates) and its name here.
 */
export const LOCALES = ['en', 'de', 'fr', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

export const DEFAULT_LOCALE: Locale = 'en';

/** Each language named in itself, for the language picker. */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', de: 'Deutsch', fr: 'Français', es: 'Español' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

// Scripts written right to left (CLDR). None of the shipped locales is one, but `dir` must follow
// the language the moment a catalog for one is added, so it is decided here, not hard-coded.
const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'ha', 'he', 'khw', 'ks', 'ps', 'sd', 'syr', 'ur', 'yi']);

/** The text direction of a language tag, for the page's `dir` attribute. */
export function directionOf(locale: string): 'ltr' | 'rtl' {
  return RTL_LANGUAGES.has(locale.toLowerCase().split(/[-_]/)[0] ?? '') ? 'rtl' : 'ltr';
}
