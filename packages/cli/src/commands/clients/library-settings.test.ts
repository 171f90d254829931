import { describe, expect, it } from 'vitest';
import { INTEGRATION_DOCS, librarySettings, renderLibrarySettings } from './library-settings.ts';
import type { ClientView } from './render-client.ts';

const web: ClientView = {
  client_id: 'app-a',
  redirect_uris: ['https://app-a.test/auth/callback'],
  backchannel_logout_uri: 'https://app-a.test/auth/backchannel-logout',
  id_token_signed_response_alg: 'ES256',
  scope: 'openid email profile offline_access',
  grant_types: ['authorization_code', 'refresh_token'],
  has_secret: true,
  source: 'api',
};

describe('librarySettings', () => {
  it('case=ES256 web client: PKCE S256, the way to RS256, userinfo, the scopes to ask, the back-channel URI, the recipes', () => {
    const s = librarySettings(web)!;
    expect(s).toEqual({
      pkce: 'S256',
      id_token_alg: 'ES256',
      rs256_only_library: 'ssohub clients update app-a --id-token-alg RS256',
      email_and_name: 'userinfo',
      scope: 'openid email profile offline_access',
      backchannel_logout_uri: 'https://app-a.test/auth/backchannel-logout',
      docs: [...INTEGRATION_DOCS],
    });
    const text = renderLibrarySettings(web, s);
    expect(text).toMatch(/^ {2}PKCE: +S256 on every sign-in/m);
    expect(text).toMatch(/^ {2}ID token alg: +ES256; for a library that verifies RS256 only: ssohub clients update app-a --id-token-alg RS256$/m);
    expect(text).toMatch(/^ {2}email, name: +from userinfo, not the ID token: ask for scope "openid email profile offline_access"/m);
    expect(text).toContain('POSTed to https://app-a.test/auth/backchannel-logout');
    expect(text).toMatch(/^ {2}recipes: +docs\/integrations\/go\.md, docs\/integrations\/python\.md, docs\/integrations\/hono\.md, docs\/integrations\/nextjs\.md, docs\/integrations\/oauth2-proxy\.md$/m);
  });

  it('case=RS256, no refresh, no back-channel: no way to RS256, no offline_access, how to register an endpoint', () => {
    const client: ClientView = { ...web, id_token_signed_response_alg: 'RS256', grant_types: ['authorization_code'], backchannel_logout_uri: undefined };
    const s = librarySettings(client)!;
    expect(s).toMatchObject({ id_token_alg: 'RS256', scope: 'openid email profile', backchannel_logout_uri: null });
    expect(s.rs256_only_library).toBeUndefined();
    const text = renderLibrarySettings(client, s);
    expect(text).toMatch(/^ {2}ID token alg: +RS256$/m);
    expect(text).toContain('none registered; an app with an endpoint for it: ssohub clients update app-a --backchannel-logout-uri https://<app>/auth/backchannel-logout');
  });

  it('case=scope without email/profile: names them and how to allow them', () => {
    const s = librarySettings({ ...web, scope: 'openid offline_access' })!;
    expect(s).toMatchObject({ scope: 'openid offline_access', scope_missing: ['email', 'profile'] });
    expect(renderLibrarySettings(web, s)).toContain('this client may not ask for email profile: add them with ssohub clients update app-a --scope');
  });

  it('case=no scope list (every scope allowed): asks for all of them', () => {
    expect(librarySettings({ ...web, scope: undefined })!.scope).toBe('openid email profile offline_access');
  });

  it('case=service client: nothing (no user, no browser)', () => {
    expect(librarySettings({ ...web, grant_types: ['client_credentials'], resources: ['https://api.test'] })).toBeUndefined();
  });
});
