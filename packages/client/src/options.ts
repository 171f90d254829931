import type { webcrypto } from 'node:crypto';
import { SsoClientError } from './errors.ts';
import type { SessionStore } from './session/session-store.ts';

/** Token endpoint authentication of the client at the hub. */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/** Paths of the routes the adapters mount; each must start with `/`. */
export interface SsoRoutes {
  /** Starts sign-in; `?returnTo=/path` says where to land afterwards. Default `/auth/login`. */
  login: string;
  /** The redirect URI's path. Default `/auth/callback`. */
  callback: string;
  /** POST: ends this app's session only. Default `/auth/logout`. */
  logout: string;
  /** POST: ends this app's session and the hub session (RP-initiated logout). Default `/auth/logout/global`. */
  globalLogout: string;
  /** POST from the hub: OIDC back-channel logout. Default `/auth/backchannel-logout`. */
  backchannelLogout: string;
}

/**
 * SsoClientOptions configure one client app of the hub. They are checked once, at startup, by
 * {@link checkOptions}; a mistake fails there with a message naming the option.
 *
 * @example
 * ```ts
 * const options: SsoClientOptions = {
 *   issuer: 'https://login.sso.test/oidc',
 *   clientId: 'app-a',
 *   clientSecret: process.env.APP_A_SECRET,
 *   baseUrl: 'https://app-a.test',
 *   secrets: [process.env.APP_A_COOKIE_SECRET!],
 *   store: new RedisSessionStore({ redis, clientId: 'app-a' }),
 * };
 * ```
 */
export interface SsoClientOptions {
  /** The hub's issuer URL; discovery runs once against it at startup. https, or http on localhost. */
  issuer: string | URL;
  /** This app's client_id at the hub. */
  clientId: string;
  /** The client secret for `client_secret_basic` (default when set) or `client_secret_post`. */
  clientSecret?: string;
  /** How the client authenticates at the token endpoint. Default: `client_secret_basic` with a secret, else `none`. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** The private key for `private_key_jwt` (a CryptoKey, or one with its `kid`). */
  privateKey?: webcrypto.CryptoKey | { key: webcrypto.CryptoKey; kid?: string };
  /**
   * This app's public origin, e.g. `https://app-a.test`. Callback URLs are rebuilt from it (never
   * from the Host header) and its scheme decides the cookie flags (`__Host-` + Secure under https).
   */
  baseUrl: string;
  /** Absolute redirect URI registered at the hub. Default `baseUrl` + `routes.callback`. */
  redirectUri?: string;
  /** Where the hub sends the browser after global logout. Default `baseUrl` + `/`. */
  postLogoutRedirectUri?: string;
  /** Scopes to ask for; must include `openid`. Default `['openid', 'email', 'profile']`. */
  scopes?: string[];
  /**
   * HMAC keys for the sign-in transaction cookie, each at least 32 characters. The first signs;
   * all verify, so a key can be rotated by putting the new one first.
   */
  secrets: string[];
  /** Where sessions live; its `clientId` must be this client's. */
  store: SessionStore;
  /** Session cookie name without prefix. Default `ssohub-<8 hex of sha256(clientId)>`; `__Host-` is added under https. */
  cookieName?: string;
  /** Seconds without activity after which a session ends. Default 1800 (30 min). */
  idleTimeout?: number;
  /** Seconds after sign-in after which a session ends regardless of activity. Default 28800 (8 h). */
  absoluteTimeout?: number;
  /** Refresh the access token this many seconds before it expires. Default 60. */
  refreshSkew?: number;
  /** Clock tolerance in seconds for logout tokens and ID tokens. Default 5. */
  clockTolerance?: number;
  /** Oldest accepted logout token (`iat`), in seconds. Default 120. */
  logoutTokenMaxAge?: number;
  /**
   * Seconds the one discovery at startup may take before `createSsoClient` gives up with
   * `SSOHUB_CLIENT_ERR_DISCOVERY` ("timed out"). Default 10; more than 0, at most 600. Later
   * requests to the hub (token, end_session) keep their own 10 s timeout.
   *
   * @example
   * ```ts
   * // Fail fast when the hub is not up yet, and let the supervisor restart the app.
   * const client = await createSsoClient({ ...options, discoveryTimeout: 3 });
   * ```
   */
  discoveryTimeout?: number;
  /** Authentication levels from weakest to strongest, for `acr` guards. Default `['aal1', 'aal2']`, the levels the hub offers. */
  acrLevels?: string[];
  /** Route paths; see {@link SsoRoutes}. */
  routes?: Partial<SsoRoutes>;
  /**
   * Allow http to a non-localhost hub. Development only: refused when `NODE_ENV=production`.
   * http to `localhost`, `*.localhost` and loopback addresses is always allowed.
   */
  allowInsecureRequests?: boolean;
  /** Allow the memory store when `NODE_ENV=production` (e.g. a single-instance demo). Default false. */
  allowVolatileStore?: boolean;
  /** Receives warnings (never secrets). Default `console.warn`. */
  warn?: (message: string) => void;
}

