import { type ClientContext, nowSeconds } from '../client-context.ts';
import { readCookie } from './session-cookie.ts';
import { sessionIdFor } from './session-id.ts';
import type { SsoSession } from './session-record.ts';

/**
 * loadSession is the per-request hot path: one cookie scan, one SHA-256, one store round trip
 * (Redis `GETEX`, which also slides the idle timeout). No JWT is verified here: the tokens were
 * checked once at sign-in and the store is trusted.
 */
export async function loadSession(ctx: ClientContext, cookieHeader: string | undefined | null): Promise<SsoSession | undefined> {
  const secret = readCookie(cookieHeader, ctx.sessionCookie);
  if (!secret || secret.length > 128) return undefined;
  const { store, idleTimeout } = ctx.options;
  const now = nowSeconds();
  // The sliding window never reaches past the absolute end; the record's expiresAt is checked
  // below, so one extra idle window at the very end is harmless.
  const record = await store.get(sessionIdFor(secret), idleTimeout);
  if (!record || record.clientId !== ctx.options.clientId) return undefined;
  if (record.expiresAt <= now) {
    await store.destroy(record.id);
    return undefined;
  }
  return { ...record, idleExpiresAt: Math.min(record.expiresAt, now + idleTimeout) };
}
