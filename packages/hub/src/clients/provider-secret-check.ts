/**
 * @file Client secrets as digests at the provider's door, through oidc-provider's
 * `Client#compareClientSecret` (replaced in bridge/provider/provider-internals.ts). Why: the provider authenticates client_secret_basic and
 * client_secret_post by comparing the presented secret with the client metadata's
 * `client_secret` (`constantEquals(this.clientSecret, actual)`), so it can only check a secret it
 * holds in clear. The client registry stores secrets of onboarded clients as digests
 * (client-secret.ts, decision 0012); this makes the provider's check hash the presented secret
 * and compare digests, and keeps static clients (clear secrets from the configuration file)
 * working. Checked against oidc-provider 9.x `lib/shared/client_auth.js`: for both methods it
 * awaits `ctx.oidc.client.compareClientSecret(clientSecret)` and refuses with invalid_client when
 * it is false. If a later version compared elsewhere, clients with a digest would fail to
 * authenticate (closed, not open) and test/integration/client-secrets-hashed.test.ts says so.
 *
 * The provider also derives symmetric (HS*) keys from `client_secret` for client_secret_jwt,
 * request objects, JWT userinfo/introspection/response modes and encryption; the hub enables none
 * of them (create-provider.ts), and the registry refuses client_secret_jwt and HS* ID tokens.
 */
import type Provider from 'oidc-provider';
import { replaceClientSecretCheck } from '../bridge/provider/provider-internals.ts';
import { clientSecretMatches } from './client-secret.ts';

/** From now on, this provider checks presented client secrets against stored digests. */
export function checkClientSecretsAgainstDigests(provider: Provider): void {
  replaceClientSecretCheck(provider, (stored, presented) => typeof stored === 'string' && clientSecretMatches(stored, presented));
}
