import { describe, expect, it } from 'vitest';
import type { Locale } from '../i18n/locales.ts';
import { HubRequest, runHubRequest } from '../request/hub-request.ts';
import { type AccountPageView, renderAccountBody } from './render-account-page.ts';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0';
const CURRENT = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

const view = (over: Partial<AccountPageView> = {}): AccountPageView => ({
  email: 'ada@example.test',
  csrf: 'tok<en>',
  devices: [
    { id: CURRENT, current: true, userAgent: CHROME_LINUX, ip: '203.0.113.7', signedInAt: '2026-12-05T01:00:00Z' },
    { id: OTHER, current: false, userAgent: FIREFOX_WINDOWS, ip: undefined, signedInAt: '2026-12-04T09:30:00Z' },
  ],
  apps: [{ clientId: 'shop-b', name: 'Shop <B>', grantedAt: Date.parse('2026-12-05T01:00:05Z') / 1000, scopes: ['email', 'openid', 'orders:read'] }],
  ...over,
});

const render = (v: AccountPageView, locale?: Locale) => (locale ? runHubRequest(() => renderAccountBody(v).value, withLocale(locale)) : renderAccountBody(v).value);

function withLocale(locale: Locale): HubRequest {
  const r = new HubRequest();
  r.preferLocale(locale);
  return r;
}

describe('the account page', () => {
  it('lists every device in plain words, marks this one, and offers to sign out the others', () => {
    const out = render(view());
    expect(out).toContain(`data-testid="account/session/${CURRENT}"`);
    expect(out).toContain('Chrome on Linux');
    expect(out).toContain('Firefox on Windows');
    expect(out).toContain('IP address 203.0.113.7');
    expect(out).toMatch(/Signed in Dec 5, 2026, 1:00\s?AM UTC/);
    expect(out).toContain('data-testid="account/this-device"');
    // Only other devices can be signed out from here (this one signs out through /logout).
    expect(out).not.toContain(`account/revoke-session/${CURRENT}`);
    expect(out).toContain(`action="/account/sessions/${OTHER}/revoke"`);
    expect(out).toContain(`data-testid="account/revoke-session/${OTHER}"`);
    expect(out).toContain('data-testid="account/revoke-others"');
    expect(out).toContain(`aria-describedby="device-${OTHER}"`);
    expect(out).not.toContain('Mozilla/5.0');
  });

  it('lists each app with its name escaped, when access was given, what it can do, and a Remove access button', () => {
    const out = render(view());
    expect(out).toContain('data-testid="account/app/shop-b"');
    expect(out).not.toContain('Shop <B>');
    expect(out).toMatch(/Access given Dec 5, 2026/);
    expect(out).toContain('See your email address');
    expect(out).toContain('Use the &quot;orders:read&quot; permission');
    expect(out).toContain('action="/account/apps/shop-b/revoke"');
    expect(out).toContain('data-testid="account/revoke-app/shop-b"');
    // Each button keeps its visible name and is described by the app's name.
    expect(out).toContain('<strong id="app-0">Shop &lt;B&gt;</strong>');
    expect(out).toContain('aria-describedby="app-0"');
  });

  it('puts the CSRF token, escaped, in every form, and posts without JavaScript', () => {
    const out = render(view());
    const forms = out.match(/<form [^>]*method="post"/g) ?? [];
    expect(forms.length).toBe(3);
    expect(out.match(/name="csrf" value="tok&lt;en&gt;"/g)?.length).toBe(3);
    expect(out).not.toContain('<script');
  });

  it('links to the security settings and sign out', () => {
    const out = render(view());
    expect(out).toContain('href="/settings" data-testid="account/link/settings"');
    expect(out).toContain('href="/logout" data-testid="account/link/logout"');
  });

  it('says when nothing else is signed in and no app has access', () => {
    const out = render(view({ devices: [view().devices[0]!], apps: [] }));
    expect(out).toContain('data-testid="account/no-other-sessions"');
    expect(out).not.toContain('account/revoke-others');
    expect(out).toContain('data-testid="account/no-apps"');
  });

  it('confirms each action with a notice', () => {
    expect(render(view({ notice: { kind: 'app_removed', appName: 'Shop <B>' } }))).toContain(
      '<strong>Shop &lt;B&gt;</strong> no longer has access to your account, and you have been signed out of it.',
    );
    expect(render(view({ notice: { kind: 'others_signed_out', count: 2 } }))).toContain('2 other devices have been signed out.');
    expect(render(view({ notice: { kind: 'others_signed_out', count: 1 } }))).toContain('1 other device has been signed out.');
    expect(render(view({ notice: { kind: 'device_signed_out' } }))).toContain('data-testid="account/notice/device_signed_out"');
  });

  it.each([
    ['de', 'Angemeldete Geräte', 'Chrome unter Linux', 'Zugriff entziehen'],
    ['fr', 'Appareils connectés', 'Chrome sur Linux', 'Retirer l’accès'],
    ['es', 'Dispositivos con sesión iniciada', 'Chrome en Linux', 'Retirar el acceso'],
  ] as const)('speaks %s', (locale, heading, device, remove) => {
    const out = render(view(), locale);
    expect(out).toContain(heading);
    expect(out).toContain(device);
    expect(out).toContain(remove);
    expect(out).not.toContain('Signed-in devices');
  });
});
