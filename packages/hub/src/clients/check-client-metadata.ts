import type { ClientMetadata } from './client-registry.ts';

/** Scopes a client may ask for; `openid` is always required. */
export const ALLOWED_SCOPES = ['openid', 'email', 'profile', 'offline_access'] as const;
export const GRANT_TYPES = ['authorization_code', 'refresh_token'] as const;
/** The one grant of a service client (decision 0019): tokens for an API, no user. */
export const SERVICE_GRANT = 'client_credentials';
/** How many APIs one service client may name in `resources`. */
export const MAX_RESOURCES = 20;
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
/** Lifetimes (seconds) a client may set for its own tokens. */
export const ACCESS_TOKEN_TTL = { min: 60, max: 24 * 3600 } as const;
export const REFRESH_TOKEN_TTL = { min: 300, max: 90 * 24 * 3600 } as const;
export const MIN_SECRET_LENGTH = 32;

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;

/** Every field a client definition may carry; anything else is refused (typos are caught early). */
const KNOWN_FIELDS = new Set([
  'client_id',
  'client_secret',
  'client_name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
  'backchannel_logout_session_required',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'id_token_signed_response_alg',
  'jwks',
  'jwks_uri',
  'scope',
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'ssohub_first_party',
  'ssohub_access_token_ttl',
  'ssohub_refresh_token_ttl',
  'resources',
]);

/**
 * A service client (decision 0019) asks for tokens for itself with client_credentials and nothing
 * else; a client that names that grant at all is judged by the service client rules.
 */
export function isServiceClient(m: { grant_types?: unknown }): boolean {
  return Array.isArray(m.grant_types) && m.grant_types.includes(SERVICE_GRANT);
}

export interface CheckClientOptions {
  /** development allows http redirect URIs on localhost and *.localhost. */
  mode: 'production' | 'development';
  /** Path prefix for messages, e.g. `bridge.clients[0].` for static clients. */
  path?: string;
  /** True for API onboarding: the hub generates the secret, callers must not send one. */
  secretGenerated?: boolean;
  /**
   * Algorithms the hub holds signing keys for (see idTokenAlgorithms); an ID token algorithm
   * outside them is refused. Default: RS256 and ES256.
   */
  idTokenAlgs?: readonly string[];
}

/** ID token algorithms a client may ask for: what the hub signs with (bridge.signingKeys). */
export const ID_TOKEN_ALGS = ['RS256', 'ES256'] as const;

/**
 * The ID token algorithms a hub with these signing keys can serve: with none configured
 * (development) the hub generates one of each.
 */
export function idTokenAlgorithms(signingKeys: readonly { alg?: unknown }[]): string[] {
  if (signingKeys.length === 0) return [...ID_TOKEN_ALGS];
  return ID_TOKEN_ALGS.filter((alg) => signingKeys.some((k) => k.alg === alg));
}

/**
 * Checks a client definition and returns every problem, each starting with the field it concerns
 * (e.g. `redirect_uris[1] must not contain a fragment (#...)`). An empty list means valid.
 */
