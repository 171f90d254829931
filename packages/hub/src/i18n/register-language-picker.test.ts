import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../app.ts';
import { checkConfig } from '../config/check-config.ts';
import { createLogger } from '../http/create-logger.ts';
import { LANGUAGE_COOKIE, UI_LOCALES_COOKIE } from './negotiate-locale.ts';
import { sameOriginPath } from './register-language-picker.ts';

// The language picker as a browser uses it: the footer's form on a page, GET /language, the
// cookie it sets, the app's ui_locales cookie it clears, and where it goes back to.

let hub: Hub;

beforeAll(async () => {
  const config = checkConfig({
    mode: 'development',
    publicUrl: 'https://login.localhost:4000',
    store: { kind: 'memory' },
    kratos: { publicUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9' },
    admin: { token: 'admin-token-0123456789abcdefghij' },
    bridge: { cookieKeys: ['test-cookie-key-0123456789abcdefghijklmnop'] },
  });
  hub = await buildApp(config, { log: createLogger('silent', { write: () => {} }) });
});

afterAll(async () => {
  await hub?.close();
});

const pick = (query: string, cookie?: string) => hub.app.inject({ method: 'GET', url: `/language?${query}`, headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });

describe('GET /language', () => {
  it('remembers the language for a year, clears the app’s ui_locales, and goes back to the page', async () => {
    const res = await pick(`lang=de&next=${encodeURIComponent('/login?flow=abc-123')}`, `${UI_LOCALES_COOKIE}=fr`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?flow=abc-123');
    expect(res.headers['cache-control']).toBe('no-store');
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const lang = cookies.find((c) => c.startsWith(`${LANGUAGE_COOKIE}=`));
    expect(lang).toMatch(/^ssohub_lang=de; Max-Age=31536000; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const cleared = cookies.find((c) => c.startsWith(`${UI_LOCALES_COOKIE}=`));
    expect(cleared).toMatch(/^ssohub_ui_locales=; Max-Age=0; Path=\/;.*HttpOnly; Secure; SameSite=Lax$/);
  });

  it('the next page is in the picked language, though the browser prefers another', async () => {
    const res = await hub.app.inject({ method: 'GET', url: '/nowhere', headers: { accept: 'text/html', cookie: `${LANGUAGE_COOKIE}=de`, 'accept-language': 'fr' } });
    expect(res.body).toContain('<html lang="de" dir="ltr">');
    expect(res.body).toContain('<h1 data-testid="error/title">Nicht gefunden</h1>');
  });

  it.each([['//evil.example'], ['https://evil.example'], ['/\\evil'], ['/\\\\evil'], ['/\t/evil.example'], ['evil'], ['']])('refuses next=%j and goes to /', async (next) => {
    const res = await pick(`lang=fr&next=${encodeURIComponent(next)}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
  });

  it('goes to / without next', async () => {
    const res = await pick('lang=es');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(String(res.headers['set-cookie'])).toContain('ssohub_lang=es;');
  });

  it('refuses a language it does not ship with a 400 page listing those it does, and sets nothing', async () => {
    const res = await pick('lang=xx&next=/login', `${LANGUAGE_COOKIE}=de`);
    expect(res.statusCode).toBe(400);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('<html lang="de" dir="ltr">');
    expect(res.body).toContain('Diese Sprache ist nicht verfügbar. Bitte wählen Sie eine der folgenden: English, Deutsch, Français, Español.');
  });

  it('refuses a query that fails its schema (no lang, an unknown parameter) with the hub’s 400', async () => {
    const missing = await pick('next=/login');
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('query parameter lang is required');
    const extra = await hub.app.inject({ method: 'GET', url: '/language?lang=de&x=1', headers: { accept: 'application/json' } });
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toMatchObject({ error: { code: 'SSOHUB_ERR_BAD_REQUEST', message: 'query parameter x is not accepted here' } });
  });

  it('translates the schema sentence on the page and keeps the field name', async () => {
    const res = await pick('next=/login', `${LANGUAGE_COOKIE}=fr`);
    expect(res.body).toContain('le paramètre de requête lang est obligatoire');
  });
});

describe('the picker on a page', () => {
  it('sends the page’s own address as next, without ui_locales', async () => {
    const res = await hub.app.inject({ method: 'GET', url: '/nowhere?flow=f1&ui_locales=fr', headers: { accept: 'text/html' } });
    expect(res.body).toContain('<html lang="fr" dir="ltr">');
    expect(res.body).toContain('<form class="lang-picker" method="get" action="/language" data-testid="language-picker">');
    expect(res.body).toContain('<input type="hidden" name="next" value="/nowhere?flow=f1">');
    expect(res.body).toContain('<option value="fr" lang="fr" selected>Français</option>');
  });

  it('offers no next on the error page of /language itself (it would only come back there)', async () => {
    const res = await pick('lang=xx');
    expect(res.body).toContain('data-testid="language-picker"');
    expect(res.body).not.toContain('name="next"');
  });
});

describe('sameOriginPath', () => {
  it('accepts a path on this origin and nothing else', () => {
    expect(sameOriginPath('/')).toBe(true);
    expect(sameOriginPath('/login?flow=1&return_to=https%3A%2F%2Fapp.example')).toBe(true);
    for (const bad of ['//evil.example', '/\\evil', 'https://evil.example', 'javascript:alert(1)', '/\n/evil', '', undefined]) expect(sameOriginPath(bad), String(bad)).toBe(false);
  });
});
