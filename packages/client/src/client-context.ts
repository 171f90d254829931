import type { JWTVerifyGetKey } from 'jose';
import type { Configuration } from 'openid-client';
import type { ResolvedOptions } from './options.ts';

/**
 * ClientContext is what every step of the client shares, built once by `createSsoClient`:
 * the checked options, the openid-client Configuration from discovery, the hub's key set and
 * the cookie names. Internal: apps use the `SsoClient` methods.
 */
export interface ClientContext {
  options: ResolvedOptions;
  config: Configuration;
  issuer: string;
  jwks: JWTVerifyGetKey;
  /** Algorithms accepted on logout tokens, from discovery (never `none` or HMAC). */
  logoutTokenAlgorithms: string[];
  sessionCookie: string;
  transactionCookie: string;
  /** Refreshes in flight in this process, by session id (one network call per session). */
  refreshing: Map<string, Promise<unknown>>;
}

/** nowSeconds is the current time in whole seconds since the epoch. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