export function findClientProblems(input: unknown, options: CheckClientOptions): string[] {
  const at = options.path ?? '';
  const problems: string[] = [];
  const add = (field: string, problem: string) => problems.push(`${at}${field} ${problem}`);
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    problems.push(`${at || 'client '}must be an object with client_id and redirect_uris`.trim());
    return problems;
  }
  const m = input as Record<string, unknown>;

  for (const key of Object.keys(m)) {
    if (!KNOWN_FIELDS.has(key)) add(key, `is not a supported client field (supported: ${[...KNOWN_FIELDS].join(', ')})`);
  }

  if (typeof m.client_id !== 'string' || !CLIENT_ID.test(m.client_id)) {
    add('client_id', 'must be 3-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  if (m.client_name !== undefined && (typeof m.client_name !== 'string' || m.client_name.length === 0 || m.client_name.length > 100)) {
    add('client_name', 'must be a string of 1-100 characters');
  }

  const uriRule = { mode: options.mode };
  const service = isServiceClient(m);
  if (service) {
    checkServiceClient(m, uriRule, add);
  } else if (!Array.isArray(m.redirect_uris) || m.redirect_uris.length === 0) {
    add('redirect_uris', 'must list at least one redirect URI (matched exactly, https)');
  } else {
    checkUriList(m.redirect_uris, 'redirect_uris', uriRule, add);
  }
  if (!service && m.resources !== undefined) {
    add('resources', `is only for service clients (grant_types ["${SERVICE_GRANT}"]); a client signing users in gets tokens for the hub's userinfo endpoint`);
  }
  if (m.post_logout_redirect_uris !== undefined) {
    if (!Array.isArray(m.post_logout_redirect_uris)) add('post_logout_redirect_uris', 'must be an array of URIs');
    else checkUriList(m.post_logout_redirect_uris, 'post_logout_redirect_uris', uriRule, add);
  }
  if (m.backchannel_logout_uri !== undefined) {
    const problem = uriProblem(m.backchannel_logout_uri, uriRule);
    if (problem) add('backchannel_logout_uri', problem);
  }
  if (m.backchannel_logout_session_required !== undefined && typeof m.backchannel_logout_session_required !== 'boolean') {
    add('backchannel_logout_session_required', 'must be true or false');
  }
  if (m.backchannel_logout_session_required === true && m.backchannel_logout_uri === undefined) {
    add('backchannel_logout_session_required', 'needs backchannel_logout_uri');
  }
  for (const field of ['client_uri', 'logo_uri', 'policy_uri', 'tos_uri'] as const) {
    if (m[field] === undefined) continue;
    const problem = uriProblem(m[field], uriRule);
    if (problem) add(field, problem);
  }

  if (m.grant_types !== undefined && !service) {
    if (!Array.isArray(m.grant_types) || m.grant_types.length === 0) add('grant_types', `must be a non-empty array of ${GRANT_TYPES.join(', ')}`);
    else {
      m.grant_types.forEach((g, i) => {
        if (!GRANT_TYPES.includes(g)) add(`grant_types[${i}]`, `must be one of ${GRANT_TYPES.join(', ')} (got ${show(g)})`);
      });
      if (!m.grant_types.includes('authorization_code')) add('grant_types', 'must include authorization_code');
    }
  }
  if (m.response_types !== undefined && !service) {
    if (!Array.isArray(m.response_types) || m.response_types.length !== 1 || m.response_types[0] !== 'code') {
      add('response_types', 'must be ["code"] (authorization code flow with PKCE only)');
    }
  }

  const method = m.token_endpoint_auth_method ?? 'client_secret_basic';
  if (!AUTH_METHODS.includes(method as (typeof AUTH_METHODS)[number])) {
    add('token_endpoint_auth_method', `must be one of ${AUTH_METHODS.join(', ')} (got ${show(method)})`);
  }
  if (m.id_token_signed_response_alg !== undefined) {
    const algs = options.idTokenAlgs ?? ID_TOKEN_ALGS;
    const alg = m.id_token_signed_response_alg;
    if (!(ID_TOKEN_ALGS as readonly unknown[]).includes(alg)) {
      add('id_token_signed_response_alg', `must be one of ${ID_TOKEN_ALGS.join(', ')} (got ${show(alg)})`);
    } else if (!algs.includes(alg as string)) {
      add('id_token_signed_response_alg', `is ${String(alg)}, but the hub has no ${String(alg)} key in bridge.signingKeys (it signs with ${algs.join(', ')})`);
    }
  }
  const usesSecret = method === 'client_secret_basic' || method === 'client_secret_post';
  if (options.secretGenerated) {
    if (m.client_secret !== undefined) add('client_secret', 'is generated by the hub; leave it out (it is shown once, at creation and rotation)');
  } else if (usesSecret) {
    if (typeof m.client_secret !== 'string' || m.client_secret.length < MIN_SECRET_LENGTH) {
      add('client_secret', `must be at least ${MIN_SECRET_LENGTH} characters for token_endpoint_auth_method ${String(method)}`);
    }
  } else if (m.client_secret !== undefined) {
    add('client_secret', `must not be set for token_endpoint_auth_method ${String(method)}`);
  }
  if (method === 'private_key_jwt') {
    if (m.jwks === undefined && m.jwks_uri === undefined) add('jwks', 'or jwks_uri is required for token_endpoint_auth_method private_key_jwt');
  }
  if (m.jwks !== undefined) {
    const keys = (m.jwks as { keys?: unknown })?.keys;
    if (!Array.isArray(keys) || keys.length === 0) add('jwks', 'must be a JWK set: { "keys": [ ... ] } with at least one public key');
    else if (keys.some((k) => k && typeof k === 'object' && 'd' in k)) add('jwks', 'must hold public keys only (found a private key parameter "d")');
  }
  if (m.jwks_uri !== undefined) {
    const problem = uriProblem(m.jwks_uri, uriRule);
    if (problem) add('jwks_uri', problem);
  }

  if (m.scope !== undefined && !service) {
    if (typeof m.scope !== 'string' || m.scope.trim() === '') add('scope', `must be a space-separated list of ${ALLOWED_SCOPES.join(', ')}`);
    else {
      const scopes = m.scope.split(' ').filter(Boolean);
      for (const s of scopes) {
        if (!ALLOWED_SCOPES.includes(s as (typeof ALLOWED_SCOPES)[number])) add('scope', `contains ${show(s)}, which is not one of ${ALLOWED_SCOPES.join(', ')}`);
      }
      if (!scopes.includes('openid')) add('scope', 'must include openid');
      // Without grant_types a client has oidc-provider's default, authorization_code alone.
      const grants: unknown[] = Array.isArray(m.grant_types) ? m.grant_types : ['authorization_code'];
      if (scopes.includes('offline_access') && !grants.includes('refresh_token')) {
        add('scope', `offline_access needs grant_types to include refresh_token${Array.isArray(m.grant_types) ? '' : ' (none given: the default is authorization_code alone)'}`);
      }
    }
  }

  if (m.ssohub_first_party !== undefined && typeof m.ssohub_first_party !== 'boolean') add('ssohub_first_party', 'must be true or false');
  const access = checkTtl(m.ssohub_access_token_ttl, 'ssohub_access_token_ttl', ACCESS_TOKEN_TTL, add);
  const refresh = checkTtl(m.ssohub_refresh_token_ttl, 'ssohub_refresh_token_ttl', REFRESH_TOKEN_TTL, add);
  if (access !== undefined && refresh !== undefined && refresh < access) {
    add('ssohub_refresh_token_ttl', `must not be shorter than ssohub_access_token_ttl (${access})`);
  }
  return problems;
}

