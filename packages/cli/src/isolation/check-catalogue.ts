import type { Severity } from './report.ts';

/** What every check is, independent of a run: its severity and how to fix a failure. */
export interface CheckInfo {
  severity: Severity;
  /** How to fix a failure, for the report and the SARIF rule's help. */
  help: string;
}

/**
 * The catalogue of checks. A check id missing here is a bug (a unit test asserts every id the
 * audit can emit is listed); new checks (cookie map, logout proof, token confusion) add their
 * line here and nothing else changes in the report, SARIF or exit status.
 */
export const CHECKS: Record<string, CheckInfo> = {
  'hub.discovery.consistent': { severity: 'high', help: 'Serve the discovery document at <issuer>/.well-known/openid-configuration with issuer equal to the configured issuer and every endpoint on its origin.' },
  'hub.https': { severity: 'high', help: 'Serve the hub on https (publicUrl https://...) behind a TLS-terminating proxy or with listen.tls.' },
  'hub.iss-parameter': { severity: 'medium', help: 'Enable RFC 9207 iss in authorization responses (the hub does by default).' },
  'hub.pkce.methods': { severity: 'medium', help: 'Offer only S256 in code_challenge_methods_supported.' },
  'hub.headers.security': { severity: 'medium', help: "Send Content-Security-Policy with frame-ancestors 'none' and X-Content-Type-Options: nosniff from the login pages." },
  'hub.headers.hsts': { severity: 'medium', help: 'Send Strict-Transport-Security: max-age=31536000 (at least 100000) from the login pages served on https.' },
  'hub.cookies.flags': { severity: 'high', help: 'Set every login-domain cookie host-only (no Domain), Secure, HttpOnly and SameSite=Lax or Strict (Kratos: session.cookie.domain unset, serve.public.base_url on https, no --dev).' },
  'hub.pkce.required': { severity: 'high', help: 'Require PKCE for every client (the hub does; check patches to the provider configuration).' },
  'hub.pkce.plain-refused': { severity: 'medium', help: 'Refuse code_challenge_method=plain.' },
  'hub.redirect-uri.exact': { severity: 'critical', help: 'Match redirect_uri by exact string comparison against the registered URIs.' },
  'hub.open-redirect.return-to': { severity: 'high', help: "Allow only the apps' origins in return_to (allowedReturnOrigins and Kratos' selfservice.allowed_return_urls)." },
  'hub.open-redirect.post-logout': { severity: 'medium', help: 'Redirect after logout only to a post_logout_redirect_uri registered for the client; otherwise end on the hub.' },
  'hub.code.single-use': { severity: 'high', help: 'Refuse a second redemption of a code and revoke the tokens it issued.' },
  'hub.refresh.rotation': { severity: 'high', help: 'Rotate refresh tokens on every use and refuse (and revoke on) reuse of a rotated one.' },
  'registry.read': { severity: 'info', help: 'Give --admin-url and an admin token that the hub accepts.' },
  'client.redirect-uris': { severity: 'high', help: 'Register only exact https redirect URIs (http only on loopback hosts), without wildcard, fragment or userinfo.' },
  'client.backchannel-logout': { severity: 'medium', help: 'Register a back-channel logout URI (the SDK mounts /auth/backchannel-logout): ssohub clients update <id> --backchannel-logout-uri ...' },
  'client.auth-method': { severity: 'low', help: 'Use client_secret_basic (or private_key_jwt) for confidential clients.' },
  'client.post-logout-uris': { severity: 'medium', help: "Register post-logout URIs only on the app's own origin, https." },
  'client.scopes': { severity: 'medium', help: 'Allow only the scopes the hub knows (openid, email, profile, offline_access), and offline_access only for first-party apps.' },
  'app.session-cookie': { severity: 'high', help: "Keep the app's session in a host-only __Host- cookie with Secure, HttpOnly and SameSite (the SDK does)." },
  'app.open-redirect.return-to': { severity: 'medium', help: "Accept only same-origin relative paths as returnTo after sign-in (the SDK does)." },
  'app.backchannel.refuses-unsigned': { severity: 'critical', help: "Verify the logout token's signature with the hub's JWKS and refuse alg=none (the SDK does)." },
  'app.backchannel.refuses-forged': { severity: 'critical', help: "Verify the logout token's signature against the hub's published keys only." },
  'app.backchannel.refuses-wrong-audience': { severity: 'high', help: "Refuse logout tokens whose aud is not the app's client id." },
  'app.backchannel.refuses-replay': { severity: 'medium', help: 'Remember each logout token jti until it expires and refuse a second delivery.' },
  'app.token-confusion': { severity: 'critical', help: "Accept at the API only access tokens issued to this app (audience, token type): refuse refresh tokens, ID tokens and other clients' access tokens with 401 (the SDK's ssoApiFastify / ssoApiExpress do)." },
  'session.cookie-map': { severity: 'high', help: 'Set every cookie host-only (no Domain attribute) on the host that needs it, and give the hub and each app a host name of its own (cookies ignore ports).' },
  'logout.global': { severity: 'high', help: "Register each app's back-channel logout URI, end the app session it names, and end the Kratos session and the grants at RP-initiated logout (the hub and the SDK do)." },
  'logout.local': { severity: 'medium', help: "End only this app's session at its own logout route (the SDK's /auth/logout); keep the hub session and the other apps' sessions." },
};

/** The catalogue entry of a check; an unknown id is a bug, reported as a medium check rather than a crash. */
export function checkInfo(id: string): CheckInfo {
  return CHECKS[id] ?? { severity: 'medium', help: '' };
}
