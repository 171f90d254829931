/**
 * Owns what the provider's tokens and userinfo say about a user: the claims mapped from Kratos
 * identity traits (and the scope that releases each), and acr, amr and auth_time from the Kratos
 * session.
 */
import type { Identity, Session } from '../../kratos/kratos-client.ts';
import type { ClaimMapping } from '../bridge-config.ts';

/**
 * Claims of an identity released by the given scopes: `sub` always, each mapped trait when its
 * scope was granted, and `email_verified` from Kratos' verifiable addresses whenever `email` is
 * released (a trait alone never says the address was verified).
 */
export function buildAccountClaims(identity: Pick<Identity, 'id' | 'traits' | 'verifiable_addresses'>, scopes: ReadonlySet<string>, mapping: readonly ClaimMapping[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: identity.id };
  const traits = (identity.traits ?? {}) as Record<string, unknown>;
  for (const { claim, trait, scope } of mapping) {
    if (!scopes.has(scope)) continue;
    const value = readPath(traits, trait);
    if (value === undefined || value === null || value === '') continue;
    claims[claim] = value;
    if (claim === 'email' && typeof value === 'string') {
      claims.email_verified = (identity.verifiable_addresses ?? []).some(
        (a) => a.value.toLowerCase() === value.toLowerCase() && a.verified === true,
      );
    }
  }
  return claims;
}

/** The oidc-provider `claims` option: which claims each scope releases. */
export function buildScopeClaims(mapping: readonly ClaimMapping[]): Record<string, string[] | null> {
  // acr, amr and auth_time ride with `openid` so every ID token carries them (oidc-provider masks
  // ID token claims by scope); sid is added by the provider for back-channel clients.
  const out: Record<string, string[] | null> = { sid: null, iss: null, openid: ['sub', 'acr', 'amr', 'auth_time'] };
  for (const { claim, scope } of mapping) {
    const list = (out[scope] as string[] | undefined) ?? [];
    list.push(claim);
    if (claim === 'email') list.push('email_verified');
    out[scope] = list;
  }
  return out;
}

function readPath(value: Record<string, unknown>, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** RFC 8176 method references for Kratos authentication methods. */
const AMR: Record<string, string> = {
  password: 'pwd',
  code: 'otp',
  totp: 'otp',
  lookup_secret: 'otp',
  webauthn: 'hwk',
  passkey: 'hwk',
  oidc: 'fed',
  saml: 'fed',
};

/** acr is Kratos' assurance level (aal1/aal2); amr lists the methods used, plus mfa at aal2. */
export function authenticationContext(session: Session): { acr: string; amr: string[]; authTime: number } {
  const acr = session.authenticator_assurance_level ?? 'aal1';
  const amr = new Set<string>();
  for (const m of session.authentication_methods ?? []) if (m.method) amr.add(AMR[m.method] ?? m.method);
  if (acr === 'aal2' || acr === 'aal3') amr.add('mfa');
  const at = session.authenticated_at ? Date.parse(session.authenticated_at) : Date.now();
  return { acr, amr: [...amr], authTime: Math.floor(at / 1000) };
}
