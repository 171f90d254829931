/**
 * @file The one module that touches oidc-provider's `Client#backchannelLogout`, which is not
 * part of its documented API. Why: during RP-initiated logout (end_session) oidc-provider POSTs
 * the logout tokens itself and only reports the outcome afterwards through events, so a hub that
 * dies during that POST loses the logout, and a failure is only known once it happened. Routing
 * the method through the hub's deliverer makes that path a stored job before the first attempt,
 * like every other logout the hub sends (ADR 0009). The provider still decides which clients
 * get a token (its session's authorizations); only the sending moves. Checked against
 * oidc-provider 9.x `lib/actions/end_session.js`: it awaits `client.backchannelLogout(sub, sid)`
 * per client and emits `backchannel.success` / `backchannel.error` from its outcome.
 */
import type Provider from 'oidc-provider';
import type { BackchannelDeliverer, SendLogoutToken } from './backchannel-deliverer.ts';

type LogoutClient = { clientId: string; backchannelLogoutUri?: string; backchannelLogout(sub: string, sid: string): Promise<void> };
type LogoutClientClass = { prototype: LogoutClient; find(id: string): Promise<LogoutClient | undefined> };

export interface ProviderBackchannel {
  /** Sends one logout token the way oidc-provider does (its token, its fetch and timeout). */
  send: SendLogoutToken;
  /** From now on, the provider's own end_session step hands its deliveries to `deliverer`. */
  routeThrough(deliverer: BackchannelDeliverer): void;
}

export function takeOverProviderBackchannel(provider: Provider): ProviderBackchannel {
  // Each provider instance has its own Client class, so this patches only this provider.
  const Client = provider.Client as unknown as LogoutClientClass;
  const original = Client.prototype.backchannelLogout;
  return {
    async send(clientId, accountId, sid) {
      const client = await Client.find(clientId).catch(() => undefined);
      if (!client?.backchannelLogoutUri) return false;
      await original.call(client, accountId, sid);
      return true;
    },
    routeThrough(deliverer) {
      // Resolves once the job is stored and its first attempt made (end_session waits for it as
      // it waited for its own POST); a failed attempt is the deliverer's to retry, so the
      // provider's `backchannel.error` only fires when the job could not be stored at all.
      Client.prototype.backchannelLogout = async function (this: LogoutClient, sub: string, sid: string) {
        await deliverer.deliver({ clientId: this.clientId, accountId: sub, sid, attempt: 1, reason: 'rp_initiated_logout' });
      };
    },
  };
}