/** ResolvedOptions are SsoClientOptions after defaults, as the client uses them. */
export interface ResolvedOptions {
  issuer: URL;
  clientId: string;
  clientSecret: string | undefined;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  privateKey: webcrypto.CryptoKey | { key: webcrypto.CryptoKey; kid?: string } | undefined;
  baseUrl: URL;
  redirectUri: URL;
  postLogoutRedirectUri: URL;
  scopes: string[];
  secrets: string[];
  store: SessionStore;
  cookieName: string | undefined;
  idleTimeout: number;
  absoluteTimeout: number;
  refreshSkew: number;
  clockTolerance: number;
  logoutTokenMaxAge: number;
  discoveryTimeout: number;
  acrLevels: string[];
  routes: SsoRoutes;
  allowInsecureRequests: boolean;
  allowVolatileStore: boolean;
  /** True when `baseUrl` is https: cookies get `Secure` and the `__Host-` prefix. */
  secureCookies: boolean;
  warn: (message: string) => void;
}

/** Default route paths of the adapters. */
export const DEFAULT_ROUTES: Readonly<SsoRoutes> = Object.freeze({
  login: '/auth/login',
  callback: '/auth/callback',
  logout: '/auth/logout',
  globalLogout: '/auth/logout/global',
  backchannelLogout: '/auth/backchannel-logout',
});

/** isLocalHost says whether http to this host name stays on the machine. */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * checkOptions validates options and fills in defaults. Every problem names its option, and all
 * problems are reported at once. It throws `SsoClientError` with code
 * `SSOHUB_CLIENT_ERR_INVALID_OPTIONS`.
 *
 * @example
 * ```ts
 * checkOptions({ ...options, redirectUri: 'http://app-a.test/cb' });
 * // SsoClientOptions.redirectUri must be an absolute https URL (http only on localhost)
 * ```
 */
