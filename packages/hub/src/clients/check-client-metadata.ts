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

type List = readonly string[];
type NoParams = Readonly<Record<string, never>>;

/**
 * Every problem the checker can name, with its English wording. That wording is the text of
 * findClientProblems, which the admin API, the CLI and config loading print: change it only
 * knowingly. The console shows the same problems from its catalogs (console.clients.problem.<key>),
 * whose English must say the same (console/clients/client-problems.test.ts). Parameters are
 * protocol names and values, shown as they are in every language.
 */
const ENGLISH = {
  not_object: (_: NoParams) => 'must be an object with client_id and redirect_uris',
  unknown_field: (p: { supported: List }) => `is not a supported client field (supported: ${p.supported.join(', ')})`,
  client_id: (_: NoParams) => 'must be 3-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
  client_name: (_: NoParams) => 'must be a string of 1-100 characters',
  redirect_uris_required: (_: NoParams) => 'must list at least one redirect URI (matched exactly, https)',
  resources_service_only: (p: { grant: string }) =>
    `is only for service clients (grant_types ["${p.grant}"]); a client signing users in gets tokens for the hub's userinfo endpoint`,
  array_of_uris: (_: NoParams) => 'must be an array of URIs',
  boolean: (_: NoParams) => 'must be true or false',
  session_required_needs_uri: (_: NoParams) => 'needs backchannel_logout_uri',
  non_empty_array: (p: { allowed: List }) => `must be a non-empty array of ${p.allowed.join(', ')}`,
  one_of: (p: { allowed: List; got: string }) => `must be one of ${p.allowed.join(', ')} (got ${p.got})`,
  must_include: (p: { value: string }) => `must include ${p.value}`,
  response_types_code: (_: NoParams) => 'must be ["code"] (authorization code flow with PKCE only)',
  id_token_alg_no_key: (p: { alg: string; algs: List }) => `is ${p.alg}, but the hub has no ${p.alg} key in bridge.signingKeys (it signs with ${p.algs.join(', ')})`,
  secret_generated: (_: NoParams) => 'is generated by the hub; leave it out (it is shown once, at creation and rotation)',
  secret_too_short: (p: { min: number; method: string }) => `must be at least ${p.min} characters for token_endpoint_auth_method ${p.method}`,
  secret_not_allowed: (p: { method: string }) => `must not be set for token_endpoint_auth_method ${p.method}`,
  jwks_required: (_: NoParams) => 'or jwks_uri is required for token_endpoint_auth_method private_key_jwt',
  jwks_set: (_: NoParams) => 'must be a JWK set: { "keys": [ ... ] } with at least one public key',
  jwks_private: (_: NoParams) => 'must hold public keys only (found a private key parameter "d")',
  scope_list: (p: { allowed: List }) => `must be a space-separated list of ${p.allowed.join(', ')}`,
  scope_unknown: (p: { got: string; allowed: List }) => `contains ${p.got}, which is not one of ${p.allowed.join(', ')}`,
  offline_access_needs_refresh: (_: NoParams) => 'offline_access needs grant_types to include refresh_token',
  offline_access_needs_refresh_default: (_: NoParams) => 'offline_access needs grant_types to include refresh_token (none given: the default is authorization_code alone)',
  ttl_range: (p: { min: number; max: number; got: string }) => `must be a whole number of seconds between ${p.min} and ${p.max} (got ${p.got})`,
  refresh_ttl_too_short: (p: { access: number }) => `must not be shorter than ssohub_access_token_ttl (${p.access})`,
  service_grant_types: (p: { grant: string; got: string }) => `must be exactly ["${p.grant}"] for a service client (got ${p.got}); a client that also signs users in is a separate client`,
  service_no_redirect_uris: (_: NoParams) => 'must be left out for a service client: it never sends a browser to the hub',
  service_no_response_types: (_: NoParams) => 'must be left out for a service client: it cannot use the authorization endpoint',
  service_no_user: (_: NoParams) => 'must be left out for a service client: it has no user, no sign-in session and no refresh token',
  service_no_session: (_: NoParams) => 'must be left out for a service client: it has no sign-in session',
  service_no_scope: (_: NoParams) =>
    'must be left out for a service client: its tokens carry no scope, only the audience named by `resources` (the scopes openid, email, profile and offline_access are about a user)',
  service_auth_method: (_: NoParams) => 'must be client_secret_basic, client_secret_post or private_key_jwt for a service client: a public client proves nothing about itself',
  service_resources_required: (_: NoParams) =>
    'must list the APIs a service client may get tokens for, e.g. ["https://api.example.com"] (RFC 8707 resource indicators; each becomes a token\'s aud)',
  service_resources_max: (p: { max: number; got: number }) => `must list at most ${p.max} APIs (got ${p.got})`,
  uri_duplicate: (p: { got: string }) => `duplicates ${p.got}`,
  uri_string: (p: { got: string }) => `must be an absolute URI string (got ${p.got})`,
  uri_wildcard: (p: { got: string }) => `must not contain wildcards; every URI is matched exactly (got ${p.got})`,
  uri_fragment: (p: { got: string }) => `must not contain a fragment (#...) (got ${p.got})`,
  uri_spaces: (p: { got: string }) => `must not contain spaces (got ${p.got})`,
  uri_absolute: (p: { got: string }) => `must be an absolute URI such as https://app.example.com/callback (got ${p.got})`,
  uri_credentials: (p: { got: string }) => `must not contain credentials (got ${p.got})`,
  uri_normal_form: (p: { normal: string; got: string }) => `must be written in its normal form, ${p.normal} (got ${p.got})`,
  uri_host_dot: (p: { got: string }) => `must not end its host name with a dot (got ${p.got})`,
  uri_https_localhost: (p: { got: string }) => `must use https; http is only accepted for localhost in development (got ${p.got})`,
  uri_https_production: (p: { got: string }) => `must use https in production; http://localhost is only accepted in development (got ${p.got})`,
  uri_scheme: (p: { scheme: string }) => `must use https (got scheme ${p.scheme})`,
} satisfies Record<string, (params: never) => string>;

