import { randomUUID } from 'node:crypto';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { text } from '../i18n/translate.ts';
import type { HubContext } from '../hub-context.ts';
import { createHubMetrics, type HubMetrics } from '../metrics/hub-metrics.ts';
import type { Submission } from '../proxy/submission-guard.ts';
import { addRequestEvent } from '../tracing/hub-spans.ts';
import { auditIdentifier, classifySubmission, hashIdentifier, maskIdentifier, normalizeIdentifier } from './classify-submission.ts';
import type { Guard } from './guard.ts';
import type { GuardStore, NewLock, Refusal, SettleScope, TokenBucket } from './guard-store.ts';
import { createMemoryGuardStore } from './memory-guard-store.ts';
import { createRedisGuardStore } from './redis-guard-store.ts';
import { countSignIn } from './sign-in-outcome.ts';

/** Code guesses on one flow are counted over this window (longer than any flow lives). */
const FLOW_WINDOW_MS = 60 * 60 * 1000;
/** At most one guard.throttled audit event per kind and scope per this period, per instance. */
const AUDIT_THROTTLE_EVERY_MS = 60 * 1000;

export type GuardDependencies = Pick<HubContext, 'config' | 'log' | 'storage' | 'audit'> & {
  metrics?: HubMetrics;
  /** Overrides the store chosen from `storage` (unit tests). */
  store?: GuardStore;
};

interface Attempt {
  id: string;
  kind: 'password' | 'code';
  scopes: SettleScope[];
  identifier: string | undefined;
}

type RefusalKind = 'ip' | 'ip_failures' | 'identifier' | 'code_send' | 'code_flow' | 'token_ip' | 'token_client';

/**
 * Builds the guard in front of Kratos submissions and the token endpoint. Decisions:
 * - before forwarding, every counted attempt reserves a slot in each of its scopes (atomic in
 *   the store), so concurrent attempts cannot all pass a check made before any of them failed;
 * - after Kratos answered, a sign-in that set no session is a failure; failures lock
 *   identifier+IP first and the identifier alone past a higher bar (docs/decisions/guard-defaults.md);
 * - every refusal says the same thing whether or not the account exists.
 */
