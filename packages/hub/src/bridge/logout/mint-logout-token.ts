/**
 * Owns the logout token the hub signs without sending it (Bridge.mintLogoutToken): the isolation
 * audit posts it to a client's back-channel endpoint, so it must be the token a real logout sends.
 */
import type Provider from 'oidc-provider';
import { signLogoutToken } from '../provider/provider-internals.ts';

/**
 * mintLogoutToken signs a back-channel logout token for `clientId` as a real logout would
 * (provider-internals.ts signLogoutToken). It only signs; nothing is sent.
 */
export async function mintLogoutToken(provider: Provider, clientId: string, target: { sid?: string; sub?: string }): Promise<string> {
  if (!target.sid && !target.sub) throw new TypeError('mintLogoutToken: give sid or sub (a logout token names at least one)');
  const client = await provider.Client.find(clientId);
  if (!client) throw new TypeError(`mintLogoutToken: no client "${clientId}"`);
  return signLogoutToken(provider, client, target);
}