/**
 * The rules of a service client (decision 0019): client_credentials alone, confidential, never at
 * the authorization endpoint (no redirect URIs, no response types, nothing about a user's
 * sign-in or logout), and the APIs it may get tokens for named in `resources` (RFC 8707 resource
 * indicators: each token is for one of them, its `aud`).
 */
function checkServiceClient(m: Record<string, unknown>, uriRule: { mode: string }, add: (f: string, p: string) => void): void {
  const grants = m.grant_types as unknown[];
  if (grants.length !== 1) {
    add('grant_types', `must be exactly ["${SERVICE_GRANT}"] for a service client (got ${show(grants)}); a client that also signs users in is a separate client`);
  }
  if (m.redirect_uris !== undefined && !(Array.isArray(m.redirect_uris) && m.redirect_uris.length === 0)) {
    add('redirect_uris', 'must be left out for a service client: it never sends a browser to the hub');
  }
  if (m.response_types !== undefined && !(Array.isArray(m.response_types) && m.response_types.length === 0)) {
    add('response_types', 'must be left out for a service client: it cannot use the authorization endpoint');
  }
  for (const field of ['post_logout_redirect_uris', 'backchannel_logout_uri', 'ssohub_first_party', 'ssohub_refresh_token_ttl'] as const) {
    if (m[field] !== undefined) add(field, 'must be left out for a service client: it has no user, no sign-in session and no refresh token');
  }
  if (m.backchannel_logout_session_required === true) add('backchannel_logout_session_required', 'must be left out for a service client: it has no sign-in session');
  if (m.scope !== undefined) {
    add('scope', 'must be left out for a service client: its tokens carry no scope, only the audience named by `resources` (the scopes openid, email, profile and offline_access are about a user)');
  }
  if (m.token_endpoint_auth_method === 'none') {
    add('token_endpoint_auth_method', 'must be client_secret_basic, client_secret_post or private_key_jwt for a service client: a public client proves nothing about itself');
  }
  const resources = m.resources;
  if (!Array.isArray(resources) || resources.length === 0) {
    add('resources', 'must list the APIs a service client may get tokens for, e.g. ["https://api.example.com"] (RFC 8707 resource indicators; each becomes a token\'s aud)');
    return;
  }
  if (resources.length > MAX_RESOURCES) add('resources', `must list at most ${MAX_RESOURCES} APIs (got ${resources.length})`);
  checkUriList(resources, 'resources', uriRule, add);
}