export function createGuard(deps: GuardDependencies): Guard {
  const { config, log, audit } = deps;
  const c = config.guard;
  const metrics = deps.metrics ?? createHubMetrics();
  const hubOrigin = new URL(config.publicUrl).origin;
  if (!c.enabled) {
    log.warn('ssohub WARNING: guard.enabled=false: no throttling and no lockout on the login domain');
    return {
      async before() {},
      // Sign-ins are counted all the same: the metric does not depend on the guard.
      async after(submission, answer) {
        countSignIn(metrics.signIns, submission, answer, hubOrigin);
      },
      async listLockouts() {
        return [];
      },
      async clearLockout() {
        return 0;
      },
      async checkTokenRequest() {},
    };
  }
  const store =
    deps.store ?? (deps.storage.kind === 'redis' ? createRedisGuardStore(deps.storage.redis, deps.storage.prefix) : createMemoryGuardStore());
  const attempts = new WeakMap<Submission, Attempt>();
  const lastAudit = new Map<string, number>();

  const refuse = (kind: RefusalKind, retryAfterMs: number, facts: { ip: string; identifier?: string; scope?: string }): never => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    metrics.guard.throttled.inc({ kind });
    addRequestEvent('ssohub.guard.throttled', { 'ssohub.guard.kind': kind, 'ssohub.guard.retry_after_s': seconds });
    const subject = facts.identifier ? maskIdentifier(facts.identifier) : undefined;
    const auditKey = `${kind}|${facts.scope ?? facts.ip}`;
    const now = Date.now();
    if ((lastAudit.get(auditKey) ?? 0) + AUDIT_THROTTLE_EVERY_MS <= now) {
      if (lastAudit.size > 10_000) lastAudit.clear();
      lastAudit.set(auditKey, now);
      audit.record({ type: 'guard.throttled', actor: facts.ip, ip: facts.ip, subject, kind, retryAfterSeconds: seconds, outcome: 'failure' });
    }
    throw new SsoHubError('SSOHUB_ERR_THROTTLED', text('errors.throttled', waitOf(seconds)), {
      status: 429,
      headers: { 'retry-after': String(seconds) },
      detail: { kind, subject },
    });
  };

  // The store is the only thing standing between an attacker and Kratos: when it fails, refuse.
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      metrics.guard.errors.inc();
      throw new SsoHubError('SSOHUB_ERR_INTERNAL', 'guard store unavailable', { status: 503, expose: false, cause: err });
    }
  };

  const signInScopes = (identifier: string, ip: string): SettleScope[] => {
    const l = c.lockout;
    const hash = hashIdentifier(identifier);
    const pairFirst = l.mode === 'identifier-ip-first';
    const scopes: SettleScope[] = [
      {
        scope: `id:${hash}`,
        limit: pairFirst ? l.identifierThreshold : l.threshold,
        windowMs: pairFirst ? l.identifierWindowMs : l.windowMs,
        lock: {
          durationMs: pairFirst ? l.identifierDurationMs : l.durationMs,
          growthFactor: l.growthFactor,
          maxDurationMs: pairFirst ? l.identifierMaxDurationMs : l.maxDurationMs,
          resetMs: l.resetMs,
          identifier,
          ip: '',
        },
        // In pair-first mode a success by the owner must not wipe what attackers elsewhere did.
        resetOnSuccess: !pairFirst,
      },
    ];
    if (pairFirst) {
      scopes.push({
        scope: `pair:${hash}:${ip}`,
        limit: l.threshold,
        windowMs: l.windowMs,
        lock: { durationMs: l.durationMs, growthFactor: l.growthFactor, maxDurationMs: l.maxDurationMs, resetMs: l.resetMs, identifier, ip },
        resetOnSuccess: true,
      });
    }
    scopes.push(ipScope(ip));
    return scopes;
  };
  const ipScope = (ip: string): SettleScope => ({
    scope: `ip:${ip}`,
    limit: c.ip.failureThreshold,
    windowMs: c.ip.failureWindowMs,
    lock: { durationMs: c.ip.banMs, growthFactor: 1, maxDurationMs: c.ip.banMs, resetMs: c.ip.banMs, identifier: '', ip },
  });
  const flowScope = (flowId: string): SettleScope => ({ scope: `flow:${flowId}`, limit: c.codes.wrongPerFlow, windowMs: FLOW_WINDOW_MS });

  const kindOf = (r: Refusal): RefusalKind =>
    r.scope.startsWith('ip:') ? 'ip_failures' : r.scope.startsWith('flow:') ? 'code_flow' : 'identifier';

  const reportLocks = (locks: NewLock[], attempt: Attempt, ip: string) => {
    for (const lock of locks) {
      const scope = lock.scope.startsWith('pair:') ? 'identifier_ip' : lock.scope.startsWith('id:') ? 'identifier' : 'ip';
      metrics.guard.locked.inc({ scope });
      addRequestEvent('ssohub.guard.locked', { 'ssohub.guard.scope': scope, 'ssohub.guard.level': lock.level });
      const subject = scope === 'ip' || !attempt.identifier ? undefined : maskIdentifier(attempt.identifier);
      const facts = {
        scope,
        identifierHash: subject ? hashIdentifier(attempt.identifier!) : undefined,
        durationSeconds: Math.ceil(lock.durationMs / 1000),
        level: lock.level,
        failures: lock.failures,
      };
      audit.record({ type: 'guard.locked', actor: ip, ip, subject, outcome: 'info', ...facts });
      log.warn({ guard: { ...facts, subject, ip } }, 'guard lock set');
    }
  };

  return {
    async before(submission) {
      const { ip } = submission;
      const refused = await guarded(() => store.take([{ key: `sub:${ip}`, burst: c.ip.burst, perMinute: c.ip.perMinute }]));
      if (refused) refuse('ip', refused.waitMs, { ip });

      const cls = classifySubmission(submission);
      const flow = submission.flowId && submission.flowId.length <= 64 ? submission.flowId : undefined;
      if (cls.type === 'codeSend') {
        const target = cls.address ? `send:${hashIdentifier(cls.address)}` : flow ? `send:flow:${flow}` : undefined;
        if (!target) return;
        const r = await guarded(() =>
          store.reserve([{ scope: target, limit: c.codes.sendsPerAddress, windowMs: c.codes.sendWindowMs }], randomUUID(), {
            mode: 'count',
            pendingMs: c.pendingTimeoutMs,
          }),
        );
        if (r) refuse('code_send', r.retryAfterMs, { ip, ...(cls.address ? { identifier: cls.address } : {}), scope: target });
        return;
      }
      let attempt: Attempt;
      if (cls.type === 'signIn') {
        const scopes = signInScopes(cls.identifier, ip);
        if (cls.withCode && flow) scopes.push(flowScope(flow));
        attempt = { id: randomUUID(), kind: cls.withCode ? 'code' : 'password', scopes, identifier: cls.identifier };
      } else if (cls.type === 'codeGuess') {
        const scopes = [...(flow ? [flowScope(flow)] : []), ...(cls.countsForIp ? [ipScope(ip)] : [])];
        if (scopes.length === 0) return;
        attempt = { id: randomUUID(), kind: 'code', scopes, identifier: undefined };
      } else {
        return;
      }
      const r = await guarded(() => store.reserve(attempt.scopes, attempt.id, { mode: 'pending', pendingMs: c.pendingTimeoutMs }));
      if (r) refuse(kindOf(r), r.retryAfterMs, { ip, ...(attempt.identifier ? { identifier: attempt.identifier } : {}), scope: r.scope });
      attempts.set(submission, attempt);
    },

    async after(submission, answer) {
      // Every method, whether or not the guard counts its attempts (passkeys, second factors, oidc).
      countSignIn(metrics.signIns, submission, answer, hubOrigin);
      const attempt = attempts.get(submission);
      if (!attempt) return;
      attempts.delete(submission);
      const failed = !answer.setSession;
      if (failed) metrics.guard.failures.inc({ kind: attempt.kind });
      addRequestEvent('ssohub.guard.attempt', { 'ssohub.guard.kind': attempt.kind, 'ssohub.guard.outcome': failed ? 'failure' : 'success' });
      if (attempt.identifier) {
        audit.record({
          type: failed ? 'login.failed' : 'login.succeeded',
          actor: submission.ip,
          ip: submission.ip,
          subject: maskIdentifier(attempt.identifier),
          identifierHash: hashIdentifier(attempt.identifier),
          method: attempt.kind,
          outcome: failed ? 'failure' : 'success',
        });
      }
      try {
        reportLocks(await store.settle(attempt.scopes, attempt.id, failed), attempt, submission.ip);
      } catch (err) {
        // Kratos has answered; pass its answer on. The slot expires after pendingTimeoutMs.
        metrics.guard.errors.inc();
        log.error({ err }, 'guard could not record an attempt');
      }
    },

    async listLockouts() {
      const locks = await store.listLocks();
      return locks
        .map((l) => ({ key: l.scope, identifier: l.identifier, ip: l.ip, until: new Date(l.until).toISOString(), failures: l.failures, level: l.level }))
        .sort((a, b) => a.until.localeCompare(b.until));
    },

    async clearLockout(identifier, actor) {
      const normalized = normalizeIdentifier(identifier);
      const cleared = await store.clear(hashIdentifier(normalized));
      if (cleared.length > 0) metrics.guard.unlocked.inc(cleared.length);
      audit.record({ type: 'guard.unlocked', actor, ...auditIdentifier(normalized), cleared: cleared.length, outcome: 'success' });
      return cleared.length;
    },

    async checkTokenRequest({ ip, clientId }) {
      // The IP's bucket first: a flood from one address that it refuses must not drain the
      // client's bucket for everyone else. Both in one round trip (this is on every token request).
      const buckets: TokenBucket[] = [];
      if (ip) buckets.push({ key: `tok:ip:${ip}`, burst: c.token.ipBurst, perMinute: c.token.ipPerMinute });
      // Client ids are chosen by the caller: hash long or odd ones so keys stay short and printable.
      const key = clientId ? (/^[\x21-\x7e]{1,128}$/.test(clientId) ? clientId : hashIdentifier(clientId)) : undefined;
      if (key) buckets.push({ key: `tok:client:${key}`, burst: c.token.clientBurst, perMinute: c.token.clientPerMinute });
      if (buckets.length === 0) return;
      const refused = await guarded(() => store.take(buckets));
      if (!refused) return;
      if (buckets[refused.index]!.key.startsWith('tok:ip:')) refuse('token_ip', refused.waitMs, { ip: ip! });
      refuse('token_client', refused.waitMs, { ip: ip ?? 'unknown', scope: `client:${key}` });
    },
  };
}

/**
 * The wait a refusal names, as the `errors.throttled` message's arguments: seconds up to 89, then
 * minutes up to 89, then hours, each rounded up (the message says "2 minutes", never "120 seconds").
 */
export function waitOf(seconds: number): { unit: 'second' | 'minute' | 'hour'; count: number } {
  if (seconds < 90) return { unit: 'second', count: seconds };
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return { unit: 'minute', count: minutes };
  return { unit: 'hour', count: Math.ceil(minutes / 60) };
}

export function humanDuration(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}
