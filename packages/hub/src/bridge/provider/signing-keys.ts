/**
 * Owns the provider's signing keys: the configured ones, an ephemeral pair in development, and
 * fresh keys for configuration files (`ssohub keys`).
 */
import { exportJWK, generateKeyPair } from 'jose';
import type { Logger } from 'pino';

export type PrivateJwk = Record<string, unknown>;

/**
 * oidc-provider signs with the first key of the requested algorithm and publishes every key in
 * its JWKS, so rotation is: put the new key first, keep the old one after it until the tokens it
 * signed have expired, then drop it.
 * Without configured keys (development only: production refuses this in checkConfig) an
 * ephemeral ES256 + RS256 pair is generated: tokens do not survive a restart and hub instances
 * do not trust each other's tokens, so it is announced loudly.
 */
export async function loadSigningKeys(configured: readonly PrivateJwk[], log: Logger): Promise<PrivateJwk[]> {
  if (configured.length > 0) return configured.map((k) => ({ use: 'sig', ...k }));
  log.warn(
    'ssohub WARNING: bridge.signingKeys is empty, so ephemeral ES256 and RS256 signing keys were generated. ID tokens stop verifying after a restart and other hub instances will not accept them. Configure bridge.signingKeys (SSOHUB_SIGNING_KEYS_FILE) outside development.',
  );
  return Promise.all(
    (['RS256', 'ES256'] as const).map(async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
      return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `ephemeral-${alg.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}` };
    }),
  );
}

/**
 * A fresh private JWK for configuration files and tests (`ssohub keys generate` and `keys rotate`
 * use it). `iat` records when it was made, so `ssohub doctor` can say how old each key is.
 * RSA keys are 2048 bits: what RS256 verifiers expect, and a signature costs a quarter of a
 * 4096-bit one on the token endpoint's hot path (docs/benchmarks.md).
 */
export async function generateSigningKey(alg: SigningAlgorithm, kid: string): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid, iat: Math.floor(Date.now() / 1000) };
}

/** The algorithms the hub signs with: ES256 (the onboarding default) and RS256 (always present). */
export const SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
