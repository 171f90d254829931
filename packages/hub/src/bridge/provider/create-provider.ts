/**
 * Owns the oidc-provider instance of the login domain: its configuration, which is the hub's OIDC
 * policy in one place, and who may introspect or revoke a token.
 */
import Provider, { type Configuration, errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { ClientRegistry } from '../../clients/client-registry.ts';
import { LOCALES } from '../../i18n/locales.ts';
import type { Identity, KratosClient } from '../../kratos/kratos-client.ts';
import { type AdapterFactory, HUB_CLIENT_PROPERTIES } from '../adapter/create-adapter-factory.ts';
import { currentBridgeFacts } from '../adapter/request-scope.ts';
import type { BridgeConfig } from '../bridge-config.ts';
import { buildAccountClaims, buildScopeClaims } from '../claims/account-claims.ts';
import { renderLoggedOutPage, renderLogoutPage, renderProviderError } from '../logout/logout-pages.ts';
import { backchannelPostHeaders } from '../logout/provider-backchannel.ts';
import { identitySeenThisRequest } from '../sessions/identity-seen-this-request.ts';
import type { SessionChecks } from '../sessions/session-checks.ts';
import { createCookieSigner } from './cookie-signer.ts';
import { keepOfflineAccessForFirstParty } from './first-party-offline-access.ts';
import { providerSigningKeys } from './hub-signing-key.ts';
import { serviceClientResources } from './service-client-resources.ts';
import type { PrivateJwk } from './signing-keys.ts';
import { answerUnauthorizedGrant } from './unauthorized-grant.ts';

type HubClient = { clientId: string; ssohub_first_party?: boolean; ssohub_access_token_ttl?: number; ssohub_refresh_token_ttl?: number };
type TokenLike = { expiresWithSession?: boolean; sessionUid?: string; kind?: string } | undefined;

export const INTERACTION_PATH = '/interaction';

/**
 * Builds the oidc-provider instance. Its policy:
 * - clients come only from the client registry (adapter `Client` model), never from here;
 * - PKCE S256 for every client; exact redirect URIs (no omission); `iss` in responses (v9 default);
 * - refresh tokens for clients allowed the grant, rotated on every use, and, offline_access or
 *   not, honoured only while the Kratos session of the sign-in lives (findAccount); first-party
 *   clients are granted offline_access without prompt=consent (first-party-offline-access.ts);
 * - introspection and revocation by the token's own client only (tokenOwnerOnly);
 * - client auth basic (or post), private_key_jwt or none;
 * - every TTL explicit; development interactions off;
 * - client_credentials for service clients only (their metadata allows no other grant), with
 *   resource indicators: a JWT whose `aud` is one of the client's `resources`
 *   (service-client-resources.ts, decision 0019). Clients signing users in name no resource and
 *   keep opaque tokens for userinfo; their APIs use introspection.
 */
export function createProvider(o: {
  issuer: string;
  config: BridgeConfig;
  keys: PrivateJwk[];
  cookieKeys: string[];
  adapters: AdapterFactory;
  clients: ClientRegistry;
  kratos: KratosClient;
  checks: SessionChecks;
  /** bridge.shortcuts: reuse Kratos checks made earlier (code exchange, /auth, resume). */
  shortcuts: boolean;
  trustProxy: boolean | number | string[];
  log: Logger;
}): Provider {
  const { ttl, claims: mapping } = o.config;
  const scopes = [...new Set(['openid', 'offline_access', ...mapping.map((m) => m.scope)])];

  const policy = interactionPolicy.base();
  // acr_values is only voluntary in OIDC; the hub honours aal2 as a requirement, since a client
  // asking for a second factor must not silently get less.
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('acr_aal2', 'a second factor is required', 'login_required', (ctx: KoaContextWithOIDC) => {
      const acrValues = String(ctx.oidc.params?.acr_values ?? '').split(' ').filter(Boolean);
      const wants = acrValues.length > 0 && acrValues.every((v) => v === 'aal2' || v === 'aal3');
      return wants && ctx.oidc.session?.acr !== 'aal2' && ctx.oidc.session?.acr !== 'aal3';
    }),
  );

  // Kratos' own policy (highest_available) outranks an older aal1 provider session: once the
  // identity has a second factor, no app gets a code from that session without the factor.
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('kratos_aal2', 'Kratos requires the second factor the account now has', 'login_required', () =>
      // Recorded by the /auth re-check of this request (provider-hooks.ts).
      currentBridgeFacts()?.kratos.kind === 'needs-aal2',
    ),
  );

  const configuration: Configuration = {
    adapter: o.adapters,
    clients: [],
    // Signed with node:crypto on the request's thread (hub-signing-key.ts, docs/decisions/0020).
    jwks: { keys: providerSigningKeys(o.keys) as never },
    cookies: {
      keys: createCookieSigner(o.cookieKeys),
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, _form) => renderLogoutPage(ctx),
        postLogoutSuccessSource: async (ctx) => renderLoggedOutPage(ctx),
      },
      backchannelLogout: { enabled: true },
      // The hub's own policies, not oidc-provider's defaults (which let any authenticated client
      // introspect any token): see tokenOwnerOnly.
      introspection: { enabled: true, allowedPolicy: async (ctx, client, token) => tokenOwnerOnly(ctx, client, token, 'introspection') },
      revocation: { enabled: true, allowedPolicy: async (ctx, client, token) => tokenOwnerOnly(ctx, client, token, 'revocation') },
      userinfo: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: serviceClientResources(ttl.clientCredentials),
      registration: { enabled: false },
      deviceFlow: { enabled: false },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      // Lets jwks.keys hold HubSigningKey objects. Experimental in oidc-provider: a release that
      // changes the experiment's version refuses to start with this ack, which is the check we
      // want before the signing path changes under us (decision 0020).
      externalSigningSupport: { enabled: true, ack: 'experimental-01' },
    },
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    // client_secret_post stays accepted because the client registry onboards it; no shared-secret
    // JWT (client_secret_jwt) and nothing else.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      backchannel_logout_session_required: true,
    },
    responseTypes: ['code'],
    // The languages of the hub's pages: an app may ask for one with ui_locales
    // (interactions/register-interactions.ts carries it through the sign-in).
    discovery: { ui_locales_supported: [...LOCALES] },
    acrValues: ['aal1', 'aal2'],
    scopes,
    claims: buildScopeClaims(mapping) as Configuration['claims'],
    extraClientMetadata: {
      // `resources`: the APIs a service client may get tokens for (decision 0019).
      properties: [...HUB_CLIENT_PROPERTIES, 'resources'],
      validator(_ctx, key, value) {
        if (value === undefined) return;
        if (key === 'resources') {
          if (!Array.isArray(value) || value.some((r) => typeof r !== 'string')) throw new errors.InvalidClientMetadata('resources must be an array of URIs');
          return;
        }
        if (key === 'ssohub_first_party' && typeof value !== 'boolean') {
          throw new errors.InvalidClientMetadata('ssohub_first_party must be a boolean');
        }
        if (key !== 'ssohub_first_party' && (!Number.isInteger(value) || (value as number) <= 0)) {
          throw new errors.InvalidClientMetadata(`${key} must be a positive integer (seconds)`);
        }
      },
    },
    ttl: {
      AccessToken: (_ctx, _token, client) => (client as unknown as HubClient | undefined)?.ssohub_access_token_ttl ?? ttl.accessToken,
      AuthorizationCode: ttl.authorizationCode,
      IdToken: ttl.idToken,
      RefreshToken: (_ctx, _token, client) => (client as unknown as HubClient | undefined)?.ssohub_refresh_token_ttl ?? ttl.refreshToken,
      Session: ttl.session,
      Grant: ttl.grant,
      Interaction: ttl.interaction,
      ClientCredentials: (_ctx, _token, client) => (client as unknown as HubClient | undefined)?.ssohub_access_token_ttl ?? ttl.clientCredentials,
      DeviceCode: ttl.deviceCode,
      BackchannelAuthenticationRequest: ttl.backchannelAuthenticationRequest,
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `${INTERACTION_PATH}/${interaction.uid}`,
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    async loadExistingGrant(ctx) {
      const client = ctx.oidc.client!;
      const session = ctx.oidc.session!;
      const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
      const firstParty = (client as unknown as HubClient).ssohub_first_party === true;
      let grant = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (grant && grant.accountId !== session.accountId) grant = undefined;
      if (!grant && !firstParty) return undefined;
      if (!firstParty) return grant;
      // First-party clients are part of the same deployment: what they ask for is granted
      // without a screen (the client's registered `scope` already bounds what can be asked).
      // An SSO hop usually asks for what the grant already holds: writing it again would cost a
      // Redis write on every hop for nothing (docs/benchmarks.md).
      const before = grant ? JSON.stringify(grant.openid ?? null) : undefined;
      grant ??= new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId! });
      const requested = [...ctx.oidc.requestParamOIDCScopes].join(' ');
      if (requested) grant.addOIDCScope(requested);
      const claims = [...ctx.oidc.requestParamClaims];
      if (claims.length) grant.addOIDCClaims(claims);
      if (!o.shortcuts || before !== JSON.stringify(grant.openid ?? null)) await grant.save();
      return grant;
    },
    async findAccount(ctx, sub, token) {
      const t = token as TokenLike;
      let identity: Pick<Identity, 'id' | 'state' | 'traits' | 'verifiable_addresses'> | undefined;
      if (t?.sessionUid) {
        // Tokens issued in a provider session (code redemption, refresh, userinfo; offline ones
        // too) are only honoured while the Kratos session behind it lives: a provider session
        // never outlives its Kratos session. A code is redeemed within its short lifetime of the
        // /auth request that checked the browser's Kratos session, so that check is reused
        // instead of asking Kratos again.
        if (t.kind === 'AuthorizationCode' && o.shortcuts) identity = await o.checks.recentlyVerified(t.sessionUid, sub);
        identity ??= await o.checks.liveIdentity(t.sessionUid, sub);
        if (!identity) return undefined;
      } else {
        // At /auth the re-check has just read this identity from Kratos (whoami, the browser's own
        // session) in this same request: asking the admin API again would double the Kratos work
        // of every SSO hop for the same answer.
        identity = identitySeenThisRequest(ctx.oidc.result, sub) ?? (await o.kratos.getIdentity(sub));
      }
      if (!identity || identity.state === 'inactive') return undefined;
      return {
        accountId: sub,
        async claims(_use, scope) {
          return buildAccountClaims(identity, new Set(String(scope ?? '').split(' ')), mapping) as { sub: string };
        },
      };
    },
    // Protocol errors the provider shows the browser itself. Its server errors (out.error ===
    // 'server_error') are answered again by the hub's error path where it is mounted
    // (mount-provider.ts): 503 for outages, the request id, one log line. Like the logout pages,
    // it runs inside the hub request's scope, so it speaks the request's language.
    renderError: async (ctx, out, error) => renderProviderError(ctx, out, error),
    // oidc-provider refuses loopback and private addresses on outgoing requests (SSRF guard). The
    // back-channel logout URIs of registered clients are trusted configuration, so exactly those
    // go out without the guard; anything else (e.g. a jwks_uri) keeps it.
    fetch: async (url, options) => {
      const target = new URL(String(url)).href;
      const allowed = (await o.clients.list()).some((c) => {
        const uri = c.metadata.backchannel_logout_uri;
        return typeof uri === 'string' && safeHref(uri) === target;
      });
      if (!allowed) return fetch(url, options as RequestInit);
      const { dispatcher: _guard, ...rest } = options as RequestInit & { dispatcher?: unknown };
      // A delivery attempt's trace context (logout/provider-backchannel.ts): the app's tracing
      // continues the logout's trace from it.
      const traced = backchannelPostHeaders();
      if (traced) {
        const headers = new Headers(rest.headers);
        for (const [name, value] of Object.entries(traced)) headers.set(name, value);
        rest.headers = headers;
      }
      // Never follow a redirect from a client's endpoint: it could point the hub, outside the
      // SSRF guard, at an internal address (Kratos' admin API on loopback).
      return fetch(url, { ...rest, redirect: 'manual' });
    },
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((u) => safeOrigin(u) === origin) ?? false,
  };

  const provider = new Provider(o.issuer, configuration);
  keepOfflineAccessForFirstParty(provider);
  answerUnauthorizedGrant(provider);
  // Koa only knows on/off and a hop count; the provider uses ctx.ip for its own events only.
  provider.proxy = o.trustProxy !== false && o.trustProxy !== 0;
  if (typeof o.trustProxy === 'number') provider.maxIpsCount = o.trustProxy;
  return provider;
}

