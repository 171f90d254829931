import type { SsoClient } from '@ssohub/client';
import { tokenIntrospection } from 'openid-client';

/** ApiAuthError is a refused bearer token (401) or an unreachable hub (503). */
export class ApiAuthError extends Error {
  override name = 'ApiAuthError';
  readonly status: number;
  constructor(message: string, status: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = status;
  }
}

/** AccessTokenInfo is what /api/me learns about a valid bearer token. */
export interface AccessTokenInfo {
  sub: string;
  scope?: string;
  clientId: string;
}

/**
 * verifyAccessToken asks the hub's introspection endpoint (RFC 7662) about a bearer token and
 * accepts it only if it is active AND was issued to THIS client (`client_id`, and `aud` when
 * present). Introspection rather than local JWT verification, because the hub's access tokens
 * are opaque by default (no resource indicators), and because the hub's answer also reflects
 * revocation at global logout at once; the price is one call to the hub per API request
 * (cache the answer for a few seconds if that matters).
 *
 * @example
 * ```ts
 * const info = await verifyAccessToken(client, bearer); // throws 401 for shop B's tokens
 * ```
 */
export async function verifyAccessToken(client: SsoClient, token: string): Promise<AccessTokenInfo> {
  const refuse = (why: string) => new ApiAuthError(`access token refused: ${why}`, 401);
  let info: Awaited<ReturnType<typeof tokenIntrospection>>;
  try {
    info = await tokenIntrospection(client.configuration, token, { token_type_hint: 'access_token' });
  } catch (cause) {
    throw new ApiAuthError('the hub could not check the access token', 503, cause);
  }
  if (!info.active) throw refuse('not active');
  const clientId = client.options.clientId;
  const aud = info.aud === undefined ? [] : Array.isArray(info.aud) ? info.aud : [info.aud];
  if (info.client_id !== clientId) throw refuse('issued to another client');
  if (aud.length > 0 && !aud.includes(clientId)) throw refuse('audience is another client');
  if (typeof info.sub !== 'string') throw refuse('no subject');
  return { sub: info.sub, clientId, ...(typeof info.scope === 'string' ? { scope: info.scope } : {}) };
}
