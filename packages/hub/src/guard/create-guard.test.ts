import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../audit/audit-log.ts';
import { checkConfig } from '../config/check-config.ts';
import type { HubConfigInput } from '../config/hub-config.ts';
import { presentError } from '../errors/present-error.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { createHubMetrics } from '../metrics/hub-metrics.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { KratosAnswer, Submission } from '../proxy/submission-guard.ts';
import { createGuard, humanDuration } from './create-guard.ts';
import type { GuardStore } from './guard-store.ts';
import { createMemoryGuardStore } from './memory-guard-store.ts';

const request = {} as FastifyRequest;
const reply = {} as FastifyReply;
const failed: KratosAnswer = { status: 303, setSession: false, location: undefined };
const succeeded: KratosAnswer = { status: 303, setSession: true, location: undefined };

function setup(guard: HubConfigInput['guard'] = {}, store: GuardStore = createMemoryGuardStore()) {
  const config = checkConfig({ publicUrl: 'http://login.localhost:4000', guard });
  const events: AuditEvent[] = [];
  const metrics = createHubMetrics();
  const g = createGuard({
    config,
    log: pino({ level: 'silent' }),
    storage: { kind: 'memory', description: 'memory', close: async () => {} },
    audit: { record: (e) => events.push(e), tail: async () => [] },
    metrics,
    store,
  });
  const signIn = async (identifier: string, ip: string, answer = failed) => {
    const s: Submission = { kind: 'login', flowId: 'f1', ip, fields: { method: 'password', identifier, password: 'x' } };
    await g.before(s, request);
    await g.after(s, answer, request, reply);
  };
  return { guard: g, events, metrics, signIn };
}

async function refusal(work: Promise<unknown>): Promise<SsoHubError> {
  const err = await work.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SsoHubError);
  return err as SsoHubError;
}

