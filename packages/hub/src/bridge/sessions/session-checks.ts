/**
 * Owns the checks that keep a live provider session subordinate to its Kratos session
 * (invariant 3): the binding between the two, the re-check of a browser at /auth, the account
 * lookup behind a token, and the reads ahead that make those checks cost one round trip.
 * Built before the provider, which asks it for accounts; ending sessions is KratosBoundSessions.
 */
import type { AdapterPayload } from 'oidc-provider';
import type { KratosClient, Session } from '../../kratos/kratos-client.ts';
import type { ModelStore } from '../adapter/model-store.ts';
import { currentBridgeFacts } from '../adapter/request-scope.ts';
import type { SessionBindings } from './session-bindings.ts';

/** The longest a Kratos check stands in for another (at the code exchange, at a resume). */
export const MAX_VERIFIED_REUSE_SECONDS = 60;

export class SessionChecks {
  private readonly o: {
    kratos: KratosClient;
    bindings: SessionBindings;
    sessionTtl: number;
    /** Lifetime of authorization codes, in seconds (how long a verification is reused). */
    codeTtl: number;
  };

  constructor(o: SessionChecks['o']) {
    this.o = o;
  }

  /**
   * Called with each artefact a request reads by id (createAdapterFactory's readAhead). When it is a
   * code, refresh token or access token, the reads its handler makes next are sent at once: the
   * grant, the provider session it expires with, and for the account lookup the verification
   * noted at /auth (code) or the binding to the Kratos session (refresh token). Sent together,
   * they travel in one Redis write (ioredis auto-pipelining) and the handler finds them in the
   * request scope, instead of waiting for one round trip after another. Access tokens are also
   * introspected, which needs no binding: none is read for them.
   */
  readonly readAhead = (model: string, token: AdapterPayload, adapters: (name: string) => ModelStore): void => {
    if (model !== 'AuthorizationCode' && model !== 'RefreshToken' && model !== 'AccessToken') return;
    // Shortcuts off: the handler reads each of these itself, one round trip after another.
    if (!currentBridgeFacts()?.shortcuts) return;
    const ignore = () => {};
    if (token.grantId) adapters('Grant').find(token.grantId).catch(ignore);
    const uid = token.sessionUid;
    if (!uid) return;
    if (token.expiresWithSession) adapters('Session').findByUid(uid).catch(ignore);
    if (model === 'AuthorizationCode') this.o.bindings.recentlyVerified(uid).catch(ignore);
    else if (model === 'RefreshToken') this.o.bindings.find(uid).catch(ignore);
  };

  async bind(uid: string, kratosSessionId: string, accountId: string): Promise<void> {
    await this.o.bindings.bind({ uid, kratosSessionId, accountId }, this.o.sessionTtl);
  }

  async kratosSessionOf(uid: string): Promise<string | undefined> {
    return (await this.o.bindings.find(uid))?.kratosSessionId;
  }

  /**
   * Whether the provider session `uid` of `accountId` is bound to the browser's current Kratos
   * session, with the browser's Kratos session as last seen. `browser` is Kratos' `whoami` answer
   * for the browser, which may still be on its way: the binding is read meanwhile, so the check
   * costs the slower of the two, not both.
   *
   * "No session" from whoami is not taken at its word while the binding names a session: Kratos
   * v1.3.1 answers 401 to whoami for any failure, its database's included (a terminated
   * PostgreSQL connection reads as "signed out"), and ending the provider session on that would
   * revoke every grant of a user who never signed out. So the bound session is asked about
   * through the admin API, which answers 500 for such failures (thrown: the request fails with
   * 503 and the session stays). If it lives, whoami is asked once more (`askAgain`): a browser
   * that really no longer carries it (cookies cleared, another Kratos session since) gets its
   * second 401.
   */
  async isBoundToBrowser(
    uid: string,
    accountId: string,
    browser: Promise<Session | undefined>,
    askAgain?: () => Promise<Session | undefined>,
  ): Promise<{ bound: boolean; browser: Session | undefined }> {
    const [binding, first] = await Promise.all([this.o.bindings.find(uid), browser]);
    let current = first;
    if (!binding || binding.accountId !== accountId) return { bound: false, browser: current };
    if (!current && askAgain) {
      const bound = await this.o.kratos.getSession(binding.kratosSessionId);
      if (isLiveKratosSession(bound) && bound?.identity?.id === accountId) current = await askAgain();
    }
    const bound = !!current && current.active !== false && current.id === binding.kratosSessionId && current.identity?.id === accountId;
    return { bound, browser: current };
  }

  /**
   * The identity behind a provider session when its bound Kratos session still lives (one Kratos
   * admin call, the identity expanded), or undefined.
   */
  async liveIdentity(uid: string, accountId: string): Promise<Session['identity'] | undefined> {
    const id = (await this.o.bindings.find(uid))?.kratosSessionId;
    if (!id) return undefined;
    const s = await this.o.kratos.getSession(id);
    return isLiveKratosSession(s) && s?.identity?.id === accountId ? s.identity : undefined;
  }

  /**
   * See SessionBindings.noteVerified: kept while an authorization code lives, never beyond 60 s
   * after Kratos was asked (`verifiedAt`, ms; whatever bridge.ttl.authorizationCode says) and
   * never beyond the Kratos session's expiry.
   */
  async noteVerified(
    uid: string,
    identity: NonNullable<Session['identity']>,
    sessionExpiresAt: string | undefined,
    verifiedAt: number = Date.now(),
  ): Promise<void> {
    const { id, state, traits, verifiable_addresses } = identity;
    const expires = sessionExpiresAt ? Date.parse(sessionExpiresAt) : Number.NaN;
    const ttl = Math.min(this.o.codeTtl, MAX_VERIFIED_REUSE_SECONDS) - Math.ceil((Date.now() - verifiedAt) / 1000);
    if (ttl <= 0) return;
    await this.o.bindings.noteVerified(
      uid,
      { accountId: id, identity: { id, state, traits, verifiable_addresses }, sessionExpiresAt: Number.isFinite(expires) ? expires : undefined },
      ttl,
    );
  }

  async recentlyVerified(uid: string, accountId: string) {
    const v = await this.o.bindings.recentlyVerified(uid);
    if (!v || v.accountId !== accountId) return undefined;
    if (v.sessionExpiresAt !== undefined && v.sessionExpiresAt <= Date.now()) return undefined;
    return v.identity;
  }
}

/** Whether Kratos' answer is a session that is active and not expired. */
export function isLiveKratosSession(s: Session | undefined): boolean {
  if (!s || s.active === false) return false;
  return !s.expires_at || Date.parse(s.expires_at) > Date.now();
}
