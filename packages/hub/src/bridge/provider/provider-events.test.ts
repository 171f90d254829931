import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditLog } from '../../audit/audit-log.ts';
import { createHubMetrics } from '../../metrics/hub-metrics.ts';
import { registerProviderEvents } from './provider-events.ts';

const IP = '203.0.113.7';
const log = pino({ level: 'silent' });

function capture(): { audit: AuditLog; events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  return { events, audit: { record: (e) => void events.push(e), tail: async () => [] } };
}

/** A provider context as oidc-provider passes it to its event listeners. */
function ctx(route: string, o: { accountId?: string; clientId?: string } = {}) {
  return {
    ip: IP,
    oidc: {
      route,
      client: o.clientId ? { clientId: o.clientId } : undefined,
      session: o.accountId ? { accountId: o.accountId } : { accountId: undefined },
      params: { grant_type: 'authorization_code' },
    },
  };
}

const error = Object.assign(new Error('refused'), { error: 'invalid_request' });

// Every provider event the hub audits, what it is emitted with, and the actor docs/events.md
// gives it. The listeners registered must be exactly these: a new one needs its row here.
const catalogue: [event: string, args: unknown[], type: string, actor: string][] = [
  ['authorization.success', [ctx('authorization', { accountId: 'ada', clientId: 'app-a' })], 'oidc.authorization.succeeded', 'ada'],
  ['authorization.error', [ctx('authorization', { accountId: 'ada', clientId: 'app-a' }), error], 'oidc.authorization.failed', 'ada'],
  ['authorization.error', [ctx('authorization', { clientId: 'app-a' }), error], 'oidc.authorization.failed', IP],
  ['grant.success', [ctx('token', { clientId: 'app-a' })], 'oidc.token.issued', 'client:app-a'],
  // The provider names the client before it checks the client's credentials: not proven.
  ['grant.error', [ctx('token', { clientId: 'app-a' }), error], 'oidc.token.failed', IP],
  ['grant.revoked', [ctx('token', { clientId: 'app-a' }), 'grant-1'], 'oidc.grant.revoked', 'system'],
  ['grant.revoked', [ctx('revocation', { clientId: 'app-a' }), 'grant-1'], 'oidc.grant.revoked', 'client:app-a'],
  ['grant.revoked', [ctx('end_session_confirm', { accountId: 'ada', clientId: 'app-a' }), 'grant-1'], 'oidc.grant.revoked', 'ada'],
  ['end_session.success', [ctx('end_session_confirm', { accountId: 'ada', clientId: 'app-a' })], 'oidc.logout.succeeded', 'ada'],
  ['end_session.success', [ctx('end_session_confirm')], 'oidc.logout.succeeded', IP],
  ['end_session.error', [ctx('end_session', { accountId: 'ada' }), error], 'oidc.logout.failed', 'ada'],
  ['end_session.error', [ctx('end_session'), error], 'oidc.logout.failed', IP],
  ['end_session_confirm.error', [ctx('end_session_confirm', { accountId: 'ada' }), error], 'oidc.logout.failed', 'ada'],
  ['end_session_confirm.error', [ctx('end_session_confirm'), error], 'oidc.logout.failed', IP],
  ['introspection.error', [ctx('introspection', { clientId: 'app-a' }), error], 'oidc.introspection.failed', IP],
  ['revocation.error', [ctx('revocation', { clientId: 'app-a' }), error], 'oidc.revocation.failed', IP],
  ['userinfo.error', [ctx('userinfo', { accountId: 'ada', clientId: 'app-a' }), error], 'oidc.userinfo.failed', IP],
];

describe('provider events as audit events', () => {
  it.each(catalogue)('%s (%#) records %s with actor %s', (event, args, type, actor) => {
    const provider = new EventEmitter();
    const { audit, events } = capture();
    registerProviderEvents(provider as unknown as Provider, { audit, log });
    provider.emit(event, ...args);
    expect(events).toEqual([expect.objectContaining({ type, actor })]);
  });

  it('audits no provider event that is not in the catalogue above (each names its actor)', () => {
    const provider = new EventEmitter();
    registerProviderEvents(provider as unknown as Provider, { audit: capture().audit, log });
    // backchannel.error is logged, not audited: the deliverer audits every delivery itself.
    const audited = provider.eventNames().filter((e) => e !== 'backchannel.error');
    expect(new Set(audited)).toEqual(new Set(catalogue.map(([event]) => event)));
  });

  it('at a real token endpoint: the authenticated client on success, the IP on a wrong secret', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const provider = new Provider('http://127.0.0.1', {
      jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig' } as never] },
      clients: [{ client_id: 'svc', client_secret: 'svc-secret-svc-secret-svc-secret', grant_types: ['client_credentials'], response_types: [], redirect_uris: [], id_token_signed_response_alg: 'ES256' }],
      ttl: { ClientCredentials: 60 },
      features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    });
    const { audit, events } = capture();
    const metrics = createHubMetrics();
    registerProviderEvents(provider, { audit, log, metrics: metrics.oidc });
    const server = http.createServer(provider.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const token = (secret: string) =>
        fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`svc:${secret}`).toString('base64')}` },
          body: 'grant_type=client_credentials',
        });
      expect((await token('svc-secret-svc-secret-svc-secret')).status).toBe(200);
      expect((await token('a-wrong-secret-a-wrong-secret-xx')).status).toBe(401);
      expect(events).toEqual([
        expect.objectContaining({ type: 'oidc.token.issued', actor: 'client:svc', clientId: 'svc' }),
        expect.objectContaining({ type: 'oidc.token.failed', actor: '127.0.0.1', clientId: 'svc', error: 'invalid_client' }),
      ]);
      // The metrics: by grant type and the authenticated client; a refusal by its error only.
      const text = await metrics.registry.metrics();
      expect(text).toContain('ssohub_oidc_tokens_issued_total{grant_type="client_credentials",client_id="svc",service="ssohub-hub"} 1');
      expect(text).toContain('ssohub_oidc_token_failures_total{grant_type="client_credentials",error="invalid_client",service="ssohub-hub"} 1');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('cannot record an event without an actor (a type error, checked by tsc)', () => {
    // @ts-expect-error `actor` is required: if it ever becomes optional again, tsc fails here.
    const anonymous: AuditEvent = { type: 'oidc.token.issued', outcome: 'success' };
    expect(anonymous.actor).toBeUndefined();
  });
});