export type ClientProblemKey = keyof typeof ENGLISH;
/** The parameters of a problem: field names, values (`got`: the value as JSON, shortened) and lists of allowed values. */
export type ClientProblemParams<K extends ClientProblemKey> = Parameters<(typeof ENGLISH)[K]>[0];
/** Every key the checker can produce, e.g. for a test that each has a translation. */
export const CLIENT_PROBLEM_KEYS = Object.keys(ENGLISH) as ClientProblemKey[];

/** One problem of a client definition, for a caller that words it itself (the console, in the page's language). */
export type ClientProblem = {
  [K in ClientProblemKey]: {
    /**
     * The field, with options.path in front: `redirect_uris[1]`, `bridge.clients[2].scope`. For
     * not_object, which concerns no field, options.path alone (empty without one).
     */
    readonly field: string;
    readonly key: K;
    readonly params: ClientProblemParams<K>;
  };
}[ClientProblemKey];

type UriProblemKey = Extract<ClientProblemKey, `uri_${string}`>;
/** A problem of one URI, before the field it is in is known. */
type UriProblem = { [K in UriProblemKey]: { readonly key: K; readonly params: ClientProblemParams<K> } }[UriProblemKey];
type Add = <K extends ClientProblemKey>(field: string, key: K, params: ClientProblemParams<K>) => void;

/** A problem in English, field first: the text of findClientProblems. */
export function describeClientProblem(problem: ClientProblem): string {
  const text = (ENGLISH[problem.key] as (params: ClientProblem['params']) => string)(problem.params);
  // A client that is not an object has no field to name: `client must be ...` alone, or glued to
  // a static client's path (`bridge.clients[0].must be ...`), as this message has always read.
  if (problem.key === 'not_object') return `${problem.field || 'client '}${text}`.trim();
  return `${problem.field} ${text}`;
}

/**
 * Checks a client definition and returns every problem, each starting with the field it concerns
 * (e.g. `redirect_uris[1] must not contain a fragment (#...)`). An empty list means valid.
 */
