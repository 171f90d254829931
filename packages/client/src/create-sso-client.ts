import { createRemoteJWKSet } from 'jose';
import * as oidc from 'openid-client';
import type { ClientContext } from './client-context.ts';
import { SsoClientError } from './errors.ts';
import { type AccessDecision, checkAccess, type SsoRouteRequirement } from './guard/check-access.ts';
import { type BackchannelLogoutBody, endSessions, type HandlerResponse, handleBackchannelLogout } from './logout/handle-backchannel-logout.ts';
import { type SignOutResult, signOutGlobal, signOutLocal } from './logout/sign-out.ts';
import { checkOptions, isLocalHost, type ResolvedOptions, type SsoClientOptions } from './options.ts';
import { loadSession } from './session/load-session.ts';
import { needsRefresh, refreshSession } from './session/refresh-session.ts';
import { sessionCookieName, transactionCookieName } from './session/session-cookie.ts';
import type { SessionRecord, SsoSession } from './session/session-record.ts';
import { type BeginSignInInput, beginSignIn, type SignInStart } from './sign-in/begin-sign-in.ts';
import { completeSignIn, type SignInResult } from './sign-in/complete-sign-in.ts';
import { inStep, tracedFetch } from './tracing/client-spans.ts';

/**
 * SsoClient is one client app of the hub: framework-neutral methods the Fastify plugin and the
 * Express middleware are built on, usable directly from any other framework.
 *
 * @example
 * ```ts
 * const client = await createSsoClient(options);
 * const { url, setCookie } = await client.beginSignIn({ returnTo: '/orders' });
 * // ...later, on the callback route:
 * const { returnTo, setCookies } = await client.completeSignIn(req.url, req.headers.cookie);
 * ```
 */
export interface SsoClient {
  /** The checked options. */
  readonly options: ResolvedOptions;
  /** The openid-client Configuration from discovery, for calls the SDK does not wrap. */
  readonly configuration: oidc.Configuration;
  /** Name of the session cookie (`__Host-…` under https). */
  readonly sessionCookieName: string;
  /** Name of the sign-in transaction cookie. */
  readonly transactionCookieName: string;
  /** Starts sign-in: the authorization URL and the transaction cookie to set. */
  beginSignIn(input?: BeginSignInInput): Promise<SignInStart>;
  /** Completes sign-in from the callback URL (path and query) and the request's Cookie header. */
  completeSignIn(callbackUrl: string | URL, cookieHeader: string | undefined): Promise<SignInResult>;
  /** Loads the session named by the Cookie header: one store round trip, no JWT work. */
  loadSession(cookieHeader: string | undefined | null): Promise<SsoSession | undefined>;
  /** A usable access token for the session, refreshed first when it expires within `refreshSkew`. */
  getAccessToken(session: SessionRecord): Promise<string>;
  /** Refreshes the session's tokens now (once across concurrent callers). */
  refreshSession(session: SessionRecord): Promise<SsoSession>;
  /** Ends this app's session only. */
  signOutLocal(cookieHeader: string | undefined): Promise<SignOutResult>;
  /** Ends this app's session and returns the hub's end_session URL. */
  signOutGlobal(cookieHeader: string | undefined): Promise<SignOutResult>;
  /** Handles a back-channel logout POST body; never throws for a bad token (400 instead). */
  handleBackchannelLogout(body: BackchannelLogoutBody): Promise<HandlerResponse & { ended: number }>;
  /** Ends every local session of a hub session id or subject; returns how many. */
  endSessions(target: { sid?: string; sub?: string }): Promise<number>;
  /** Decides a request against a route requirement. */
  checkAccess(session: SessionRecord | undefined | null, requirement: SsoRouteRequirement | undefined): AccessDecision;
  /** True when an `Origin` header (if any) is this app's own origin; used to refuse cross-site logout POSTs. */
  isSameOrigin(originHeader: string | undefined, secFetchSite?: string | string[]): boolean;
}

