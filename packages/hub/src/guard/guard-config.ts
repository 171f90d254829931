import type { ConfigProblems } from '../config/config-problems.ts';
import type { DeepPartial } from '../config/deep-partial.ts';
import { defaultsFromSchema } from '../config/defaults-from-schema.ts';
import { deepFreeze } from '../deep-freeze.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Configuration of throttling and lockout on the login domain. Durations are milliseconds. The
 * defaults are declared in the schema (config-schema.ts); docs/decisions/guard-defaults.md
 * explains each against Keycloak, Authelia and Logto.
 */
export interface GuardConfig {
  enabled: boolean;
  lockout: {
    /**
     * `identifier-ip-first`: failures lock the identifier for the attacking IP only (at
     * `threshold`), and the identifier from everywhere only past `identifierThreshold`, so a
     * victim cannot be locked out cheaply. `identifier`: one lock per identifier at `threshold`
     * (Authelia's `user` mode).
     */
    mode: 'identifier-ip-first' | 'identifier';
    /** Failed attempts per identifier+IP (or per identifier in `identifier` mode) within windowMs that lock. */
    threshold: number;
    windowMs: number;
    /** First lock; each further lock within resetMs lasts growthFactor times longer, up to maxDurationMs. */
    durationMs: number;
    growthFactor: number;
    maxDurationMs: number;
    /** How long a lock level is remembered (Keycloak's "failure reset time"). */
    resetMs: number;
    /** Failed attempts per identifier from all IPs within identifierWindowMs that lock it everywhere. */
    identifierThreshold: number;
    identifierWindowMs: number;
    identifierDurationMs: number;
    identifierMaxDurationMs: number;
  };
  ip: {
    /** Token bucket over every proxied Kratos submission of one IP. */
    burst: number;
    perMinute: number;
    /** Failed sign-ins (password or code) of one IP over all identifiers within failureWindowMs. */
    failureThreshold: number;
    failureWindowMs: number;
    /** How long an IP past failureThreshold is refused. */
    banMs: number;
  };
  codes: {
    /** Codes Kratos may send to one address (all flows, first sends and resends) per sendWindowMs. */
    sendsPerAddress: number;
    sendWindowMs: number;
    /** Code submissions one flow accepts without success before it is refused. */
    wrongPerFlow: number;
  };
  token: {
    /** Token bucket per IP on the provider's token endpoint. */
    ipBurst: number;
    ipPerMinute: number;
    /** Token bucket per client_id on the provider's token endpoint. */
    clientBurst: number;
    clientPerMinute: number;
  };
  /**
   * How long an attempt forwarded to Kratos holds its slot in the counters while Kratos answers.
   * Slots are what keeps concurrent attempts from overshooting a threshold.
   */
  pendingTimeoutMs: number;
}

/** What an empty `guard` section means: the schema's defaults (config-schema.ts), frozen. */
export const GUARD_DEFAULTS: Readonly<GuardConfig> = deepFreeze(defaultsFromSchema('guard') as GuardConfig);

const MAX_DURATION = 30 * 24 * HOUR;

