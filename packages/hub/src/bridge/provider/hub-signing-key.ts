/**
 * Owns how the provider's private keys sign: node:crypto on the request's own thread, with key
 * objects made once, in place of oidc-provider's default path (jose over WebCrypto).
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { ExternalSigningKey } from 'oidc-provider';
import type { PrivateJwk } from './signing-keys.ts';

/** How node:crypto computes each JWS algorithm the hub may be configured with. */
const SIGNING = new Map<string, { hash: string; options?: { padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } }>([
  ['RS256', { hash: 'sha256' }],
  ['RS384', { hash: 'sha384' }],
  ['RS512', { hash: 'sha512' }],
  // RSASSA-PSS with a salt as long as the hash (RFC 7518 §3.5); 6 is RSA_PKCS1_PSS_PADDING.
  ['PS256', { hash: 'sha256', options: { padding: 6, saltLength: 32 } }],
  ['PS384', { hash: 'sha384', options: { padding: 6, saltLength: 48 } }],
  ['PS512', { hash: 'sha512', options: { padding: 6, saltLength: 64 } }],
  // JWS wants r || s, not DER (RFC 7518 §3.4).
  ['ES256', { hash: 'sha256', options: { dsaEncoding: 'ieee-p1363' } }],
  ['ES384', { hash: 'sha384', options: { dsaEncoding: 'ieee-p1363' } }],
  ['ES512', { hash: 'sha512', options: { dsaEncoding: 'ieee-p1363' } }],
]);

/**
 * One signing key as oidc-provider's external-signing feature takes it. oidc-provider's own path
 * signs through jose and WebCrypto: the signature runs on libuv's thread pool, and each one pays
 * WebCrypto's argument checks, a promise job and a thread hand-off on top of the arithmetic.
 * Measured apart on the bench machine, that is 88–113 µs of CPU per ES256 signature against
 * 51 µs with `crypto.sign` here, and 306–319 against 255–264 µs for RS256 (docs/benchmarks.md,
 * 2026-12-06); every SSO hop and every refresh signs one ID token. The signature is the same
 * bytes-for-bytes kind (PKCS#1 v1.5 and ECDSA are checked by any JWS verifier; ECDSA is
 * randomised either way). The private key stays inside this object: nothing else in the
 * process sees `d` once the provider is built.
 */
export class HubSigningKey extends ExternalSigningKey {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #hash: string;
  readonly #options: { padding?: number; saltLength?: number; dsaEncoding?: 'ieee-p1363' } | undefined;
  #kid: string | undefined;
  #alg: string | undefined;

  constructor(jwk: PrivateJwk & { alg: string }) {
    super();
    const how = SIGNING.get(jwk.alg);
    if (!how) throw new TypeError(`HubSigningKey: no node:crypto signing for ${jwk.alg}`);
    this.#privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
    this.#publicKey = createPublicKey(this.#privateKey);
    this.#hash = how.hash;
    this.#options = how.options;
    this.#kid = typeof jwk.kid === 'string' ? jwk.kid : undefined;
    this.#alg = jwk.alg;
  }

  // oidc-provider may fill in kid or alg when it registers the key, so both can be set.
  override get kid(): string | undefined {
    return this.#kid;
  }
  override set kid(value: string | undefined) {
    this.#kid = value;
  }
  override get alg(): string | undefined {
    return this.#alg;
  }
  override set alg(value: string | undefined) {
    this.#alg = value;
  }

  /** The public half: what oidc-provider publishes in its JWKS and verifies its own tokens with. */
  override keyObject(): KeyObject {
    return this.#publicKey;
  }

  override sign(data: Uint8Array): Uint8Array {
    return sign(this.#hash, data, this.#options ? { key: this.#privateKey, ...this.#options } : this.#privateKey);
  }
}

/**
 * The provider's `jwks.keys`: each private JWK with an algorithm node:crypto signs becomes a
 * HubSigningKey; anything else (no `alg`, an algorithm not above) stays a JWK for oidc-provider's
 * own path. Order is kept: oidc-provider signs with the first key of the requested algorithm.
 */
export function providerSigningKeys(keys: readonly PrivateJwk[]): (PrivateJwk | HubSigningKey)[] {
  return keys.map((jwk) => (typeof jwk.alg === 'string' && SIGNING.has(jwk.alg) ? new HubSigningKey(jwk as PrivateJwk & { alg: string }) : jwk));
}