/** Extra knobs for tests and unusual deployments. */
export interface CreateSsoClientExtras {
  /** Treat the environment as production (refuses dev-only options); default from NODE_ENV. */
  production?: boolean;
}

/**
 * createSsoClient checks the options, runs discovery ONCE against the hub and returns the
 * client. It rejects with `SSOHUB_CLIENT_ERR_INVALID_OPTIONS` (message names the option) or
 * `SSOHUB_CLIENT_ERR_DISCOVERY`, so a misconfigured app fails at startup, not at first login.
 *
 * @example
 * ```ts
 * import { createSsoClient, RedisSessionStore } from '@ssohub/client';
 * import { Redis } from 'ioredis';
 *
 * const client = await createSsoClient({
 *   issuer: 'https://login.sso.test/oidc',
 *   clientId: 'app-a',
 *   clientSecret: process.env.APP_A_CLIENT_SECRET,
 *   baseUrl: 'https://app-a.test',
 *   secrets: [process.env.APP_A_COOKIE_SECRET!],
 *   store: new RedisSessionStore({ redis: new Redis(process.env.REDIS_URL!), clientId: 'app-a' }),
 * });
 * ```
 */
export async function createSsoClient(options: SsoClientOptions, extras: CreateSsoClientExtras = {}): Promise<SsoClient> {
  const resolved = checkOptions(options, extras.production === undefined ? {} : { production: extras.production });
  if (resolved.store.volatile) resolved.warn(`ssohub WARNING: client "${resolved.clientId}" keeps sessions in ${resolved.store.description}`);

  const insecure = resolved.issuer.protocol === 'http:' && (resolved.allowInsecureRequests || isLocalHost(resolved.issuer.hostname));
  let config: oidc.Configuration;
  try {
    config = await oidc.discovery(resolved.issuer, resolved.clientId, { redirect_uris: [resolved.redirectUri.href] }, clientAuth(resolved), {
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      timeout: resolved.discoveryTimeout,
    });
  } catch (cause) {
    const reason = isTimeout(cause)
      ? `timed out after ${resolved.discoveryTimeout} s (SsoClientOptions.discoveryTimeout)`
      : cause instanceof Error
        ? cause.message
        : 'unknown error';
    throw new SsoClientError('SSOHUB_CLIENT_ERR_DISCOVERY', `discovery at ${resolved.issuer.href} failed: ${reason}`, {
      status: 500,
      expose: false,
      cause,
    });
  }
  // openid-client keeps discovery's `timeout` as the Configuration's timeout for every later
  // request; a short discoveryTimeout (fail fast at startup) must not shorten token calls.
  config.timeout = HUB_REQUEST_TIMEOUT;
  // Every later call to the hub carries the current step's trace context (tracing/client-spans.ts).
  config[oidc.customFetch] = tracedFetch;
  const metadata = config.serverMetadata();
  if (!metadata.jwks_uri) throw new SsoClientError('SSOHUB_CLIENT_ERR_DISCOVERY', 'the hub publishes no jwks_uri', { status: 500, expose: false });
  if (!metadata.end_session_endpoint) resolved.warn(`ssohub WARNING: the hub at ${metadata.issuer} publishes no end_session_endpoint; global logout will fail`);

  const algorithms = (metadata.id_token_signing_alg_values_supported ?? ['RS256']).filter((a) => a !== 'none' && !a.startsWith('HS'));
  const cookieSettings = { clientId: resolved.clientId, cookieName: resolved.cookieName, secureCookies: resolved.secureCookies };
  const ctx: ClientContext = {
    options: resolved,
    config,
    issuer: metadata.issuer,
    jwks: createRemoteJWKSet(new URL(metadata.jwks_uri)),
    logoutTokenAlgorithms: algorithms.length > 0 ? algorithms : ['RS256'],
    sessionCookie: sessionCookieName(cookieSettings),
    transactionCookie: transactionCookieName(cookieSettings),
    refreshing: new Map(),
  };

  const step = { 'ssohub.client_id': resolved.clientId };
  const client: SsoClient = {
    options: resolved,
    configuration: config,
    sessionCookieName: ctx.sessionCookie,
    transactionCookieName: ctx.transactionCookie,
    beginSignIn: (input) => inStep('ssohub.sign_in', { attributes: { 'ssohub.client_id': resolved.clientId } }, (span) => beginSignIn(ctx, input, span)),
    completeSignIn: (url, cookies) => completeSignIn(ctx, url, cookies),
    loadSession: (cookies) => loadSession(ctx, cookies),
    getAccessToken: async (session) => (needsRefresh(ctx, session) ? (await refreshSession(ctx, session)).tokens.accessToken : session.tokens.accessToken),
    refreshSession: (session) => refreshSession(ctx, session, true),
    signOutLocal: (cookies) => inStep('ssohub.sign_out', { attributes: { ...step, 'ssohub.logout': 'local' } }, () => signOutLocal(ctx, cookies)),
    signOutGlobal: (cookies) => inStep('ssohub.sign_out', { attributes: { ...step, 'ssohub.logout': 'global' } }, () => signOutGlobal(ctx, cookies)),
    handleBackchannelLogout: (body) => inStep('ssohub.backchannel_logout', { attributes: step }, () => handleBackchannelLogout(ctx, body)),
    endSessions: (target) => endSessions(ctx, target),
    checkAccess: (session, requirement) => checkAccess(ctx, session, requirement),
    // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` even for same-origin form
    // posts; Fetch Metadata (`Sec-Fetch-Site`) then tells a same-origin post from a cross-site one.
    isSameOrigin: (origin, secFetchSite) =>
      origin === undefined || origin === resolved.baseUrl.origin || (origin === 'null' && secFetchSite === 'same-origin'),
  };
  internals.set(client, { config, auth: clientAuth(resolved), insecure, issuer: metadata.issuer });
  return client;
}

