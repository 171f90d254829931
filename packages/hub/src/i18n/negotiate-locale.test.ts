import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { directionOf, LOCALES } from './locales.ts';
import { acceptedLanguages, negotiateLocale } from './negotiate-locale.ts';

describe('negotiateLocale', () => {
  it('takes the app’s ui_locales first, then its cookie, then the picker, then the browser', () => {
    const all = { uiLocales: 'fr', uiLocalesCookie: 'es', pickerCookie: 'de', acceptLanguage: 'en' };
    expect(negotiateLocale(all)).toBe('fr');
    expect(negotiateLocale({ ...all, uiLocales: undefined })).toBe('es');
    expect(negotiateLocale({ ...all, uiLocales: undefined, uiLocalesCookie: undefined })).toBe('de');
    expect(negotiateLocale({ acceptLanguage: 'es' })).toBe('es');
    expect(negotiateLocale({})).toBe('en');
  });

  it('skips languages it does not ship, in every source, and reads regions as their language', () => {
    expect(negotiateLocale({ uiLocales: 'ja-JP pt-BR de-AT', acceptLanguage: 'fr' })).toBe('de');
    expect(negotiateLocale({ uiLocales: 'ja', pickerCookie: 'xx', acceptLanguage: 'fr-CA' })).toBe('fr');
    expect(negotiateLocale({ pickerCookie: 'de-DE', acceptLanguage: 'es' })).toBe('es');
  });
});

describe('acceptedLanguages', () => {
  it('orders ranges by weight, keeping the header’s order among equals, and drops q=0 and *', () => {
    expect(acceptedLanguages('fr;q=0.5, de-CH, en;q=0.8, *;q=0.1, es;q=0')).toEqual(['de-CH', 'en', 'fr']);
    expect(negotiateLocale({ acceptLanguage: 'ja, fr;q=0.5, de;q=0.9' })).toBe('de');
    expect(negotiateLocale({ acceptLanguage: 'es;q=0, *' })).toBe('en');
  });

  it('never throws and only ever answers a shipped language, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.option(fc.string({ maxLength: 40 })), (header, ui) => {
        expect(LOCALES).toContain(negotiateLocale({ acceptLanguage: header, uiLocales: ui ?? undefined }));
      }),
    );
  });

  it('reads at most 50 ranges of a long header', () => {
    expect(acceptedLanguages(`${'xx,'.repeat(60)}de`)).not.toContain('de');
  });
});

describe('directionOf', () => {
  it('is rtl for right-to-left scripts and ltr for the shipped languages', () => {
    for (const locale of LOCALES) expect(directionOf(locale)).toBe('ltr');
    expect(directionOf('ar-EG')).toBe('rtl');
    expect(directionOf('he')).toBe('rtl');
  });
});
