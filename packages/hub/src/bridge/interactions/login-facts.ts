/**
 * Owns what a finished login interaction hands to the resume request that follows it: the Kratos
 * session that signed the browser in, and the identity Kratos showed for it when.
 *
 * It rides in the interaction result, under one key of the hub's own, because that result is the
 * one record oidc-provider carries from the interaction page to the resume request across the
 * browser's redirect (it is stored with the Interaction). Keeping it anywhere else would cost a
 * store write and a read on every sign-in for the same data. Only this module writes or reads it.
 */
import type { Session } from '../../kratos/kratos-client.ts';

export interface LoginFacts {
  /** The account the interaction signed in (the result's login.accountId). */
  accountId: string;
  kratosSessionId: string;
  /** The identity Kratos showed; absent or another account's, it is not reused. */
  identity: Session['identity'] | undefined;
  /** Kratos' expiry of the session (ISO 8601), if it has one. */
  sessionExpiresAt: string | undefined;
  /** When Kratos was asked (ms since the epoch); absent in results of hubs before 2026-12. */
  verifiedAt: number | undefined;
}

type StoredFacts = Omit<LoginFacts, 'accountId'>;

const KEY = 'ssohub';

/** The interaction result of a sign-in answered by the browser's live Kratos session. */
export function loginResult(
  login: { accountId: string; acr: string; amr: string[]; ts: number },
  session: { id: string; identity: NonNullable<Session['identity']>; expires_at?: string },
): Record<string, unknown> {
  const facts: StoredFacts = { kratosSessionId: session.id, identity: session.identity, sessionExpiresAt: session.expires_at, verifiedAt: Date.now() };
  return { login: { ...login, remember: true }, [KEY]: facts };
}

/** The facts a login interaction left in `result`, if it signed an account in with them. */
export function loginFactsOf(result: unknown): LoginFacts | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const r = result as { login?: { accountId?: unknown }; [KEY]?: Partial<StoredFacts> };
  const facts = r[KEY];
  const accountId = r.login?.accountId;
  if (!facts || typeof accountId !== 'string' || typeof facts.kratosSessionId !== 'string') return undefined;
  return {
    accountId,
    kratosSessionId: facts.kratosSessionId,
    identity: facts.identity?.id === accountId ? facts.identity : undefined,
    sessionExpiresAt: typeof facts.sessionExpiresAt === 'string' ? facts.sessionExpiresAt : undefined,
    verifiedAt: typeof facts.verifiedAt === 'number' ? facts.verifiedAt : undefined,
  };
}
