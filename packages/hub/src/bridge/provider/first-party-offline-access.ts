/**
 * Owns the one exception the hub makes to oidc-provider's offline_access rule: first-party clients
 * are granted `offline_access` without `prompt=consent`.
 */
import type Provider from 'oidc-provider';
import { SCOPE_FILTERED_ROUTES, watchRequestParams } from './provider-internals.ts';

type ClientLike = { grantTypeAllowed(type: string): boolean; scope?: string; ssohub_first_party?: boolean } | undefined;
type ParamsLike = { scope?: string };
type ContextLike = { route?: string; client?: ClientLike };

const OFFLINE = 'offline_access';

/**
 * oidc-provider drops offline_access from any request without prompt=consent (OIDC Core 11 asks
 * for consent "unless other conditions for processing the request permitting offline access are
 * in place"). First-party clients are part of the deployment and are granted what they ask for
 * without a screen (loadExistingGrant), so for them the hub keeps offline_access in the request:
 * the code, the tokens and the grant then carry it, and the token response says so, instead of
 * the scope being dropped silently. Third-party clients still need prompt=consent and the consent
 * screen. What offline_access never does in the hub: extend a token past its Kratos session
 * (create-provider.ts findAccount; invariant 3).
 *
 * The filter runs inside the provider (checkScope rewrites `ctx.oidc.params.scope`), so the hub
 * watches that one write: it puts offline_access back only when the write removed exactly
 * offline_access, for a first-party client allowed the refresh_token grant whose registered
 * scope (if any) includes offline_access.
 */
export function keepOfflineAccessForFirstParty(provider: Provider): void {
  watchRequestParams(provider, (oidc, params) => {
    if (SCOPE_FILTERED_ROUTES.has(String(oidc.route))) guardScope(oidc as ContextLike, params as ParamsLike);
  });
}

function guardScope(oidc: ContextLike, params: ParamsLike): void {
  let scope = params.scope;
  Object.defineProperty(params, 'scope', {
    enumerable: true,
    configurable: true,
    get: () => scope,
    set: (next: string | undefined) => {
      scope = onlyOfflineDropped(scope, next) && mayHaveOfflineAccess(oidc.client) ? [next, OFFLINE].filter(Boolean).join(' ') : next;
    },
  });
}

/** True when `next` is `before` without offline_access (and nothing else changed). */
function onlyOfflineDropped(before: string | undefined, next: string | undefined): boolean {
  const was = new Set(String(before ?? '').split(' ').filter(Boolean));
  const now = new Set(String(next ?? '').split(' ').filter(Boolean));
  if (!was.has(OFFLINE) || now.has(OFFLINE)) return false;
  was.delete(OFFLINE);
  return was.size === now.size && [...now].every((s) => was.has(s));
}

function mayHaveOfflineAccess(client: ClientLike): boolean {
  if (client?.ssohub_first_party !== true || !client.grantTypeAllowed('refresh_token')) return false;
  return client.scope === undefined || client.scope.split(' ').includes(OFFLINE);
}
