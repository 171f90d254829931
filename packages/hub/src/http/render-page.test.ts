import { afterEach, describe, expect, it } from 'vitest';
import { HubRequest, runHubRequest } from '../request/hub-request.ts';
import { html } from './html.ts';
import { DEFAULT_PAGE_BRANDING, pickerNext, recordPagePath, renderPage, setPageBranding } from './render-page.ts';
import { contentSecurityPolicy } from './security-headers.ts';

const body = html`<h1>Sign in</h1>`;

afterEach(() => setPageBranding(DEFAULT_PAGE_BRANDING));

describe('renderPage with branding', () => {
  it('shows what the hub always showed when nothing is configured', () => {
    const page = renderPage({ title: 'Sign in', body });
    expect(page).toContain('<title>Sign in · SSO Hub</title>');
    expect(page).toContain('<span class="brand-mark" aria-hidden="true"></span><span>SSO Hub</span>');
    expect(page).toContain('<footer class="foot"><div class="foot-text">Protected by SSO Hub. One sign-in for every app.</div>');
    expect(page.match(/rel="stylesheet"/g)).toHaveLength(1);
  });

  it('puts the product name in the title and header, the logo, and the extra stylesheet after the hub’s', () => {
    const page = renderPage({
      title: 'Sign in',
      body,
      branding: { productName: 'Acme <Login>', logoSrc: '/assets/logo-0123456789abcdef.svg', stylesheetHref: '/assets/branding-0123456789abcdef.css', footer: 'x' },
    });
    expect(page).toContain('<title>Sign in · Acme &lt;Login&gt;</title>');
    expect(page).toContain('<img class="brand-logo" src="/assets/logo-0123456789abcdef.svg" alt="" height="26"><span>Acme &lt;Login&gt;</span>');
    expect(page).not.toContain('brand-mark');
    const hub = page.indexOf('href="/assets/hub.css"');
    const extra = page.indexOf('href="/assets/branding-0123456789abcdef.css"');
    expect(hub).toBeGreaterThan(0);
    expect(extra).toBeGreaterThan(hub);
  });

  it('escapes a plain-text footer and renders footer links with escaped text and href', () => {
    const text = renderPage({ title: 't', body, branding: { productName: 'Acme', footer: '<script>alert(1)</script> & "friends"' } });
    expect(text).toContain('<footer class="foot"><div class="foot-text">&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;</div>');
    expect(text).not.toContain('<script>');
    const links = renderPage({
      title: 't',
      body,
      branding: { productName: 'Acme', footer: [{ text: 'Help <now>', href: 'https://acme.example/help?a=1&b="2"' }, { text: 'Privacy', href: 'https://acme.example/privacy' }] },
    });
    expect(links).toContain(
      '<footer class="foot"><div class="foot-text"><nav aria-label="Footer links" class="foot-links"><a href="https://acme.example/help?a=1&amp;b=&quot;2&quot;">Help &lt;now&gt;</a><a href="https://acme.example/privacy">Privacy</a></nav></div>',
    );
  });

  it('uses the branding set at startup for pages that pass none', () => {
    setPageBranding({ productName: 'Acme', logoSrc: 'https://cdn.example.com/logo.svg', footer: 'Acme Inc.' });
    const page = renderPage({ title: 'Consent', body });
    expect(page).toContain('<title>Consent · Acme</title>');
    expect(page).toContain('src="https://cdn.example.com/logo.svg"');
    expect(page).toContain('<footer class="foot"><div class="foot-text">Acme Inc.</div>');
  });
});

