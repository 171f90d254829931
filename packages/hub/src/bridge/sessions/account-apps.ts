/**
 * Owns what the account page (issue #20) sees and ends of the client apps that hold a grant for
 * one account: listed from the identity's bound provider sessions, revoked per app with its
 * tokens, its authorization in those sessions and a back-channel logout so the app's own session
 * ends too.
 */
import type Provider from 'oidc-provider';
import type { ClientRegistry } from '../../clients/client-registry.ts';
import type { AdapterFactory } from '../adapter/create-adapter-factory.ts';
import type { BackchannelDeliverer } from '../logout/backchannel-deliverer.ts';
import { GRANT_MODELS } from '../provider/provider-internals.ts';
import type { SessionBindings } from './session-bindings.ts';

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
type ProviderSession = InstanceType<Provider['Session']>;

/**
 * AccountApps reads the account's provider sessions through the session bindings (indexed by
 * identity), so listing costs the account's own sessions, never a scan of every grant. A grant
 * whose provider session has already expired (an offline refresh token outliving it) is not in
 * any binding and so neither listed nor revoked here; it ends with its own expiry or when the
 * client is deleted (Bridge.revokeClient).
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
    const byClient = new Map<string, { grantIds: Set<string> }>();
    for (const { authorizations } of await this.sessionsOf(identityId)) {
      for (const [clientId, auth] of authorizations) {
        const entry = byClient.get(clientId) ?? { grantIds: new Set<string>() };
        if (auth.grantId) entry.grantIds.add(auth.grantId);
        byClient.set(clientId, entry);
      }
    }
    const apps: AccountApp[] = [];
    for (const [clientId, { grantIds }] of byClient) {
      const found = (await Promise.all([...grantIds].map((g) => this.o.adapters('Grant').find(g)))) as unknown as (GrantPayload | undefined)[];
      const grants = found.filter((g): g is GrantPayload => !!g && g.accountId === identityId && g.clientId === clientId);
      // An authorization whose grant is gone (revoked, expired) holds nothing any more.
      if (grants.length === 0) continue;
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
   * for that sid (the deliverer retries it). Returns how many provider sessions had the app.
   */
  async revoke(identityId: string, clientId: string, reason: string): Promise<number> {
    let count = 0;
    for (const { session, authorizations } of await this.sessionsOf(identityId)) {
      const auth = authorizations.find(([c]) => c === clientId)?.[1];
      if (!auth) continue;
      count++;
      if (auth.grantId) await this.revokeGrant(auth.grantId);
      session.authorizations = Object.fromEntries(authorizations.filter(([c]) => c !== clientId));
      await session.persist();
      if (auth.sid) await this.o.deliverer.deliver({ clientId, accountId: identityId, sid: auth.sid, attempt: 1, reason });
    }
    return count;
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
