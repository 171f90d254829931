/**
 * Owns the end of provider sessions when their Kratos session ends (invariant 3): grants revoked,
 * back-channel logout to every client that took part, the binding forgotten.
 */
import type Provider from 'oidc-provider';
import type { AuditLog } from '../../audit/audit-log.ts';
import type { KratosClient } from '../../kratos/kratos-client.ts';
import { GRANT_MODELS } from '../provider/provider-internals.ts';
import type { AdapterFactory } from '../adapter/create-adapter-factory.ts';
import type { SessionBinding } from '../bridge.ts';
import type { BackchannelDeliverer } from '../logout/backchannel-deliverer.ts';
import type { SessionBindings } from './session-bindings.ts';

type ProviderSession = InstanceType<Provider['Session']>;


/** How many grants revokeClient revokes at once. */
const REVOKE_BATCH = 50;

/**
 * KratosBoundSessions also answers for provider sessions to the admin API (listBindings,
 * revokeClient). The checks that keep a provider session subordinate to its Kratos session while
 * it lives are SessionChecks (session-checks.ts).
 */
export class KratosBoundSessions {
  private readonly o: {
    provider: Provider;
    kratos: KratosClient;
    bindings: SessionBindings;
    deliverer: BackchannelDeliverer;
    adapters: AdapterFactory;
    audit: AuditLog;
  };

  constructor(o: KratosBoundSessions['o']) {
    this.o = o;
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
