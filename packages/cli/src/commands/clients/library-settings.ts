import type { ClientView } from './render-client.ts';

/** The recipes of docs/integrations/, by stack; the index lists what each needs. */
export const INTEGRATION_DOCS = [
  'docs/integrations/README.md',
  'docs/integrations/go.md',
  'docs/integrations/python.md',
  'docs/integrations/hono.md',
  'docs/integrations/nextjs.md',
  'docs/integrations/oauth2-proxy.md',
] as const;

/**
 * LibrarySettings are the settings an OpenID Connect library needs for one client, which no
 * library guesses from discovery: each was a failed sign-in for some team before it was written
 * down (issue 26).
 */
export interface LibrarySettings {
  /** PKCE method: the hub refuses an authorization request without S256, confidential clients too. */
  pkce: 'S256';
  /** The algorithm of this client's ID tokens (and logout tokens): what the library must accept. */
  id_token_alg: string;
  /** The way out for a library that verifies RS256 only; absent when the client already has RS256. */
  rs256_only_library?: string;
  /** Where email and name come from: userinfo, never the ID token. */
  email_and_name: 'userinfo';
  /** The scopes the app asks for at sign-in, of those this client may ask for. */
  scope: string;
  /** `email`/`profile` this client may not ask for: userinfo will not answer those claims. */
  scope_missing?: string[];
  /** Where the hub POSTs logout tokens, or null when none is registered. */
  backchannel_logout_uri: string | null;
  /** Recipes per stack, paths in the SSO Hub repository. */
  docs: string[];
}

/** librarySettings says what a library needs for `client`; undefined for a service client (no user, no browser). */
export function librarySettings(client: ClientView): LibrarySettings | undefined {
  const grants = client.grant_types ?? ['authorization_code'];
  if (!grants.includes('authorization_code')) return undefined;
  // A client without a scope list may ask for every scope the hub offers.
  const allowed = client.scope === undefined ? undefined : new Set(client.scope.split(' ').filter(Boolean));
  const may = (s: string) => allowed === undefined || allowed.has(s);
  const wanted = ['openid', 'email', 'profile', ...(grants.includes('refresh_token') ? ['offline_access'] : [])];
  const alg = client.id_token_signed_response_alg ?? 'RS256';
  const missing = ['email', 'profile'].filter((s) => !may(s));
  return {
    pkce: 'S256',
    id_token_alg: alg,
    ...(alg === 'RS256' ? {} : { rs256_only_library: `ssohub clients update ${client.client_id} --id-token-alg RS256` }),
    email_and_name: 'userinfo',
    scope: wanted.filter(may).join(' '),
    ...(missing.length > 0 ? { scope_missing: missing } : {}),
    backchannel_logout_uri: client.backchannel_logout_uri ?? null,
    docs: [...INTEGRATION_DOCS],
  };
}

/** The settings as the short block `clients create` prints under the client. */
export function renderLibrarySettings(client: ClientView, s: LibrarySettings): string {
  const lines = [
    'For your OpenID Connect library (docs/integrations/README.md):',
    '  PKCE:          S256 on every sign-in; a request without it is refused (oauth2-proxy: --code-challenge-method=S256)',
    `  ID token alg:  ${s.id_token_alg}${s.rs256_only_library ? `; for a library that verifies RS256 only: ${s.rs256_only_library}` : ''}`,
    `  email, name:   from userinfo, not the ID token: ask for scope "${s.scope}" and call userinfo after the code exchange`,
  ];
  if (s.scope_missing) {
    lines.push(`                 this client may not ask for ${s.scope_missing.join(' ')}: add them with ssohub clients update ${client.client_id} --scope "..."`);
  }
  lines.push(
    s.backchannel_logout_uri
      ? `  back-channel:  the app must answer logout tokens POSTed to ${s.backchannel_logout_uri} (a sign-out anywhere ends its session)`
      : `  back-channel:  none registered; an app with an endpoint for it: ssohub clients update ${client.client_id} --backchannel-logout-uri https://<app>/auth/backchannel-logout`,
    `  recipes:       ${s.docs.slice(1).join(', ')}`,
    '',
  );
  return lines.join('\n');
}
