import { describe, expect, it, vi } from 'vitest';
import { html } from '../http/html.ts';
import { HubRequest, runHubRequest } from '../request/hub-request.ts';
import { currentLocale, hasMessage, type MessageKey, t, text, th } from './translate.ts';

// A catalog of the test's own, so these tests do not depend on the wording of the real ones.
vi.mock('./catalogs/index.ts', () => {
  const en = { 'test.hello': 'Hello, {name}!', 'test.sent': 'We sent a new code to {address}.', 'test.wait': 'Try again in {minutes, plural, one {# minute} other {# minutes}}.', 'test.only_en': 'Only <English>' };
  const de = { 'test.hello': 'Hallo, {name}!', 'test.sent': 'Wir haben einen neuen Code an {address} gesendet.', 'test.wait': 'Versuchen Sie es in {minutes, plural, one {# Minute} other {# Minuten}} erneut.' };
  return { CATALOGS: { en, de, fr: en, es: en } };
});

const key = (k: string) => k as MessageKey;
const inGerman = <T>(fn: () => T) => runHubRequest(fn, new HubRequest('r1', { acceptLanguage: 'de-DE,de;q=0.9,en;q=0.5' }));

describe('t and th', () => {
  it('speak English outside a request and the request’s language inside one', () => {
    expect(currentLocale()).toBe('en');
    expect(t(key('test.hello'), { name: 'Ada' })).toBe('Hello, Ada!');
    expect(inGerman(() => [currentLocale(), t(key('test.hello'), { name: 'Ada' })])).toEqual(['de', 'Hallo, Ada!']);
  });

  it('follows the language’s plural rules', () => {
    expect(inGerman(() => t(key('test.wait'), { minutes: 1 }))).toBe('Versuchen Sie es in 1 Minute erneut.');
    expect(t(key('test.wait'), { minutes: 5 })).toBe('Try again in 5 minutes.');
  });

  it('th escapes the catalog’s text and text values, and keeps SafeHtml values as markup', () => {
    const address = html`<strong>${'a<b>@example.test'}</strong>`;
    expect(inGerman(() => th(key('test.sent'), { address }).value)).toBe('Wir haben einen neuen Code an <strong>a&lt;b&gt;@example.test</strong> gesendet.');
    expect(th(key('test.hello'), { name: '<script>' }).value).toBe('Hello, &lt;script&gt;!');
    expect(th(key('test.only_en')).value).toBe('Only &lt;English&gt;');
  });

  it('falls back to English for a key a catalog lacks, and refuses an unknown key', () => {
    expect(inGerman(() => t(key('test.only_en')))).toBe('Only <English>');
    expect(() => t(key('test.nope'))).toThrow(/no message "test.nope"/);
    expect(hasMessage('test.hello')).toBe(true);
    expect(hasMessage('test.nope')).toBe(false);
  });

  it('text() keeps the key for the page and English for logs, whatever the request’s language', () => {
    expect(inGerman(() => text(key('test.wait'), { minutes: 2 }))).toEqual({ key: 'test.wait', values: { minutes: 2 }, english: 'Try again in 2 minutes.' });
  });

  it('a language settled from an authorization request overrides what the headers said', () => {
    const request = new HubRequest('r2', { acceptLanguage: 'en' });
    request.preferLocale('de');
    expect(runHubRequest(() => t(key('test.hello'), { name: 'Ada' }), request)).toBe('Hallo, Ada!');
  });
});