/**
 * Who may introspect or revoke a token: the client it was issued to, authenticated, and no one
 * else. The hub registers no resource servers for user tokens (they name no resource: every such
 * access token's audience is the client it was issued to), so "a resource server registered for
 * the token's audience" is that same client; service clients' tokens are JWTs the API verifies
 * itself (decision 0019), which the provider does not store and cannot introspect; an API that wants to check tokens introspects them with
 * the credentials of the client that obtained them. A public client (auth method none) proves
 * nothing about itself, so it may revoke its own tokens (RFC 7009) but not introspect any.
 * Anything else is answered `{ active: false }` (introspection) or ignored (revocation), as the
 * RFCs ask: the caller learns nothing about other clients' tokens.
 */
export function tokenOwnerOnly(
  ctx: KoaContextWithOIDC,
  client: { clientId: string; clientAuthMethod?: string },
  token: { clientId?: string },
  use: 'introspection' | 'revocation',
): boolean {
  if (ctx.oidc.client?.clientId !== client.clientId || token.clientId !== client.clientId) return false;
  return use === 'revocation' || client.clientAuthMethod !== 'none';
}

function safeHref(u: string): string | undefined {
  try {
    return new URL(u).href;
  } catch {
    return undefined;
  }
}

function safeOrigin(u: string): string | undefined {
  try {
    return new URL(u).origin;
  } catch {
    return undefined;
  }
}
