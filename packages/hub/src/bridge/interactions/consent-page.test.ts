import { describe, expect, it } from 'vitest';
import { renderConsentPage } from './consent-page.ts';

const page = (o: Partial<Parameters<typeof renderConsentPage>[0]> = {}) =>
  renderConsentPage({ uid: 'u1', clientName: 'Shop B', clientUri: undefined, scopes: ['openid'], claims: [], ...o });

describe('consent page: which app (issue #20)', () => {
  it('links to the app and its privacy policy and terms when they are https', () => {
    const out = page({ clientUri: 'https://shop-b.test/', policyUri: 'https://shop-b.test/privacy', tosUri: 'https://shop-b.test/terms' });
    expect(out).toContain('<a href="https://shop-b.test/" rel="noopener noreferrer" data-testid="consent/client-link">https://shop-b.test/</a>');
    expect(out).toMatch(/Shop B's <a href="https:\/\/shop-b\.test\/privacy"[^>]*data-testid="consent\/client\/policy">privacy policy<\/a> and <a href="https:\/\/shop-b\.test\/terms"[^>]*data-testid="consent\/client\/tos">terms of service<\/a>/);
  });

  it('no policy line without policy or terms; a non-https address is never a link', () => {
    expect(page()).not.toContain('consent/client/policies');
    const out = page({ clientUri: 'javascript:alert(1)', policyUri: 'http://shop-b.test/privacy' });
    expect(out).not.toContain('href="javascript');
    expect(out).not.toContain('consent/client/policy');
    expect(out).not.toMatch(/<a [^>]*data-testid="consent\/client-link"/);
  });

  it('escapes every client value', () => {
    const out = page({ clientName: '<script>alert(1)</script>', clientUri: 'https://a.test/"><script>', tosUri: 'https://a.test/t' });
    expect(out).not.toContain('<script>');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
