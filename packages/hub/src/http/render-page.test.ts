import { afterEach, describe, expect, it } from 'vitest';
import { html } from './html.ts';
import { DEFAULT_PAGE_BRANDING, renderPage, setPageBranding } from './render-page.ts';
import { contentSecurityPolicy } from './security-headers.ts';

const body = html`<h1>Sign in</h1>`;

afterEach(() => setPageBranding(DEFAULT_PAGE_BRANDING));

describe('renderPage with branding', () => {
  it('shows what the hub always showed when nothing is configured', () => {
    const page = renderPage({ title: 'Sign in', body });
    expect(page).toContain('<title>Sign in · SSO Hub</title>');
    expect(page).toContain('<span class="brand-mark" aria-hidden="true"></span><span>SSO Hub</span>');
    expect(page).toContain('<footer class="foot">Protected by SSO Hub. One sign-in for every app.</footer>');
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
    expect(text).toContain('<footer class="foot">&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;</footer>');
    expect(text).not.toContain('<script>');
    const links = renderPage({
      title: 't',
      body,
      branding: { productName: 'Acme', footer: [{ text: 'Help <now>', href: 'https://acme.example/help?a=1&b="2"' }, { text: 'Privacy', href: 'https://acme.example/privacy' }] },
    });
    expect(links).toContain(
      '<footer class="foot"><nav aria-label="Footer links" class="foot-links"><a href="https://acme.example/help?a=1&amp;b=&quot;2&quot;">Help &lt;now&gt;</a><a href="https://acme.example/privacy">Privacy</a></nav></footer>',
    );
  });

  it('uses the branding set at startup for pages that pass none', () => {
    setPageBranding({ productName: 'Acme', logoSrc: 'https://cdn.example.com/logo.svg', footer: 'Acme Inc.' });
    const page = renderPage({ title: 'Consent', body });
    expect(page).toContain('<title>Consent · Acme</title>');
    expect(page).toContain('src="https://cdn.example.com/logo.svg"');
    expect(page).toContain('<footer class="foot">Acme Inc.</footer>');
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
