/**
 * Owns the verified-address policy's question (`bridge.requireVerifiedEmail`, decision 0016):
 * would the app receive an `email` claim whose address the user has not verified?
 */
import type { Identity } from '../../kratos/kratos-client.ts';
import type { ClaimMapping } from '../bridge-config.ts';
import { buildAccountClaims } from '../claims/account-claims.ts';

/**
 * The address an app would receive with `email_verified: false`, or undefined when there is
 * none: the policy is off, no trait is mapped to `email`, the identity has no such trait, or the
 * address is verified. Asked through the claims themselves, so the policy and what apps see
 * cannot disagree about which address counts.
 */
export function unverifiedEmail(
  identity: Pick<Identity, 'id' | 'traits' | 'verifiable_addresses'>,
  { required, claims }: { required: boolean; claims: readonly ClaimMapping[] },
): string | undefined {
  if (!required) return undefined;
  const scopes = new Set(claims.filter((c) => c.claim === 'email').map((c) => c.scope));
  const released = buildAccountClaims(identity, scopes, claims);
  return released.email_verified === false && typeof released.email === 'string' ? released.email : undefined;
}
