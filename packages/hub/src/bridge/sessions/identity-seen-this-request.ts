/**
 * Owns the one shortcut the provider's account lookup takes within a request: the identity Kratos
 * has just shown for the browser's own session, instead of asking Kratos' admin API again.
 */
import type { Session } from '../../kratos/kratos-client.ts';
import { currentBridgeFacts } from '../adapter/request-scope.ts';
import { loginFactsOf } from '../interactions/login-facts.ts';
import { MAX_VERIFIED_REUSE_SECONDS } from './session-checks.ts';

/**
 * The identity Kratos showed for this request's browser session, if it is `sub`'s: the one the
 * `/auth` re-check recorded (provider-hooks.ts), or, at the resume that follows a sign-in, the one
 * the login interaction read with `whoami` (login-facts.ts) while it is under 60 s old and its
 * Kratos session has not expired. Nothing with the bridge's shortcuts off.
 */
export function identitySeenThisRequest(interactionResult: unknown, sub: string): Session['identity'] | undefined {
  const facts = currentBridgeFacts();
  if (!facts?.shortcuts) return undefined;
  if (facts.kratos.kind === 'bound') return facts.kratos.identity?.id === sub ? facts.kratos.identity : undefined;
  const login = loginFactsOf(interactionResult);
  // A result without a time (written by an older hub) is not reused: Kratos is asked again.
  if (!login?.identity || login.identity.id !== sub || login.verifiedAt === undefined) return undefined;
  const now = Date.now();
  const fresh = now - login.verifiedAt <= MAX_VERIFIED_REUSE_SECONDS * 1000;
  const sessionLive = !login.sessionExpiresAt || Date.parse(login.sessionExpiresAt) > now;
  return fresh && sessionLive ? login.identity : undefined;
}