/** Validates the `guard` options; an absent one takes its default from the schema. */
export function checkGuardConfig(p: ConfigProblems, input: DeepPartial<GuardConfig>, _ctx: { mode: string }): GuardConfig {
  const d = defaultsFromSchema('guard') as GuardConfig;
  const count = (path: string, value: unknown) => p.integer(path, value, { min: 1, max: 1_000_000 });
  const ms = (path: string, value: unknown) => p.integer(path, value, { min: 1, max: MAX_DURATION });
  const li = input.lockout ?? {};
  const lockout: GuardConfig['lockout'] = {
    mode: p.oneOf('guard.lockout.mode', li.mode ?? d.lockout.mode, ['identifier-ip-first', 'identifier'] as const),
    threshold: count('guard.lockout.threshold', li.threshold ?? d.lockout.threshold),
    windowMs: ms('guard.lockout.windowMs', li.windowMs ?? d.lockout.windowMs),
    durationMs: ms('guard.lockout.durationMs', li.durationMs ?? d.lockout.durationMs),
    growthFactor: factor(p, 'guard.lockout.growthFactor', li.growthFactor ?? d.lockout.growthFactor),
    maxDurationMs: ms('guard.lockout.maxDurationMs', li.maxDurationMs ?? d.lockout.maxDurationMs),
    resetMs: ms('guard.lockout.resetMs', li.resetMs ?? d.lockout.resetMs),
    identifierThreshold: count('guard.lockout.identifierThreshold', li.identifierThreshold ?? d.lockout.identifierThreshold),
    identifierWindowMs: ms('guard.lockout.identifierWindowMs', li.identifierWindowMs ?? d.lockout.identifierWindowMs),
    identifierDurationMs: ms('guard.lockout.identifierDurationMs', li.identifierDurationMs ?? d.lockout.identifierDurationMs),
    identifierMaxDurationMs: ms('guard.lockout.identifierMaxDurationMs', li.identifierMaxDurationMs ?? d.lockout.identifierMaxDurationMs),
  };
  if (lockout.maxDurationMs < lockout.durationMs) p.add('guard.lockout.maxDurationMs', `must be >= guard.lockout.durationMs (${lockout.durationMs})`);
  if (lockout.identifierMaxDurationMs < lockout.identifierDurationMs) {
    p.add('guard.lockout.identifierMaxDurationMs', `must be >= guard.lockout.identifierDurationMs (${lockout.identifierDurationMs})`);
  }
  if (lockout.mode === 'identifier-ip-first' && lockout.identifierThreshold <= lockout.threshold) {
    // Otherwise the identifier-wide lock comes first and the per-IP lock protects no one.
    p.add('guard.lockout.identifierThreshold', `must be greater than guard.lockout.threshold (${lockout.threshold}) in mode "identifier-ip-first"`);
  }
  const ii = input.ip ?? {};
  const ip: GuardConfig['ip'] = {
    burst: count('guard.ip.burst', ii.burst ?? d.ip.burst),
    perMinute: count('guard.ip.perMinute', ii.perMinute ?? d.ip.perMinute),
    failureThreshold: count('guard.ip.failureThreshold', ii.failureThreshold ?? d.ip.failureThreshold),
    failureWindowMs: ms('guard.ip.failureWindowMs', ii.failureWindowMs ?? d.ip.failureWindowMs),
    banMs: ms('guard.ip.banMs', ii.banMs ?? d.ip.banMs),
  };
  const ci = input.codes ?? {};
  const codes: GuardConfig['codes'] = {
    sendsPerAddress: count('guard.codes.sendsPerAddress', ci.sendsPerAddress ?? d.codes.sendsPerAddress),
    sendWindowMs: ms('guard.codes.sendWindowMs', ci.sendWindowMs ?? d.codes.sendWindowMs),
    wrongPerFlow: count('guard.codes.wrongPerFlow', ci.wrongPerFlow ?? d.codes.wrongPerFlow),
  };
  const ti = input.token ?? {};
  const token: GuardConfig['token'] = {
    ipBurst: count('guard.token.ipBurst', ti.ipBurst ?? d.token.ipBurst),
    ipPerMinute: count('guard.token.ipPerMinute', ti.ipPerMinute ?? d.token.ipPerMinute),
    clientBurst: count('guard.token.clientBurst', ti.clientBurst ?? d.token.clientBurst),
    clientPerMinute: count('guard.token.clientPerMinute', ti.clientPerMinute ?? d.token.clientPerMinute),
  };
  return {
    enabled: p.boolean('guard.enabled', input.enabled ?? d.enabled),
    lockout,
    ip,
    codes,
    token,
    pendingTimeoutMs: p.integer('guard.pendingTimeoutMs', input.pendingTimeoutMs ?? d.pendingTimeoutMs, { min: 1000, max: 10 * MINUTE }),
  };
}

function factor(p: ConfigProblems, path: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > 10) {
    p.add(path, `must be a number >= 1 and <= 10 (got ${JSON.stringify(value) ?? 'nothing'})`);
    return 1;
  }
  return value;
}
