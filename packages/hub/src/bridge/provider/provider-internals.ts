/**
 * Owns every use of oidc-provider beyond its documented configuration and events: the facts the
 * hub relies on and the few methods it replaces. An upgrade has this one file to check, and
 * provider-internals.test.ts fails when one of these facts changes (checked against 9.13).
 *
 * The policies built on them live with their domain: client secrets as digests
 * (clients/provider-secret-check.ts), back-channel logout as stored jobs
 * (logout/provider-backchannel.ts), offline_access for first-party clients
 * (provider/first-party-offline-access.ts), deferred writes at the token endpoint
 * (adapter/request-scope.ts).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';

/**
 * Models whose artefacts a grant can have issued: what revoking a grant must revoke. The list
 * of oidc-provider's lib/helpers/revoke.js, which the test reads.
 */
export const GRANT_MODELS = ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode'] as const;

/**
 * Route names (`ctx.oidc.route`) the hub's hooks act on: the resume after an interaction, and the
 * confirmation of an RP-initiated logout.
 */
export const PROVIDER_ROUTES = { resume: 'resume', endSessionConfirm: 'end_session_confirm' } as const;

/** The requests whose scope oidc-provider filters (its checkScope step), offline_access among it. */
export const SCOPE_FILTERED_ROUTES: ReadonlySet<string> = new Set(['authorization', 'pushed_authorization_request']);

/**
 * Paths of the provider's endpoints relative to where it is mounted, lower case. Its router
 * ignores ASCII case and one trailing slash; canonicalPath (sessions/provider-hooks.ts) matches a
 * request path the same way, which canonical-path.property.test.ts checks against the router.
 */
export function providerPaths(provider: Provider): { authorization: string; token: string } {
  const path = (name: string) => provider.pathFor(name, { mountPath: '' }).toLowerCase();
  return { authorization: path('authorization'), token: path('token') };
}

/**
 * Deferred writes at the token endpoint (adapter/request-scope.ts) are safe because oidc-provider
 * answers there only after its last write, and reads nothing from the store after its first one:
 * it reads the code or refresh token, the session it expires with and the grant (and the account,
 * from Kratos), then consumes, then saves the new tokens. The test replays a code exchange and a refresh against a recording adapter and
 * compares what it sees with these sequences.
 */
export const TOKEN_ENDPOINT_STORE_OPERATIONS = {
  authorization_code: ['AuthorizationCode.find', 'Session.findByUid', 'Grant.find', 'AuthorizationCode.consume', 'AccessToken.upsert', 'RefreshToken.upsert'],
  refresh_token: ['RefreshToken.find', 'Session.findByUid', 'Grant.find', 'RefreshToken.consume', 'RefreshToken.upsert', 'AccessToken.upsert'],
} as const;

type ClientPrototype = {
  clientId: string;
  clientSecret?: string;
  backchannelLogoutUri?: string;
  compareClientSecret(actual: string): Promise<boolean> | boolean;
  backchannelLogout(sub: string, sid: string): Promise<void>;
};
type ClientClass = { prototype: ClientPrototype; find(id: string): Promise<ClientPrototype | undefined> };

/**
 * Replaces how this provider compares a presented client secret (client_secret_basic and
 * client_secret_post) with the client's `client_secret`. oidc-provider 9 lib/shared/client_auth.js
 * awaits `ctx.oidc.client.compareClientSecret(secret)` for both methods and refuses with
 * invalid_client when it is false.
 */
export function replaceClientSecretCheck(provider: Provider, matches: (stored: string | undefined, presented: string) => boolean): void {
  // Each provider instance has its own Client class, so this changes only this provider.
  const Client = provider.Client as unknown as ClientClass;
  Client.prototype.compareClientSecret = function (this: ClientPrototype, presented: string) {
    return matches(this.clientSecret, presented);
  };
}

/** oidc-provider's own Client#backchannelLogout of each provider, kept before it is replaced. */
const ownBackchannelLogout = new WeakMap<Provider, ClientPrototype['backchannelLogout']>();

function providerBackchannelLogout(provider: Provider): ClientPrototype['backchannelLogout'] {
  let own = ownBackchannelLogout.get(provider);
  if (!own) {
    own = (provider.Client as unknown as ClientClass).prototype.backchannelLogout;
    ownBackchannelLogout.set(provider, own);
  }
  return own;
}

/**
 * Sends one back-channel logout token the way this provider does (its token, its fetch and
 * timeout); false when the client has no back-channel logout URI.
 */
export function backchannelLogoutSender(provider: Provider): (clientId: string, sub: string, sid: string) => Promise<boolean> {
  const Client = provider.Client as unknown as ClientClass;
  const own = providerBackchannelLogout(provider);
  return async (clientId, sub, sid) => {
    const client = await Client.find(clientId).catch(() => undefined);
    if (!client?.backchannelLogoutUri) return false;
    await own.call(client, sub, sid);
    return true;
  };
}