describe('the guard in front of Kratos submissions', () => {
  it('refuses with a 429 page that says how long to wait and names no account', async () => {
    const { signIn, events, metrics } = setup({ lockout: { threshold: 2, durationMs: 120_000, maxDurationMs: 120_000 } });
    await signIn('ada@x.test', '192.0.2.1');
    await signIn('ada@x.test', '192.0.2.1');
    const err = await refusal(signIn('ada@x.test', '192.0.2.1'));
    const shown = presentError(err, 'req-1');
    expect(shown).toMatchObject({ status: 429, code: 'SSOHUB_ERR_THROTTLED', title: 'Too many attempts', headers: { 'retry-after': '120' } });
    expect(shown.message).toBe('Too many attempts. For your security, please wait 2 minutes and try again.');
    expect(JSON.stringify(events)).not.toContain('ada@x.test');
    expect(events.map((e) => e.type)).toEqual(['login.failed', 'login.failed', 'guard.locked', 'guard.throttled']);
    expect(events[0]).toMatchObject({ subject: 'a***@x.test', ip: '192.0.2.1', method: 'password', outcome: 'failure' });
    expect(events[2]).toMatchObject({ subject: 'a***@x.test', scope: 'identifier_ip', ip: '192.0.2.1', level: 1, failures: 2 });
    expect(await metrics.registry.getSingleMetricAsString('ssohub_guard_failures_total')).toMatch(/kind="password"[^}]*} 2/);
  });

  it('forgets identifier+IP failures when the owner signs in, but not identifier-wide ones', async () => {
    const { signIn, events } = setup({ lockout: { threshold: 2, identifierThreshold: 3 } });
    await signIn('ada@x.test', '192.0.2.1');
    await signIn('ada@x.test', '192.0.2.1', succeeded);
    expect(events.map((e) => e.type)).toEqual(['login.failed', 'login.succeeded']);
    await signIn('ada@x.test', '192.0.2.1');
    await signIn('ada@x.test', '192.0.2.2');
    // Three identifier-wide failures (the success did not erase them): locked from everywhere.
    expect((await refusal(signIn('ada@x.test', '198.51.100.9', succeeded))).status).toBe(429);
  });

  it('locks the identifier from everywhere at the threshold in mode "identifier"', async () => {
    const { signIn, guard } = setup({ lockout: { mode: 'identifier', threshold: 2 } });
    await signIn('ada@x.test', '192.0.2.1');
    await signIn('ada@x.test', '192.0.2.2');
    expect((await refusal(signIn('ada@x.test', '192.0.2.3'))).status).toBe(429);
    expect(await guard.listLockouts()).toEqual([expect.objectContaining({ identifier: 'ada@x.test', ip: undefined, failures: 2 })]);
  });

  it('records who cleared a lock and the masked identifier, as every audit event names them', async () => {
    const { guard, signIn, events } = setup({ lockout: { threshold: 2, durationMs: 120_000, maxDurationMs: 120_000 } });
    await signIn('ada@x.test', '192.0.2.1');
    await signIn('ada@x.test', '192.0.2.1');
    expect(await guard.clearLockout(' ADA@x.test', 'admin:root')).toBe(1);
    const locked = events.find((e) => e.type === 'guard.locked')!;
    expect(events.at(-1)).toEqual({
      type: 'guard.unlocked',
      actor: 'admin:root',
      subject: 'a***@x.test',
      identifierHash: locked.identifierHash,
      cleared: 1,
      outcome: 'success',
    });
    expect(JSON.stringify(events)).not.toContain('ada@');
  });

  it('throttles every submission of one IP with a token bucket', async () => {
    const { guard, events } = setup({ ip: { burst: 2, perMinute: 1 } });
    const s: Submission = { kind: 'registration', flowId: 'f', ip: '192.0.2.9', fields: { method: 'profile' } };
    await guard.before(s, request);
    await guard.before(s, request);
    const err = await refusal(guard.before(s, request));
    expect(err.headers?.['retry-after']).toBe('60');
    await refusal(guard.before(s, request));
    // A flood is one audit event per minute, not one per request.
    expect(events.filter((e) => e.type === 'guard.throttled')).toHaveLength(1);
  });

  it('refuses (503, not shown) rather than let a request through unchecked when the store fails', async () => {
    const broken: GuardStore = { ...createMemoryGuardStore(), take: async () => Promise.reject(new Error('ECONNREFUSED')) };
    const { guard, metrics } = setup({}, broken);
    const err = await refusal(guard.before({ kind: 'login', flowId: 'f', ip: '192.0.2.1', fields: {} }, request));
    expect(presentError(err, 'r')).toMatchObject({ status: 503, code: 'SSOHUB_ERR_INTERNAL' });
    expect(await metrics.registry.getSingleMetricAsString('ssohub_guard_store_errors_total')).toContain(' 1');
  });

  it('throttles the token endpoint per IP and per client', async () => {
    const { guard } = setup({ token: { ipBurst: 1, ipPerMinute: 1, clientBurst: 1, clientPerMinute: 1 } });
    await guard.checkTokenRequest({ ip: '192.0.2.1', clientId: 'app-a' });
    expect((await refusal(guard.checkTokenRequest({ ip: '192.0.2.1' }))).status).toBe(429);
    expect((await refusal(guard.checkTokenRequest({ ip: '192.0.2.2', clientId: 'app-a' }))).status).toBe(429);
    await guard.checkTokenRequest({ ip: '192.0.2.3', clientId: 'x'.repeat(500) });
  });

  it('counts sign-ins by method and outcome: password and code as before, passkeys, second factors and oidc too', async () => {
    const { guard, signIn, metrics } = setup();
    await signIn('ada@x.test', '192.0.2.1');
    await signIn('ada@x.test', '192.0.2.1', succeeded);
    const submit = async (fields: Record<string, string>, answer: KratosAnswer) => {
      const s: Submission = { kind: 'login', flowId: 'f2', ip: '192.0.2.5', fields };
      await guard.before(s, request);
      await guard.after(s, answer, request, reply);
    };
    await submit({ method: 'code', identifier: 'ada@x.test', code: '000000' }, failed);
    await submit({ method: 'passkey', passkey_login: '{}' }, succeeded);
    await submit({ method: 'totp', totp_code: '123456' }, failed);
    await submit({ method: 'totp', totp_code: '654321' }, succeeded);
    await submit({ method: 'lookup_secret', lookup_secret: 'abcd' }, succeeded);
    await submit({ method: 'webauthn', webauthn_login: '{}' }, succeeded);
    await submit({ method: 'oidc', provider: 'upstream' }, { status: 303, setSession: false, location: 'https://idp.test/authorize?state=s' });
    // Steps that try no credential are not sign-ins.
    await submit({ method: 'webauthn', identifier: 'ada@x.test' }, failed);
    await submit({ method: 'identifier_first', identifier: 'ada@x.test' }, failed);
    const text = await metrics.registry.getSingleMetricAsString('ssohub_sign_ins_total');
    const counted = [...text.matchAll(/^ssohub_sign_ins_total\{method="(\w+)",outcome="(\w+)"[^}]*\} (\d+)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    expect(counted.sort()).toEqual(
      ['password failure 1', 'password success 1', 'code failure 1', 'passkey success 1', 'totp failure 1', 'totp success 1', 'lookup_secret success 1', 'webauthn success 1', 'oidc started 1'].sort(),
    );
  });

  it('counts sign-ins with the guard turned off too', async () => {
    const { guard, metrics } = setup({ enabled: false });
    const s: Submission = { kind: 'login', flowId: 'f1', ip: '192.0.2.1', fields: { method: 'password', identifier: 'ada@x.test', password: 'x' } };
    await guard.before(s, request);
    await guard.after(s, succeeded, request, reply);
    expect(await metrics.registry.getSingleMetricAsString('ssohub_sign_ins_total')).toMatch(/^ssohub_sign_ins_total\{method="password",outcome="success"[^}]*\} 1$/m);
  });

  it('writes durations people can read', () => {
    expect([humanDuration(1), humanDuration(45), humanDuration(120), humanDuration(3600), humanDuration(7200)]).toEqual([
      '1 second',
      '45 seconds',
      '2 minutes',
      '60 minutes',
      '2 hours',
    ]);
  });
});
