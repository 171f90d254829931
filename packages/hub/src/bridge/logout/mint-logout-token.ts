/**
 * Owns the logout token the hub signs without sending it (Bridge.mintLogoutToken): the isolation
 * audit posts it to a client's back-channel endpoint, so it must be the token a real logout sends.
 */
import { randomBytes } from 'node:crypto';
import type Provider from 'oidc-provider';

const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * mintLogoutToken signs a back-channel logout token for `clientId` exactly as oidc-provider does
 * in `Client#backchannelLogout`: the provider's own `IdToken` model with `use: 'logout'`, so the
 * header (`typ: logout+jwt`, the provider's `kid` for the client's ID token algorithm) and the
 * claims (`iss`, `aud`, `iat`, `exp` = iat + 120, `jti`, `events`, `sid` and/or `sub`) are the
 * ones clients receive on a real logout. It only signs; nothing is sent.
 */
export async function mintLogoutToken(provider: Provider, clientId: string, target: { sid?: string; sub?: string }): Promise<string> {
  if (!target.sid && !target.sub) throw new TypeError('mintLogoutToken: give sid or sub (a logout token names at least one)');
  const client = await provider.Client.find(clientId);
  if (!client) throw new TypeError(`mintLogoutToken: no client "${clientId}"`);
  // biome-ignore lint/suspicious/noExplicitAny: the IdToken model is public on the provider but untyped for use 'logout'
  const token: any = new (provider as any).IdToken(target.sub ? { sub: target.sub } : {}, { client, ctx: undefined });
  token.mask = { sub: null };
  token.set('events', { [BACKCHANNEL_LOGOUT_EVENT]: {} });
  token.set('jti', randomBytes(16).toString('base64url'));
  if (target.sid) token.set('sid', target.sid);
  return (await token.issue({ use: 'logout' })) as string;
}
