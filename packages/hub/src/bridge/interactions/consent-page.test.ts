import { describe, expect, it } from 'vitest';
import { renderConsentPage } from './consent-page.ts';

const page = (o: Partial<Parameters<typeof renderConsentPage>[0]> = {}) =>
  renderConsentPage({ uid: 'u1', clientName: 'Shop B', clientUri: undefined, scopes: ['openid'], claims: [], ...o });

describe('consent page: which app (issue #20)', () => {
  it('links to the app and its privacy policy and terms when they are https', () => {
    const out = page({ clientUri: 'https://shop-b.test/', policyUri: 'https://shop-b.test/privacy', tosUri: 'https://shop-b.test/terms' });
    expect(out).toContain('<a href="https://shop-b.test/" rel="noopener noreferrer" data-testid="consent/client-link">https://shop-b.test/</a>');
    expect(out).toMatch(/Shop B(?:'|&#39;)s <a href="https:\/\/shop-b\.test\/privacy"[^>]*data-testid="consent\/client\/policy">privacy policy<\/a> and <a href="https:\/\/shop-b\.test\/terms"[^>]*data-testid="consent\/client\/tos">terms of service<\/a>/);
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

describe('consent page in the user\'s language (#20)', () => {
  it('German: title, app line, each scope in plain words, buttons; test ids unchanged', () => {
    const out = page({ locale: 'de', scopes: ['openid', 'email', 'profile', 'offline_access', 'orders:read'], claims: ['nickname'] });
    expect(out).toContain('<title>Shop B den Zugriff erlauben?');
    expect(out).toContain('<h1>Darf <span data-testid="consent/client">Shop B</span> Ihr Konto verwenden?</h1>');
    expect(out).toContain('Diese App wird nicht vom Team hinter dieser Anmeldung betrieben.');
    expect(out).toContain('<li>erfahren, wer Sie sind (die Kennung Ihres Kontos)</li>');
    expect(out).toContain('<li>Ihre E-Mail-Adresse sehen und ob sie bestätigt ist</li>');
    expect(out).toContain('<li>die Berechtigung „orders:read“ nutzen</li>');
    expect(out).toContain('<li>Ihre Angabe „nickname“ sehen</li>');
    expect(out).toContain('data-testid="consent/approve">Erlauben</button>');
    expect(out).toContain('data-testid="consent/deny">Ablehnen</button>');
  });

  it('French: typographic spaces and apostrophes, the app name escaped inside the heading', () => {
    const out = page({ locale: 'fr', clientName: 'Shop <B>', scopes: ['profile'] });
    expect(out).toContain('<h1>Autoriser <span data-testid="consent/client">Shop &lt;B&gt;</span> à utiliser votre compte\u00a0?</h1>');
    expect(out).toContain('Cette application n’est pas gérée');
    expect(out).toContain('<li>voir votre nom</li>');
    expect(out).toContain('data-testid="consent/approve">Autoriser</button>');
    expect(out).toContain('data-testid="consent/deny">Refuser</button>');
  });

  it('English by default (no request, no locale)', () => {
    const out = page({ scopes: ['openid', 'custom'], claims: ['nickname'] });
    expect(out).toContain('<h1>Allow <span data-testid="consent/client">Shop B</span> to use your account?</h1>');
    expect(out).toContain('<li>Use the &quot;custom&quot; permission</li>');
    expect(out).toContain('<li>See your nickname</li>');
  });
});