describe('renderPage in the request’s language', () => {
  const inLocale = (locale: string, fn: () => string) => runHubRequest(fn, new HubRequest('r', { pickerCookie: locale }));

  it('says English with no request, and the request’s language and direction in one', () => {
    expect(renderPage({ title: 'Sign in', body })).toContain('<html lang="en" dir="ltr">');
    const page = inLocale('de', () => renderPage({ title: 'Anmelden', body }));
    expect(page).toContain('<html lang="de" dir="ltr">');
    expect(page).toContain('<title>Anmelden · SSO Hub</title>');
    expect(page).toContain('<a class="skip" href="#main">Zum Inhalt springen</a>');
    expect(page).toContain('<div class="foot-text">Geschützt durch SSO Hub. Eine Anmeldung für alle Apps.</div>');
    expect(inLocale('fr', () => renderPage({ title: 't', body }))).toContain('Protégé par SSO Hub. Une seule connexion pour toutes les applications.');
    expect(inLocale('es', () => renderPage({ title: 't', body }))).toContain('Protegido por SSO Hub. Un único inicio de sesión para todas las aplicaciones.');
  });

  it('translates the footer links’ label, and shows a configured footer as written', () => {
    const page = inLocale('de', () => renderPage({ title: 't', body, branding: { productName: 'Acme', footer: [{ text: 'Hilfe', href: 'https://acme.example/help' }] } }));
    expect(page).toContain('<nav aria-label="Links in der Fußzeile" class="foot-links">');
    expect(inLocale('de', () => renderPage({ title: 't', body, branding: { productName: 'Acme', footer: 'Acme Inc.' } }))).toContain('<div class="foot-text">Acme Inc.</div>');
  });

  it('ends the footer with a language picker that needs no JavaScript', () => {
    const page = inLocale('fr', () => renderPage({ title: 't', body, path: '/login?flow=f-1' }));
    const picker = page.slice(page.indexOf('<form class="lang-picker"'), page.indexOf('</form>') + 7);
    expect(picker).toBe(
      [
        '<form class="lang-picker" method="get" action="/language" data-testid="language-picker">',
        '<label class="lang-label">Langue <select name="lang" autocomplete="off"><option value="en" lang="en">English</option><option value="de" lang="de">Deutsch</option><option value="fr" lang="fr" selected>Français</option><option value="es" lang="es">Español</option></select></label>',
        '<input type="hidden" name="next" value="/login?flow=f-1">',
        '<button type="submit" class="secondary lang-submit">Changer</button>',
        '</form>',
      ].join('\n'),
    );
    expect(page.indexOf('<form class="lang-picker"')).toBeGreaterThan(page.indexOf('<footer class="foot">'));
    expect(page).not.toContain('<script');
  });

  it('comes back to the request’s page, recorded at the edge, without ui_locales', () => {
    const page = runHubRequest(() => {
      recordPagePath('/consent/abc?ui_locales=de&x=%22y%22');
      return renderPage({ title: 't', body });
    }, new HubRequest('r'));
    expect(page).toContain('<input type="hidden" name="next" value="/consent/abc?x=%22y%22">');
    expect(renderPage({ title: 't', body })).not.toContain('name="next"');
  });

  it('never offers a next that leaves the origin, loops back to /language, or is a payload', () => {
    expect(pickerNext('//evil.example/x')).toBeUndefined();
    expect(pickerNext('/\\evil.example')).toBeUndefined();
    expect(pickerNext('https://evil.example/')).toBeUndefined();
    expect(pickerNext('/language?lang=de')).toBeUndefined();
    expect(pickerNext(`/login?x=${'a'.repeat(3000)}`)).toBeUndefined();
    expect(pickerNext('/login?ui_locales=fr')).toBe('/login');
  });
});

describe('contentSecurityPolicy', () => {
  it('stays strict, and a logo origin adds exactly that origin to img-src', () => {
    expect(contentSecurityPolicy()).toBe("default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'");
    expect(contentSecurityPolicy({ imgOrigin: 'https://cdn.example.com' })).toBe(
      "default-src 'none'; style-src 'self'; img-src 'self' data: https://cdn.example.com; base-uri 'none'; frame-ancestors 'none'",
    );
  });
});
