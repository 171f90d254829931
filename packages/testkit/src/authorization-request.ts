import { createHash, randomBytes } from 'node:crypto';

const b64url = (b: Buffer) => b.toString('base64url');

/**
 * An authorization request as a relying party makes it (code flow, PKCE S256, fresh state and
 * nonce): the URL to send the browser to, and the verifier and state to keep for the callback.
 * For the drivers that act as an app without an OIDC library (the benchmark, the chaos suite).
 */
export function authorizationRequest(o: { issuer: string; clientId: string; redirectUri: string; scope: string }): { url: URL; verifier: string; state: string } {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const url = new URL(`${o.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: o.clientId,
    redirect_uri: o.redirectUri,
    response_type: 'code',
    scope: o.scope,
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    state,
    nonce: b64url(randomBytes(16)),
  }).toString();
  return { url, verifier, state };
}