/** Seconds a request to the hub after discovery (token, refresh) may take, as before discoveryTimeout existed. */
const HUB_REQUEST_TIMEOUT = 10;

/** isTimeout says whether fetch gave up on its AbortSignal.timeout (a DOMException, maybe wrapped in `cause`). */
function isTimeout(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e.name === 'TimeoutError') return true;
  }
  return false;
}

/** What a client's own-API helpers need beyond the public SsoClient (client auth for introspection). */
const internals = new WeakMap<SsoClient, { config: oidc.Configuration; auth: oidc.ClientAuth; insecure: boolean; issuer: string }>();

/**
 * introspectionConfiguration is a copy of the client's openid-client Configuration (same hub
 * metadata, same client authentication, same custom fetch) with its own request `timeout` in
 * seconds, so the API's introspection calls can give up sooner than sign-in's token calls.
 * Undefined when `client` did not come from `createSsoClient`. Internal.
 */
export function introspectionConfiguration(client: SsoClient, timeout: number): { configuration: oidc.Configuration; issuer: string } | undefined {
  const internal = internals.get(client);
  if (!internal) return undefined;
  const { config, auth, insecure, issuer } = internal;
  const configuration = new oidc.Configuration(config.serverMetadata(), client.options.clientId, config.clientMetadata(), auth);
  if (insecure) oidc.allowInsecureRequests(configuration);
  const customFetch = config[oidc.customFetch];
  if (customFetch) configuration[oidc.customFetch] = customFetch;
  configuration.timeout = timeout;
  return { configuration, issuer };
}

function clientAuth(o: ResolvedOptions): oidc.ClientAuth {
  switch (o.tokenEndpointAuthMethod) {
    case 'client_secret_basic':
      return oidc.ClientSecretBasic(o.clientSecret);
    case 'client_secret_post':
      return oidc.ClientSecretPost(o.clientSecret);
    case 'private_key_jwt':
      return oidc.PrivateKeyJwt(o.privateKey!);
    case 'none':
      return oidc.None();
  }
}
