/**
 * Owns the `bridge` section of the hub's configuration: what each option means, and what a value
 * must be to be accepted.
 */
import type { ConfigProblems } from '../config/config-problems.ts';
import type { DeepPartial } from '../config/deep-partial.ts';
import { defaultsFromSchema } from '../config/defaults-from-schema.ts';

/**
 * Lifetimes of the provider's artefacts, in seconds. Every one is explicit: oidc-provider's
 * defaults are development values and it warns about each one left unset.
 */
export interface BridgeTtl {
  accessToken: number;
  authorizationCode: number;
  idToken: number;
  refreshToken: number;
  /** The provider session; it never outlives its Kratos session whatever this says. */
  session: number;
  grant: number;
  /** How long a sign-in may take between the client's redirect and the code. */
  interaction: number;
  clientCredentials: number;
  deviceCode: number;
  backchannelAuthenticationRequest: number;
}

/** Which identity traits feed which OIDC claims, and which scope releases them. */
export interface ClaimMapping {
  /** OIDC claim name (e.g. `email`, `name`). */
  claim: string;
  /** Dotted path into the Kratos identity traits (e.g. `email`, `name.first`). */
  trait: string;
  /** The scope that releases the claim. */
  scope: string;
}

/** Configuration of the OIDC bridge (the provider on the login domain). */
export interface BridgeConfig {
  /** Path the provider is mounted under; the issuer is publicUrl + path. */
  path: string;
  /** Keys that sign the provider's cookies; the first signs, all verify (rotate by prepending). */
  cookieKeys: string[];
  /**
   * Private JWKs that sign ID tokens and logout tokens (ES256 and RS256). Each needs a unique
   * `kid`; the first key of each algorithm signs, the rest only verify until their tokens expire.
   * Empty in development means: generate an ephemeral pair at startup (with a warning).
   */
  signingKeys: Record<string, unknown>[];
  /** Static clients from configuration; clients created through the admin API live in the store. */
  clients: Record<string, unknown>[];
  ttl: BridgeTtl;
  /**
   * The bridge's shortcuts (shared reads, deferred writes, read-ahead, reused Kratos checks);
   * false takes the plain path of each, with the same answers.
   */
  shortcuts: boolean;
  /**
   * Whether a user whose `email` claim's address is unverified verifies it by code before an
   * app's sign-in completes (decision 0016).
   */
  requireVerifiedEmail: boolean;
  /**
   * Claims released from identity traits. `email_verified` is derived from Kratos' verifiable
   * addresses whenever `email` is mapped; `sub` is always the identity id.
   */
  claims: ClaimMapping[];
  backchannel: {
    /**
     * Delays before each retry of a failed back-channel logout delivery, in milliseconds. The
     * first attempt is immediate; after the last retry the delivery is abandoned (and audited).
     */
    retryDelaysMs: number[];
    /** How often each hub instance looks for deliveries that are due, in milliseconds. */
    pollIntervalMs: number;
    /**
     * How long an instance holds a delivery it is attempting, in milliseconds. When the instance
     * dies during the attempt, another one takes the delivery over once this has passed. It must
     * outlast one attempt (oidc-provider gives up on a back-channel POST after 2.5 s), or a slow
     * endpoint gets the same logout twice.
     */
    leaseMs: number;
  };
}

/** The claims released when `bridge.claims` is not set: email and name (config-schema.ts). */
export const DEFAULT_CLAIMS = defaultsFromSchema('bridge.claims') as ClaimMapping[];

const MIN_LEASE_MS = 5_000;

/**
 * Validates the `bridge` options; an absent one takes its default from the schema
 * (config-schema.ts), the one place defaults are written.
 */