export function checkOptions(options: SsoClientOptions, env: { production?: boolean } = {}): ResolvedOptions {
  const production = env.production ?? process.env.NODE_ENV === 'production';
  const problems: string[] = [];
  const o = (options ?? {}) as Partial<SsoClientOptions>;
  const name = (key: string) => `SsoClientOptions.${key}`;

  const insecure = o.allowInsecureRequests === true;
  if (o.allowInsecureRequests !== undefined && typeof o.allowInsecureRequests !== 'boolean') {
    problems.push(`${name('allowInsecureRequests')} must be a boolean`);
  }
  if (insecure && production) {
    problems.push(`${name('allowInsecureRequests')} must not be true when NODE_ENV=production`);
  }

  const url = (key: keyof SsoClientOptions, value: unknown, required: boolean): URL | undefined => {
    if (value === undefined && !required) return undefined;
    let parsed: URL;
    try {
      parsed = value instanceof URL ? value : new URL(String(value));
      if (typeof value !== 'string' && !(value instanceof URL)) throw new TypeError();
    } catch {
      problems.push(`${name(key)} must be an absolute https URL`);
      return undefined;
    }
    const httpOk = parsed.protocol === 'http:' && (insecure || isLocalHost(parsed.hostname));
    if (parsed.protocol !== 'https:' && !httpOk) {
      problems.push(`${name(key)} must be an absolute https URL (http only on localhost, or with allowInsecureRequests in development)`);
      return undefined;
    }
    if (parsed.hash || parsed.username || parsed.password) {
      problems.push(`${name(key)} must not contain a fragment or credentials`);
      return undefined;
    }
    return parsed;
  };

  const issuer = url('issuer', o.issuer, true);
  const baseUrl = url('baseUrl', o.baseUrl, true);
  if (baseUrl && (baseUrl.pathname !== '/' || baseUrl.search)) {
    problems.push(`${name('baseUrl')} must be an origin without path or query, e.g. https://app-a.test`);
  }

  if (typeof o.clientId !== 'string' || o.clientId.trim() === '') problems.push(`${name('clientId')} must be a non-empty string`);

  const routes: SsoRoutes = { ...DEFAULT_ROUTES };
  if (o.routes !== undefined) {
    for (const [key, value] of Object.entries(o.routes)) {
      if (!(key in DEFAULT_ROUTES)) problems.push(`${name(`routes.${key}`)} is not a known route`);
      else if (typeof value !== 'string' || !/^\/[^?#]*$/.test(value)) problems.push(`${name(`routes.${key}`)} must be a path starting with /`);
      else routes[key as keyof SsoRoutes] = value;
    }
  }

  const origin = baseUrl?.origin;
  const redirectUri = o.redirectUri === undefined ? (origin ? new URL(routes.callback, origin) : undefined) : url('redirectUri', o.redirectUri, true);
  if (redirectUri && origin && redirectUri.origin !== origin) problems.push(`${name('redirectUri')} must be on baseUrl's origin (${origin})`);
  const postLogoutRedirectUri =
    o.postLogoutRedirectUri === undefined ? (origin ? new URL('/', origin) : undefined) : url('postLogoutRedirectUri', o.postLogoutRedirectUri, true);

  let method = o.tokenEndpointAuthMethod;
  const methods: TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
  if (method !== undefined && !methods.includes(method)) problems.push(`${name('tokenEndpointAuthMethod')} must be one of ${methods.join(', ')}`);
  method ??= o.clientSecret !== undefined ? 'client_secret_basic' : o.privateKey !== undefined ? 'private_key_jwt' : 'none';
  if (o.clientSecret !== undefined && (typeof o.clientSecret !== 'string' || o.clientSecret === '')) {
    problems.push(`${name('clientSecret')} must be a non-empty string`);
  }
  if ((method === 'client_secret_basic' || method === 'client_secret_post') && !o.clientSecret) {
    problems.push(`${name('clientSecret')} is required for tokenEndpointAuthMethod ${method}`);
  }
  if (method === 'private_key_jwt' && !o.privateKey) problems.push(`${name('privateKey')} is required for tokenEndpointAuthMethod private_key_jwt`);

  const scopes = o.scopes ?? ['openid', 'email', 'profile'];
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) {
    problems.push(`${name('scopes')} must be an array of scope tokens`);
  } else if (!scopes.includes('openid')) problems.push(`${name('scopes')} must include openid`);

  if (!Array.isArray(o.secrets) || o.secrets.length === 0) problems.push(`${name('secrets')} must be a non-empty array of strings`);
  else if (!o.secrets.every((s) => typeof s === 'string' && s.length >= 32)) problems.push(`${name('secrets')} entries must be strings of at least 32 characters`);

  const store = o.store;
  if (!store || typeof store.get !== 'function' || typeof store.claim !== 'function') problems.push(`${name('store')} must be a SessionStore`);
  else if (typeof o.clientId === 'string' && store.clientId !== o.clientId) {
    problems.push(`${name('store')} belongs to client "${store.clientId}", not "${o.clientId}": each client needs its own store namespace`);
  } else if (store.volatile && production && !o.allowVolatileStore) {
    problems.push(`${name('store')} is a memory store, which loses sessions on restart: refused when NODE_ENV=production (use RedisSessionStore)`);
  }

  if (o.cookieName !== undefined && (typeof o.cookieName !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(o.cookieName) || o.cookieName.startsWith('__'))) {
    problems.push(`${name('cookieName')} must be a cookie token without a __ prefix (the prefix is added under https)`);
  }

  const seconds = (key: keyof SsoClientOptions, fallback: number, min: number): number => {
    const value = o[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      problems.push(`${name(key)} must be a number of seconds >= ${min}`);
      return fallback;
    }
    return value;
  };
  const idleTimeout = seconds('idleTimeout', 1800, 60);
  const absoluteTimeout = seconds('absoluteTimeout', 28_800, 60);
  if (idleTimeout > absoluteTimeout) problems.push(`${name('idleTimeout')} must not exceed absoluteTimeout`);
  const refreshSkew = seconds('refreshSkew', 60, 0);
  const clockTolerance = seconds('clockTolerance', 5, 0);
  const logoutTokenMaxAge = seconds('logoutTokenMaxAge', 120, 10);
  // 0 would abort discovery before it starts; past 600 s an app that cannot reach its hub is
  // better restarted by its supervisor than left waiting at startup.
  let discoveryTimeout = 10;
  if (o.discoveryTimeout !== undefined) {
    const value = o.discoveryTimeout;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 600) {
      problems.push(`${name('discoveryTimeout')} must be a number of seconds > 0 and <= 600`);
    } else discoveryTimeout = value;
  }

  const acrLevels = o.acrLevels ?? ['aal1', 'aal2'];
  if (!Array.isArray(acrLevels) || acrLevels.length === 0 || !acrLevels.every((s) => typeof s === 'string' && s !== '')) {
    problems.push(`${name('acrLevels')} must be a non-empty array of strings`);
  }

  if (problems.length > 0) {
    throw new SsoClientError('SSOHUB_CLIENT_ERR_INVALID_OPTIONS', problems.join('; '), { status: 500, expose: false });
  }

  return {
    issuer: issuer!,
    clientId: o.clientId!,
    clientSecret: o.clientSecret,
    tokenEndpointAuthMethod: method,
    privateKey: o.privateKey,
    baseUrl: baseUrl!,
    redirectUri: redirectUri!,
    postLogoutRedirectUri: postLogoutRedirectUri!,
    scopes,
    secrets: [...o.secrets!],
    store: store!,
    cookieName: o.cookieName,
    idleTimeout,
    absoluteTimeout,
    refreshSkew,
    clockTolerance,
    logoutTokenMaxAge,
    discoveryTimeout,
    acrLevels,
    routes,
    allowInsecureRequests: insecure,
    allowVolatileStore: o.allowVolatileStore === true,
    secureCookies: baseUrl!.protocol === 'https:',
    warn: o.warn ?? ((m) => console.warn(m)),
  };
}