export function findClientProblems(input: unknown, options: CheckClientOptions): string[] {
  return findClientProblemDetails(input, options).map(describeClientProblem);
}

/** The problems of findClientProblems, in the same order, as field, key and parameters. */
export function findClientProblemDetails(input: unknown, options: CheckClientOptions): ClientProblem[] {
  const at = options.path ?? '';
  const problems: ClientProblem[] = [];
  const add: Add = (field, key, params) => problems.push({ field: `${at}${field}`, key, params } as ClientProblem);
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    problems.push({ field: at, key: 'not_object', params: {} });
    return problems;
  }
  const m = input as Record<string, unknown>;

  for (const key of Object.keys(m)) {
    if (!KNOWN_FIELDS.has(key)) add(key, 'unknown_field', { supported: [...KNOWN_FIELDS] });
  }

  if (typeof m.client_id !== 'string' || !CLIENT_ID.test(m.client_id)) add('client_id', 'client_id', {});
  if (m.client_name !== undefined && (typeof m.client_name !== 'string' || m.client_name.length === 0 || m.client_name.length > 100)) {
    add('client_name', 'client_name', {});
  }

  const uriRule = { mode: options.mode };
  const service = isServiceClient(m);
  if (service) {
    checkServiceClient(m, uriRule, add);
  } else if (!Array.isArray(m.redirect_uris) || m.redirect_uris.length === 0) {
    add('redirect_uris', 'redirect_uris_required', {});
  } else {
    checkUriList(m.redirect_uris, 'redirect_uris', uriRule, add);
  }
  if (!service && m.resources !== undefined) add('resources', 'resources_service_only', { grant: SERVICE_GRANT });
  if (m.post_logout_redirect_uris !== undefined) {
    if (!Array.isArray(m.post_logout_redirect_uris)) add('post_logout_redirect_uris', 'array_of_uris', {});
    else checkUriList(m.post_logout_redirect_uris, 'post_logout_redirect_uris', uriRule, add);
  }
  if (m.backchannel_logout_uri !== undefined) checkUri(m.backchannel_logout_uri, 'backchannel_logout_uri', uriRule, add);
  if (m.backchannel_logout_session_required !== undefined && typeof m.backchannel_logout_session_required !== 'boolean') {
    add('backchannel_logout_session_required', 'boolean', {});
  }
  if (m.backchannel_logout_session_required === true && m.backchannel_logout_uri === undefined) {
    add('backchannel_logout_session_required', 'session_required_needs_uri', {});
  }
  for (const field of ['client_uri', 'logo_uri', 'policy_uri', 'tos_uri'] as const) {
    if (m[field] !== undefined) checkUri(m[field], field, uriRule, add);
  }

  if (m.grant_types !== undefined && !service) {
    if (!Array.isArray(m.grant_types) || m.grant_types.length === 0) add('grant_types', 'non_empty_array', { allowed: GRANT_TYPES });
    else {
      m.grant_types.forEach((g, i) => {
        if (!GRANT_TYPES.includes(g)) add(`grant_types[${i}]`, 'one_of', { allowed: GRANT_TYPES, got: show(g) });
      });
      if (!m.grant_types.includes('authorization_code')) add('grant_types', 'must_include', { value: 'authorization_code' });
    }
  }
  if (m.response_types !== undefined && !service) {
    if (!Array.isArray(m.response_types) || m.response_types.length !== 1 || m.response_types[0] !== 'code') {
      add('response_types', 'response_types_code', {});
    }
  }

  const method = m.token_endpoint_auth_method ?? 'client_secret_basic';
  if (!AUTH_METHODS.includes(method as (typeof AUTH_METHODS)[number])) {
    add('token_endpoint_auth_method', 'one_of', { allowed: AUTH_METHODS, got: show(method) });
  }
  if (m.id_token_signed_response_alg !== undefined) {
    const algs = options.idTokenAlgs ?? ID_TOKEN_ALGS;
    const alg = m.id_token_signed_response_alg;
    if (!(ID_TOKEN_ALGS as readonly unknown[]).includes(alg)) {
      add('id_token_signed_response_alg', 'one_of', { allowed: ID_TOKEN_ALGS, got: show(alg) });
    } else if (!algs.includes(alg as string)) {
      add('id_token_signed_response_alg', 'id_token_alg_no_key', { alg: String(alg), algs });
    }
  }
  const usesSecret = method === 'client_secret_basic' || method === 'client_secret_post';
  if (options.secretGenerated) {
    if (m.client_secret !== undefined) add('client_secret', 'secret_generated', {});
  } else if (usesSecret) {
    if (typeof m.client_secret !== 'string' || m.client_secret.length < MIN_SECRET_LENGTH) {
      add('client_secret', 'secret_too_short', { min: MIN_SECRET_LENGTH, method: String(method) });
    }
  } else if (m.client_secret !== undefined) {
    add('client_secret', 'secret_not_allowed', { method: String(method) });
  }
  if (method === 'private_key_jwt') {
    if (m.jwks === undefined && m.jwks_uri === undefined) add('jwks', 'jwks_required', {});
  }
  if (m.jwks !== undefined) {
    const keys = (m.jwks as { keys?: unknown })?.keys;
    if (!Array.isArray(keys) || keys.length === 0) add('jwks', 'jwks_set', {});
    else if (keys.some((k) => k && typeof k === 'object' && 'd' in k)) add('jwks', 'jwks_private', {});
  }
  if (m.jwks_uri !== undefined) checkUri(m.jwks_uri, 'jwks_uri', uriRule, add);

  if (m.scope !== undefined && !service) {
    if (typeof m.scope !== 'string' || m.scope.trim() === '') add('scope', 'scope_list', { allowed: ALLOWED_SCOPES });
    else {
      const scopes = m.scope.split(' ').filter(Boolean);
      for (const s of scopes) {
        if (!ALLOWED_SCOPES.includes(s as (typeof ALLOWED_SCOPES)[number])) add('scope', 'scope_unknown', { got: show(s), allowed: ALLOWED_SCOPES });
      }
      if (!scopes.includes('openid')) add('scope', 'must_include', { value: 'openid' });
      // Without grant_types a client has oidc-provider's default, authorization_code alone.
      const grants: unknown[] = Array.isArray(m.grant_types) ? m.grant_types : ['authorization_code'];
      if (scopes.includes('offline_access') && !grants.includes('refresh_token')) {
        add('scope', Array.isArray(m.grant_types) ? 'offline_access_needs_refresh' : 'offline_access_needs_refresh_default', {});
      }
    }
  }

  if (m.ssohub_first_party !== undefined && typeof m.ssohub_first_party !== 'boolean') add('ssohub_first_party', 'boolean', {});
  const access = checkTtl(m.ssohub_access_token_ttl, 'ssohub_access_token_ttl', ACCESS_TOKEN_TTL, add);
  const refresh = checkTtl(m.ssohub_refresh_token_ttl, 'ssohub_refresh_token_ttl', REFRESH_TOKEN_TTL, add);
  if (access !== undefined && refresh !== undefined && refresh < access) {
    add('ssohub_refresh_token_ttl', 'refresh_ttl_too_short', { access });
  }
  return problems;
}

