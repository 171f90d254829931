/**
 * Owns what the account page (issue #20) sees and ends of the client apps that hold a grant for
 * one account: listed from the identity's bound provider sessions and the account's index of
 * grants, revoked per app with its tokens, its authorization in those sessions and a back-channel
 * logout so the app's own session ends too.
 */
import type Provider from 'oidc-provider';
import type { ClientRegistry } from '../../clients/client-registry.ts';
import type { AdapterFactory } from '../adapter/create-adapter-factory.ts';
import type { BackchannelDeliverer } from '../logout/backchannel-deliverer.ts';
import { GRANT_MODELS } from '../provider/provider-internals.ts';
import type { SessionBindings } from './session-bindings.ts';

/** What removing an app's access ended. */
export interface AppRevocation {
  /** Provider sessions that had the app (each gets a back-channel logout). */
  providerSessions: number;
  /** Grants revoked, with their codes and tokens: those sessions' and any that outlived theirs. */
  grants: number;
}

/** One client app that holds a grant for an account, as the account page shows it. */
export interface AccountApp {
  clientId: string;
  /** client_name, else the client_id; the client_id alone when the client is no longer registered. */
  name: string;
  /** Epoch seconds of the earliest live grant. */
  grantedAt: number | undefined;
  /** The scopes granted, every grant together, sorted. */
  scopes: string[];
}

type Authorization = { sid?: string; grantId?: string };
/** What the account page reads of a stored Grant (oidc-provider's payload). */
type GrantPayload = { accountId?: string; clientId?: string; iat?: number; openid?: { scope?: string } };
type ClientGrant = GrantPayload & { clientId: string };
type ProviderSession = InstanceType<Provider['Session']>;

/**
 * AccountApps finds an account's grants two ways: through its live provider sessions (the
 * session bindings, indexed by identity), whose authorizations name the grant and the sid a
 * back-channel logout needs; and through the Grant store's index by account (grantsOfAccount),
 * which alone still holds a grant whose provider session has expired, as an offline_access
 * refresh token outlives the sign-in. Either way listing costs the account's own sessions and
 * grants, never a scan of every grant.
 */
export class AccountApps {
  private readonly o: {
    provider: Provider;
    bindings: SessionBindings;
    deliverer: BackchannelDeliverer;
    adapters: AdapterFactory;
    clients: ClientRegistry;
  };

  constructor(o: AccountApps['o']) {
    this.o = o;
  }

  async list(identityId: string): Promise<AccountApp[]> {
    const [sessions, indexed] = await Promise.all([this.sessionsOf(identityId), this.o.adapters('Grant').grantsOfAccount(identityId)]);
    const grantIds = new Set(indexed);
    for (const { authorizations } of sessions) for (const [, auth] of authorizations) if (auth.grantId) grantIds.add(auth.grantId);
    // Grouped by the grant's own client: an authorization whose grant is gone (revoked, expired)
    // holds nothing any more, and lists no app.
    const byClient = new Map<string, GrantPayload[]>();
    for (const grant of (await this.grantsOf(identityId, grantIds)).values()) {
      const grants = byClient.get(grant.clientId) ?? [];
      grants.push(grant);
      byClient.set(grant.clientId, grants);
    }
    const apps: AccountApp[] = [];
    for (const [clientId, grants] of byClient) {
      const scopes = new Set<string>();
      for (const g of grants) for (const s of (g.openid?.scope ?? '').split(' ')) if (s) scopes.add(s);
      const iats = grants.map((g) => g.iat).filter((n): n is number => typeof n === 'number');
      const registered = await this.o.clients.find(clientId);
      const name = registered && typeof registered.metadata.client_name === 'string' && registered.metadata.client_name !== '' ? registered.metadata.client_name : clientId;
      apps.push({ clientId, name, grantedAt: iats.length ? Math.min(...iats) : undefined, scopes: [...scopes].sort() });
    }
    return apps.sort((a, b) => a.name.localeCompare(b.name) || a.clientId.localeCompare(b.clientId));
  }

  /**
   * Revokes what `clientId` holds for the account in every provider session of the identity: each
   * grant with its codes, access and refresh tokens, the session's authorization for the client
   * (its sid, so a later sign-out does not name the app again), and queues a back-channel logout
   * for that sid (the deliverer retries it). Then every other grant of the app in the account's
   * index, with its tokens: its provider session is gone, so there is no sid to log out of; the
   * app learns of it when its refresh token is refused. Returns how many provider sessions had
   * the app and how many grants of it were revoked (both 0 when the app held nothing).
   */
  async revoke(identityId: string, clientId: string, reason: string): Promise<AppRevocation> {
    const [sessions, indexed] = await Promise.all([this.sessionsOf(identityId), this.o.adapters('Grant').grantsOfAccount(identityId)]);
    let providerSessions = 0;
    const named = new Set<string>();
    for (const { session, authorizations } of sessions) {
      const auth = authorizations.find(([c]) => c === clientId)?.[1];
      if (!auth) continue;
      providerSessions++;
      if (auth.grantId) {
        named.add(auth.grantId);
        await this.revokeGrant(auth.grantId);
      }
      session.authorizations = Object.fromEntries(authorizations.filter(([c]) => c !== clientId));
      await session.persist();
      if (auth.sid) await this.o.deliverer.deliver({ clientId, accountId: identityId, sid: auth.sid, attempt: 1, reason });
    }
    const outlived = [...(await this.grantsOf(identityId, indexed.filter((g) => !named.has(g))))].filter(([, g]) => g.clientId === clientId);
    for (const [grantId] of outlived) await this.revokeGrant(grantId);
    return { providerSessions, grants: named.size + outlived.length };
  }

  /** The grants among `grantIds` still stored for the account, each with its client. */
  private async grantsOf(identityId: string, grantIds: Iterable<string>): Promise<Map<string, ClientGrant>> {
    const ids = [...grantIds];
    const found = (await Promise.all(ids.map((g) => this.o.adapters('Grant').find(g)))) as unknown as (GrantPayload | undefined)[];
    const out = new Map<string, ClientGrant>();
    ids.forEach((g, i) => {
      const grant = found[i];
      if (grant?.accountId === identityId && typeof grant.clientId === 'string') out.set(g, grant as ClientGrant);
    });
    return out;
  }

  private async sessionsOf(identityId: string): Promise<{ session: ProviderSession; authorizations: [string, Authorization][] }[]> {
    const out: { session: ProviderSession; authorizations: [string, Authorization][] }[] = [];
    for (const kratosSessionId of await this.o.bindings.kratosSessionsOf(identityId)) {
      for (const uid of await this.o.bindings.uidsOf(kratosSessionId)) {
        const session = await this.o.provider.Session.findByUid(uid);
        if (!session || session.accountId !== identityId) continue;
        out.push({ session, authorizations: Object.entries(session.authorizations ?? {}) as [string, Authorization][] });
      }
    }
    return out;
  }

  // As KratosBoundSessions revokes a grant: every artefact issued under it, then the grant itself.
  private async revokeGrant(grantId: string): Promise<void> {
    await Promise.all([...GRANT_MODELS.map((m) => this.o.adapters(m).revokeByGrantId(grantId)), this.o.adapters('Grant').destroy(grantId)]);
  }
}
