/**
 * Owns the back-channel logouts of RP-initiated logout (end_session): the provider still decides
 * which clients get a token (its session's authorizations); only the sending moves, to the hub's
 * deliverer, as a stored job like every other logout the hub sends (ADR 0009).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type Provider from 'oidc-provider';
import { backchannelLogoutSender, replaceBackchannelLogout } from '../provider/provider-internals.ts';
import type { BackchannelDeliverer, SendLogoutToken } from './backchannel-deliverer.ts';

const postHeaders = new AsyncLocalStorage<Readonly<Record<string, string>>>();

/**
 * Sends one logout token the way oidc-provider does (its token, its fetch and timeout), with
 * `headers` (an attempt's trace context) on the POST. oidc-provider builds that POST itself and
 * takes no headers from its caller; the provider's `fetch` (provider/create-provider.ts) adds
 * them from backchannelPostHeaders(), within the send only.
 */
export function providerLogoutSender(provider: Provider): SendLogoutToken {
  const send = backchannelLogoutSender(provider);
  return (clientId, accountId, sid, headers) => (headers ? postHeaders.run(headers, () => send(clientId, accountId, sid)) : send(clientId, accountId, sid));
}

/** The headers the back-channel POST under way must carry (providerLogoutSender), if any. */
export function backchannelPostHeaders(): Readonly<Record<string, string>> | undefined {
  return postHeaders.getStore();
}

/**
 * From now on, the provider's own end_session step hands its deliveries to `deliverer`, through
 * oidc-provider's `Client#backchannelLogout` (replaced in provider/provider-internals.ts, which
 * says what end_session does with it, checked against oidc-provider 9.x). Why: during
 * end_session oidc-provider POSTs the logout tokens itself and only reports the outcome
 * afterwards through events, so a hub that dies during that POST loses the logout, and a failure
 * is only known once it happened. Through the deliverer, that path is a stored job before the
 * first attempt.
 */
export function routeProviderLogoutThrough(provider: Provider, deliverer: BackchannelDeliverer): void {
  // Resolves once the job is stored and its first attempt made (end_session waits for it as it
  // waited for its own POST); a failed attempt is the deliverer's to retry, so the provider's
  // `backchannel.error` only fires when the job could not be stored at all.
  replaceBackchannelLogout(provider, async (client, sub, sid) => {
    await deliverer.deliver({ clientId: client.clientId, accountId: sub, sid, attempt: 1, reason: 'rp_initiated_logout' });
  });
}