/** Like findClientProblems, but returns the metadata typed when it is valid. */
export function checkClientMetadata(input: unknown, options: CheckClientOptions): { metadata: ClientMetadata; problems: [] } | { metadata: undefined; problems: string[] } {
  const problems = findClientProblems(input, options);
  return problems.length === 0 ? { metadata: input as ClientMetadata, problems: [] } : { metadata: undefined, problems };
}

function checkTtl(value: unknown, field: string, range: { min: number; max: number }, add: (f: string, p: string) => void): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    add(field, `must be a whole number of seconds between ${range.min} and ${range.max} (got ${show(value)})`);
    return undefined;
  }
  return value;
}

function checkUriList(list: unknown[], field: string, rule: { mode: string }, add: (f: string, p: string) => void): void {
  const seen = new Set<string>();
  list.forEach((uri, i) => {
    const problem = uriProblem(uri, rule);
    if (problem) add(`${field}[${i}]`, problem);
    else if (seen.has(uri as string)) add(`${field}[${i}]`, `duplicates ${show(uri)}`);
    seen.add(uri as string);
  });
}

/** Loopback host names a developer machine resolves locally: localhost and *.localhost. */
function isLocalhost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost');
}

/**
 * Why a URI the hub redirects or posts to is unacceptable, or undefined when it is fine: absolute,
 * https (http only for localhost in development), no wildcard, no fragment, no credentials.
 */
export function uriProblem(value: unknown, { mode }: { mode: string }): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return `must be an absolute URI string (got ${show(value)})`;
  if (value.includes('*')) return `must not contain wildcards; every URI is matched exactly (got ${show(value)})`;
  if (value.includes('#')) return `must not contain a fragment (#...) (got ${show(value)})`;
  if (/\s/.test(value)) return `must not contain spaces (got ${show(value)})`;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `must be an absolute URI such as https://app.example.com/callback (got ${show(value)})`;
  }
  if (u.username || u.password) return `must not contain credentials (got ${show(value)})`;
  // Matching is exact on the string, so the string must say what a browser will do with it:
  // `https://app.example\\@evil.example/cb`, `HTTPS://...`, a trailing-dot host or a default port
  // would be stored in a form that misleads whoever reads the registry.
  if (u.href !== value && `${u.href}` !== `${value}/`) return `must be written in its normal form, ${show(u.href)} (got ${show(value)})`;
  if (u.hostname.endsWith('.')) return `must not end its host name with a dot (got ${show(value)})`;
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:') {
    if (!isLocalhost(u.hostname)) return `must use https; http is only accepted for localhost in development (got ${show(value)})`;
    if (mode !== 'development') return `must use https in production; http://localhost is only accepted in development (got ${show(value)})`;
    return undefined;
  }
  return `must use https (got scheme ${show(u.protocol.replace(/:$/, ''))})`;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
