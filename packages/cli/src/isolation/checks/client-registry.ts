import type { Findings, RegistryClient } from '../audit-context.ts';

const LOCAL = /^(localhost|127\.0\.0\.1|\[::1\]|.+\.localhost)$/;
const KNOWN_SCOPES = new Set(['openid', 'email', 'profile', 'offline_access']);

function uriProblems(label: string, uri: string): string[] {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return [`${label} ${uri} is not an absolute URL`];
  }
  const p: string[] = [];
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOCAL.test(u.hostname))) p.push(`${label} ${uri} is not https`);
  if (u.hash) p.push(`${label} ${uri} has a fragment`);
  if (uri.includes('*')) p.push(`${label} ${uri} has a wildcard`);
  if (u.username || u.password) p.push(`${label} ${uri} has userinfo`);
  return p;
}

/** Checks every registered client's metadata for what weakens isolation. */
export function checkClientRegistry(f: Findings, clients: RegistryClient[]): void {
  for (const c of clients) {
    const target = `client ${c.client_id}`;
    if (isServiceClient(c)) {
      // A service client (client_credentials only, decision 0019) signs no user in: it has no
      // redirect, no session to end, no logout and no user scopes; what it may reach is its
      // resources, each the audience of its tokens.
      const why = 'A service client has no user session: nothing to redirect, end or log out.';
      const detail = `service client (client_credentials only), tokens for ${(Array.isArray(c.resources) ? c.resources : []).join(', ') || 'no resource'}`;
      for (const [id, title] of SESSION_CHECKS) f.add(id, target, title, 'skipped', detail, why);
      checkAuthMethod(f, c, target);
      continue;
    }
    const redirects = c.redirect_uris.flatMap((u) => uriProblems('redirect URI', u));
    f.add(
      'client.redirect-uris',
      target,
      'Redirect URIs are https, exact and without wildcards',
      redirects.length ? 'fail' : 'pass',
      redirects.length ? redirects.join('; ') : `${c.redirect_uris.length} redirect URI(s): ${c.redirect_uris.join(', ')}`,
      'A loose or plain-http redirect URI lets a code reach someone other than the app.',
    );
    const bcl = c.backchannel_logout_uri;
    const bclProblems = bcl ? uriProblems('back-channel logout URI', bcl) : ['no back-channel logout URI: a global logout cannot reach this app'];
    f.add(
      'client.backchannel-logout',
      target,
      'A back-channel logout URI is configured',
      bclProblems.length ? 'fail' : 'pass',
      bclProblems.length ? bclProblems.join('; ') : `back-channel logout to ${bcl}`,
      "Without it, the app's session survives a global logout, an admin revocation or a lockout.",
    );
    checkAuthMethod(f, c, target);
    const post = c.post_logout_redirect_uris ?? [];
    const postProblems = post.flatMap((u) => uriProblems('post-logout URI', u));
    const appOrigins = new Set(c.redirect_uris.map((u) => { try { return new URL(u).origin; } catch { return ''; } }));
    for (const u of post) {
      try {
        if (!appOrigins.has(new URL(u).origin)) postProblems.push(`post-logout URI ${u} is not on the app's own origin`);
      } catch {
        // reported above
      }
    }
    f.add(
      'client.post-logout-uris',
      target,
      "Post-logout URIs are allow-listed on the app's origin",
      postProblems.length ? 'fail' : 'pass',
      postProblems.length ? postProblems.join('; ') : post.length ? post.join(', ') : 'none registered (logout ends on the hub)',
      'The end-session endpoint redirects without authentication; only exact, own-origin URIs keep it from being an open redirect.',
    );
    const scopes = (c.scope ?? 'openid').split(/\s+/).filter(Boolean);
    const unknown = scopes.filter((s) => !KNOWN_SCOPES.has(s));
    const offline = scopes.includes('offline_access') && !c.ssohub_first_party;
    f.add(
      'client.scopes',
      target,
      'Allowed scopes are known and proportionate',
      unknown.length || offline ? 'fail' : 'pass',
      unknown.length ? `unknown scopes: ${unknown.join(', ')}` : offline ? 'a third-party client may ask for offline_access (long-lived refresh tokens)' : scopes.join(' '),
      'Each scope is data or power the app can obtain; third parties with offline access keep it after the user leaves.',
      [],
      { severity: unknown.length ? 'medium' : 'low' },
    );
  }
}

const SESSION_CHECKS = [
  ['client.redirect-uris', 'Redirect URIs are https, exact and without wildcards'],
  ['client.backchannel-logout', 'A back-channel logout URI is configured'],
  ['client.post-logout-uris', "Post-logout URIs are allow-listed on the app's origin"],
  ['client.scopes', 'Allowed scopes are known and proportionate'],
] as const;

function isServiceClient(c: RegistryClient): boolean {
  return Array.isArray(c.grant_types) && c.grant_types.length > 0 && c.grant_types.every((g) => g === 'client_credentials');
}

function checkAuthMethod(f: Findings, c: RegistryClient, target: string): void {
  const method = c.token_endpoint_auth_method ?? 'client_secret_basic';
  f.add(
    'client.auth-method',
    target,
    'Token endpoint authentication is strong enough',
    method === 'none' || method === 'client_secret_post' ? 'fail' : 'pass',
    method === 'none'
      ? 'Public client (none): the code is protected by PKCE only; acceptable for apps that cannot keep a secret.'
      : method === 'client_secret_post'
        ? 'client_secret_post puts the secret in the request body; prefer client_secret_basic or private_key_jwt.'
        : `${method}.`,
    'A weaker client authentication makes a leaked code or refresh token easier to use.',
    [],
    // A public client is a design choice PKCE covers: worth knowing, not a weakness by itself.
    { severity: method === 'none' ? 'info' : 'low' },
  );
}