/**
 * The rules of a service client (decision 0019): client_credentials alone, confidential, never at
 * the authorization endpoint (no redirect URIs, no response types, nothing about a user's
 * sign-in or logout), and the APIs it may get tokens for named in `resources` (RFC 8707 resource
 * indicators: each token is for one of them, its `aud`).
 */
function checkServiceClient(m: Record<string, unknown>, uriRule: { mode: string }, add: Add): void {
  const grants = m.grant_types as unknown[];
  if (grants.length !== 1) add('grant_types', 'service_grant_types', { grant: SERVICE_GRANT, got: show(grants) });
  if (m.redirect_uris !== undefined && !(Array.isArray(m.redirect_uris) && m.redirect_uris.length === 0)) {
    add('redirect_uris', 'service_no_redirect_uris', {});
  }
  if (m.response_types !== undefined && !(Array.isArray(m.response_types) && m.response_types.length === 0)) {
    add('response_types', 'service_no_response_types', {});
  }
  for (const field of ['post_logout_redirect_uris', 'backchannel_logout_uri', 'ssohub_first_party', 'ssohub_refresh_token_ttl'] as const) {
    if (m[field] !== undefined) add(field, 'service_no_user', {});
  }
  if (m.backchannel_logout_session_required === true) add('backchannel_logout_session_required', 'service_no_session', {});
  if (m.scope !== undefined) add('scope', 'service_no_scope', {});
  if (m.token_endpoint_auth_method === 'none') add('token_endpoint_auth_method', 'service_auth_method', {});
  const resources = m.resources;
  if (!Array.isArray(resources) || resources.length === 0) {
    add('resources', 'service_resources_required', {});
    return;
  }
  if (resources.length > MAX_RESOURCES) add('resources', 'service_resources_max', { max: MAX_RESOURCES, got: resources.length });
  checkUriList(resources, 'resources', uriRule, add);
}