export function checkBridgeConfig(
  p: ConfigProblems,
  input: DeepPartial<BridgeConfig>,
  { mode }: { mode: string; publicUrl: string },
): BridgeConfig {
  const d = defaultsFromSchema('bridge') as BridgeConfig;
  const path = p.string('bridge.path', input.path ?? d.path);
  if (path && !/^\/[a-z0-9-]+$/.test(path)) p.add('bridge.path', 'must be a single path segment such as /oidc');
  const cookieKeys = p.stringArray('bridge.cookieKeys', input.cookieKeys ?? d.cookieKeys);
  cookieKeys.forEach((k, i) => {
    if (k.length < 32) p.add(`bridge.cookieKeys[${i}]`, 'must be at least 32 characters long');
  });
  if (mode === 'production' && cookieKeys.length === 0) p.add('bridge.cookieKeys', 'must hold at least one key in production');
  const signingKeys = (input.signingKeys ?? d.signingKeys) as Record<string, unknown>[];
  if (!Array.isArray(signingKeys)) p.add('bridge.signingKeys', 'must be an array of private JWKs');
  else checkSigningKeys(p, signingKeys);
  if (mode === 'production' && signingKeys.length === 0) p.add('bridge.signingKeys', 'must hold at least one private JWK in production');
  const clients = (input.clients ?? d.clients) as Record<string, unknown>[];
  if (!Array.isArray(clients)) p.add('bridge.clients', 'must be an array of client definitions');

  const ttlInput = (input.ttl ?? {}) as Partial<Record<keyof BridgeTtl, unknown>>;
  const ttl = Object.fromEntries(
    (Object.keys(d.ttl) as (keyof BridgeTtl)[]).map((k) => [
      k,
      p.integer(`bridge.ttl.${k}`, ttlInput[k] ?? d.ttl[k], { min: 1, max: 366 * 24 * 60 * 60 }),
    ]),
  ) as unknown as BridgeTtl;
  if (ttl.authorizationCode > 600) p.add('bridge.ttl.authorizationCode', 'must be at most 600 seconds (codes are meant to be redeemed at once)');

  const claims = ((input.claims ?? d.claims) as Partial<ClaimMapping>[]).map((c, i) => ({
    claim: p.string(`bridge.claims[${i}].claim`, c?.claim),
    trait: p.string(`bridge.claims[${i}].trait`, c?.trait),
    scope: p.string(`bridge.claims[${i}].scope`, c?.scope),
  }));
  claims.forEach((c, i) => {
    if (['sub', 'sid', 'acr', 'amr', 'auth_time', 'email_verified'].includes(c.claim)) {
      p.add(`bridge.claims[${i}].claim`, `must not be "${c.claim}": the bridge sets it from the Kratos session`);
    }
    if (c.scope === 'openid') p.add(`bridge.claims[${i}].scope`, 'must not be "openid": trait claims need a scope the user can see on the consent page');
  });

  const retryDelaysMs = (input.backchannel?.retryDelaysMs ?? d.backchannel.retryDelaysMs).map((delay, i) =>
    p.integer(`bridge.backchannel.retryDelaysMs[${i}]`, delay, { min: 10, max: 24 * 60 * 60 * 1000 }),
  );
  const pollIntervalMs = p.integer('bridge.backchannel.pollIntervalMs', input.backchannel?.pollIntervalMs ?? d.backchannel.pollIntervalMs, { min: 10, max: 60_000 });
  const leaseInput = input.backchannel?.leaseMs ?? d.backchannel.leaseMs;
  const leaseMs = p.integer('bridge.backchannel.leaseMs', leaseInput, { min: 1, max: 60 * 60 * 1000 });
  if (leaseMs === leaseInput && leaseMs < MIN_LEASE_MS) {
    p.add('bridge.backchannel.leaseMs', `must be at least ${MIN_LEASE_MS} ms: a lease must outlast one delivery attempt (oidc-provider gives up after 2500 ms)`);
  }

  const shortcuts = p.boolean('bridge.shortcuts', input.shortcuts ?? d.shortcuts);
  const requireVerifiedEmail = p.boolean('bridge.requireVerifiedEmail', input.requireVerifiedEmail ?? d.requireVerifiedEmail);

  return { path, cookieKeys, signingKeys, clients, ttl, shortcuts, requireVerifiedEmail, claims, backchannel: { retryDelaysMs, pollIntervalMs, leaseMs } };
}

function checkSigningKeys(p: ConfigProblems, keys: Record<string, unknown>[]): void {
  const kids = new Set<string>();
  keys.forEach((k, i) => {
    const at = `bridge.signingKeys[${i}]`;
    if (!k || typeof k !== 'object') {
      p.add(at, 'must be a private JWK object');
      return;
    }
    if (typeof k.kid !== 'string' || !k.kid) p.add(`${at}.kid`, 'must be a non-empty string (unique per key)');
    else if (kids.has(k.kid)) p.add(`${at}.kid`, `must be unique ("${k.kid}" appears twice)`);
    else kids.add(k.kid);
    if (k.alg !== 'ES256' && k.alg !== 'RS256') p.add(`${at}.alg`, 'must be "ES256" or "RS256"');
    if (typeof k.d !== 'string') p.add(at, 'must be a private key (the "d" member is missing)');
  });
  if (keys.length > 0 && !keys.some((k) => k?.alg === 'RS256')) {
    p.add('bridge.signingKeys', 'must include an RS256 key: it is the default ID token algorithm every client can verify');
  }
}