/**
 * Replaces how this provider sends a back-channel logout token during RP-initiated logout:
 * oidc-provider 9 lib/actions/end_session.js awaits `client.backchannelLogout(sub, sid)` per
 * client and emits backchannel.success / backchannel.error from its outcome.
 */
export function replaceBackchannelLogout(provider: Provider, send: (client: { clientId: string }, sub: string, sid: string) => Promise<void>): void {
  providerBackchannelLogout(provider);
  // Each provider instance has its own Client class, so this changes only this provider.
  (provider.Client as unknown as ClientClass).prototype.backchannelLogout = function (this: ClientPrototype, sub: string, sid: string) {
    return send(this, sub, sid);
  };
}

/**
 * Calls `onParams` whenever this provider sets a request's parameters (`ctx.oidc.params`), with
 * the request's OIDC context, before anything reads them: the only place to watch what its
 * checkScope step does to `scope`.
 */
export function watchRequestParams(provider: Provider, onParams: (oidc: { route?: string; client?: unknown }, params: object) => void): void {
  const held = Symbol('ssohub.params');
  Object.defineProperty(provider.OIDCContext.prototype, 'params', {
    configurable: true,
    get(this: Record<symbol, unknown>) {
      return this[held];
    },
    set(this: { route?: string; client?: unknown } & Record<symbol, unknown>, value: unknown) {
      if (value && typeof value === 'object') onParams(this, value);
      this[held] = value;
    },
  });
}

type KoaMiddleware = (ctx: unknown, next: () => Promise<unknown>) => Promise<unknown>;

/**
 * Runs `middleware`, in order, ahead of everything the provider runs: its own routes and every
 * `provider.use()` middleware (the hub's provider hooks). oidc-provider is a Koa application:
 * Koa composes its `middleware` list when `callback()` is called, and the provider's `use()`
 * only ever inserts before its own router. Call it before `callback()`.
 */
export function runAheadOfProvider(provider: Provider, middleware: KoaMiddleware[]): void {
  (provider as unknown as { middleware: KoaMiddleware[] }).middleware.unshift(...middleware);
}

/**
 * Hands the provider a request mounted under a path: oidc-provider derives its mount path from
 * `req.originalUrl` minus the URL it routes (lib/helpers/oidc_context.js), so `originalUrl` is
 * the target as the client sent it and `url` the part the provider's router sees.
 */
export function mountRequest(raw: IncomingMessage, originalUrl: string, providerUrl: string): void {
  const mounted = raw as IncomingMessage & { originalUrl?: string };
  mounted.originalUrl = originalUrl;
  mounted.url = providerUrl;
}

const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * Signs a back-channel logout token for `client` exactly as oidc-provider does in
 * `Client#backchannelLogout`: its own `IdToken` model issued with `use: 'logout'` (lib/models/
 * id_token.js), so the header (`typ: logout+jwt`, the provider's key for the client's ID token
 * algorithm) and the claims (`iss`, `aud`, `iat`, `exp`, `jti`, `events`, `sid` and/or `sub`)
 * are the ones a real logout sends.
 */
export async function signLogoutToken(provider: Provider, client: unknown, target: { sid?: string; sub?: string }): Promise<string> {
  type LogoutIdToken = { mask: object; set(claim: string, value: unknown): void; issue(o: { use: 'logout' }): Promise<string> };
  const IdToken = (provider as unknown as { IdToken: new (claims: object, o: { client: unknown; ctx: undefined }) => LogoutIdToken }).IdToken;
  const token = new IdToken(target.sub ? { sub: target.sub } : {}, { client, ctx: undefined });
  token.mask = { sub: null };
  token.set('events', { [BACKCHANNEL_LOGOUT_EVENT]: {} });
  token.set('jti', randomBytes(16).toString('base64url'));
  if (target.sid) token.set('sid', target.sid);
  return token.issue({ use: 'logout' });
}

type ProviderStep = (ctx: KoaContextWithOIDC) => Promise<void>;

/**
 * oidc-provider's own end_session confirmation step (lib/actions/end_session.js `confirm`, its
 * last step `endSession`: back-channel logouts, grants revoked, session destroyed, the 303 to the
 * post-logout URI with `state`). Not part of its documented API: imported by a computed name (the
 * module has no type declarations) and used only while it still is the step named `endSession`;
 * otherwise undefined, and the hub asks as before (logout/logout-pages.ts; its test checks the fact).
 */
export const END_SESSION_MODULE = 'oidc-provider/lib/actions/end_session.js';
let endSessionStep: Promise<ProviderStep | undefined> | undefined;

export function providerEndSessionStep(): Promise<ProviderStep | undefined> {
  endSessionStep ??= (import(END_SESSION_MODULE) as Promise<{ confirm?: ProviderStep[] }>).then(
    (m) => {
      const last = m.confirm?.at(-1);
      return typeof last === 'function' && last.name === 'endSession' ? last : undefined;
    },
    () => undefined,
  );
  return endSessionStep;
}