/** Like findClientProblems, but returns the metadata typed when it is valid. */
export function checkClientMetadata(input: unknown, options: CheckClientOptions): { metadata: ClientMetadata; problems: [] } | { metadata: undefined; problems: string[] } {
  const problems = findClientProblems(input, options);
  return problems.length === 0 ? { metadata: input as ClientMetadata, problems: [] } : { metadata: undefined, problems };
}

function checkTtl(value: unknown, field: string, range: { min: number; max: number }, add: Add): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    add(field, 'ttl_range', { min: range.min, max: range.max, got: show(value) });
    return undefined;
  }
  return value;
}

function checkUri(value: unknown, field: string, rule: { mode: string }, add: Add): void {
  const problem = uriProblemDetail(value, rule);
  if (problem) add(field, problem.key, problem.params);
}

function checkUriList(list: unknown[], field: string, rule: { mode: string }, add: Add): void {
  const seen = new Set<string>();
  list.forEach((uri, i) => {
    const problem = uriProblemDetail(uri, rule);
    if (problem) add(`${field}[${i}]`, problem.key, problem.params);
    else if (seen.has(uri as string)) add(`${field}[${i}]`, 'uri_duplicate', { got: show(uri) });
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
export function uriProblem(value: unknown, rule: { mode: string }): string | undefined {
  const problem = uriProblemDetail(value, rule);
  return problem && (ENGLISH[problem.key] as (params: UriProblem['params']) => string)(problem.params);
}

function uriProblemDetail(value: unknown, { mode }: { mode: string }): UriProblem | undefined {
  // Shown only when refused: most URIs checked are fine.
  const refused = (key: Exclude<UriProblem['key'], 'uri_normal_form' | 'uri_scheme' | 'uri_duplicate'>): UriProblem => ({ key, params: { got: show(value) } });
  if (typeof value !== 'string' || value.length === 0) return refused('uri_string');
  if (value.includes('*')) return refused('uri_wildcard');
  if (value.includes('#')) return refused('uri_fragment');
  if (/\s/.test(value)) return refused('uri_spaces');
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return refused('uri_absolute');
  }
  if (u.username || u.password) return refused('uri_credentials');
  // Matching is exact on the string, so the string must say what a browser will do with it:
  // `https://app.example\\@evil.example/cb`, `HTTPS://...`, a trailing-dot host or a default port
  // would be stored in a form that misleads whoever reads the registry.
  if (u.href !== value && `${u.href}` !== `${value}/`) return { key: 'uri_normal_form', params: { normal: show(u.href), got: show(value) } };
  if (u.hostname.endsWith('.')) return refused('uri_host_dot');
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:') {
    if (!isLocalhost(u.hostname)) return refused('uri_https_localhost');
    if (mode !== 'development') return refused('uri_https_production');
    return undefined;
  }
  return { key: 'uri_scheme', params: { scheme: show(u.protocol.replace(/:$/, '')) } };
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
