import type { AdapterPayload } from 'oidc-provider';
import type Provider from 'oidc-provider';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { KratosClient, Session } from '../../kratos/kratos-client.ts';
import type { AdapterFactory } from '../adapter/create-adapter-factory.ts';
import type { SessionBinding } from '../bridge.ts';
import type { BackchannelDeliverer } from '../logout/backchannel-deliverer.ts';
import type { SessionBindings } from './session-bindings.ts';

type ProviderSession = InstanceType<Provider['Session']>;

/** The longest a Kratos check stands in for another (at the code exchange, at a resume). */
export const MAX_VERIFIED_REUSE_SECONDS = 60;

/** Models whose artefacts a grant can have issued (oidc-provider's helpers/revoke.js list). */
const GRANT_MODELS = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'];

/** How many grants revokeClient revokes at once. */
const REVOKE_BATCH = 50;

/**
 * KratosBoundSessions keeps provider sessions subordinate to Kratos sessions (invariant 3): it
 * checks a provider session against its bound Kratos session, and ends provider sessions (grants
 * revoked, back-channel logout to every client that took part) when their Kratos session ends.
 */
export class KratosBoundSessions {
  private readonly o: {
    provider: Provider;
    kratos: KratosClient;
    bindings: SessionBindings;
    deliverer: BackchannelDeliverer;
    adapters: AdapterFactory;
    audit: AuditLog;
    sessionTtl: number;
    /** Lifetime of authorization codes, in seconds (how long a verification is reused). */
    codeTtl: number;
  };

  constructor(o: KratosBoundSessions['o']) {
    this.o = o;
  }

  /**
   * Called with each artefact a request reads by id (AdapterFactory.readAhead). When it is a
   * code, refresh token or access token, the reads its handler makes next are sent at once: the
   * grant, the provider session it expires with, and for the account lookup the verification
   * noted at /auth (code) or the binding to the Kratos session (refresh token). Sent together,
   * they travel in one Redis write (ioredis auto-pipelining) and the handler finds them in the
   * request scope, instead of waiting for one round trip after another. Access tokens are also
   * introspected, which needs no binding: none is read for them.
   */
  readonly readAhead = (model: string, token: AdapterPayload): void => {
    if (model !== 'AuthorizationCode' && model !== 'RefreshToken' && model !== 'AccessToken') return;
    const ignore = () => {};
    if (token.grantId) this.o.adapters('Grant').find(token.grantId).catch(ignore);
    const uid = token.sessionUid;
    if (!uid) return;
    if (token.expiresWithSession) this.o.adapters('Session').findByUid(uid).catch(ignore);
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
      if (isLive(bound) && bound?.identity?.id === accountId) current = await askAgain();
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
    return isLive(s) && s?.identity?.id === accountId ? s.identity : undefined;
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

  /** Ends one provider session: grants revoked, back-channel logout sent, session destroyed. */
  async endProviderSession(session: ProviderSession, reason: string): Promise<void> {
    const accountId = session.accountId;
    const authorizations = Object.entries(session.authorizations ?? {}) as [string, { sid?: string; grantId?: string }][];
    await Promise.all(
      authorizations.map(async ([clientId, auth]) => {
        if (auth.grantId) await this.revokeGrant(auth.grantId);
        if (accountId && auth.sid) await this.o.deliverer.deliver({ clientId, accountId, sid: auth.sid, attempt: 1, reason });
      }),
    );
    await session.destroy();
    await this.o.bindings.unbind(session.uid);
    this.o.audit.record({
      type: 'bridge.session.ended',
      actor: 'system',
      subject: accountId,
      outcome: 'success',
      reason,
      providerSessionUid: session.uid,
      clients: authorizations.map(([c]) => c),
    });
  }

  /**
   * Ends every provider session bound to a Kratos session, then revokes the Kratos session itself
   * (unless it is already known to be gone).
   */
  async endKratosSession(kratosSessionId: string, reason: string, { revokeKratos = true }: { revokeKratos?: boolean } = {}): Promise<void> {
    const uids = await this.o.bindings.uidsOf(kratosSessionId);
    let identityId: string | undefined;
    for (const uid of uids) {
      const session = await this.o.provider.Session.findByUid(uid);
      if (session) {
        identityId ??= session.accountId;
        await this.endProviderSession(session, reason);
      } else {
        await this.o.bindings.unbind(uid);
      }
    }
    if (revokeKratos) {
      const ks = await this.o.kratos.getSession(kratosSessionId);
      identityId ??= ks?.identity?.id;
      if (ks) await this.o.kratos.revokeSession(kratosSessionId);
    }
    await this.o.bindings.forgetKratosSession(kratosSessionId, identityId);
    this.o.audit.record({
      type: 'bridge.kratos_session.ended',
      actor: 'system',
      subject: identityId,
      outcome: 'success',
      reason,
      kratosSessionId,
      providerSessions: uids.length,
    });
  }

  async listBindings(identityId: string): Promise<SessionBinding[]> {
    const out: SessionBinding[] = [];
    for (const kratosSessionId of await this.o.bindings.kratosSessionsOf(identityId)) {
      for (const uid of await this.o.bindings.uidsOf(kratosSessionId)) {
        const session = await this.o.provider.Session.findByUid(uid);
        if (!session || session.accountId !== identityId) continue;
        out.push({
          kratosSessionId,
          providerSessionUid: uid,
          accountId: identityId,
          authTime: session.loginTs,
          clients: Object.entries(session.authorizations ?? {}).map(([clientId, a]) => ({
            clientId,
            sid: (a as { sid: string }).sid,
            grantId: (a as { grantId?: string }).grantId,
          })),
        });
      }
    }
    return out;
  }

  /**
   * Revokes every live grant of a client (deleted from the registry): each grant's codes, access
   * and refresh tokens, then the grant itself, which also leaves the client's index. Returns how
   * many grants were revoked. A failure leaves the grants not yet revoked in the index. Provider
   * sessions keep their (now dangling) authorization for the client until they end: only the
   * grant behind it counted, and it is gone.
   */
  async revokeClient(clientId: string): Promise<number> {
    const grantIds = await this.o.adapters('Grant').grantsOfClient(clientId);
    // A few at a time: each grant is six store writes, sent together.
    for (let i = 0; i < grantIds.length; i += REVOKE_BATCH) {
      await Promise.all(grantIds.slice(i, i + REVOKE_BATCH).map((g) => this.revokeGrant(g)));
    }
    return grantIds.length;
  }

  private async revokeGrant(grantId: string): Promise<void> {
    await Promise.all([
      ...GRANT_MODELS.map((m) => this.o.adapters(m).revokeByGrantId(grantId)),
      this.o.adapters('Grant').destroy(grantId),
    ]);
  }
}

function isLive(s: Session | undefined): boolean {
  if (!s || s.active === false) return false;
  return !s.expires_at || Date.parse(s.expires_at) > Date.now();
}

export { isLive as isLiveKratosSession };
