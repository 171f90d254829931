import Fastify from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../audit/audit-log.ts';
import { checkConfig } from '../config/check-config.ts';
import { createGuard } from '../guard/create-guard.ts';
import { createMemoryGuardStore } from '../guard/memory-guard-store.ts';
import type { HubContext } from '../hub-context.ts';
import { registerLockoutRoutes } from './lockout-routes.ts';

describe('clearing a lockout through the admin API', () => {
  it('records one guard.unlocked per unlock, with the admin as actor and the masked identifier, never the address', async () => {
    const events: AuditEvent[] = [];
    const audit = { record: (e: AuditEvent) => void events.push(e), tail: async () => [] };
    const config = checkConfig({ publicUrl: 'http://login.localhost:4000' });
    const storage = { kind: 'memory' as const, description: 'memory', close: async () => {} };
    const guard = createGuard({ config, log: pino({ level: 'silent' }), storage, audit, store: createMemoryGuardStore() });
    const admin = Fastify();
    registerLockoutRoutes(admin, { guard, audit } as unknown as HubContext);

    const res = await admin.inject({ method: 'DELETE', url: `/admin/lockouts/${encodeURIComponent(' Ada.Lovelace@Example.test')}`, headers: { 'x-ssohub-actor': 'root' } });
    expect(res.statusCode).toBe(200);
    // One admin action, one event (lockout.cleared, once recorded next to it, is removed).
    expect(events).toEqual([
      { type: 'guard.unlocked', actor: 'admin:root', subject: 'a***@example.test', identifierHash: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), cleared: 0, outcome: 'success' },
    ]);
    expect(JSON.stringify(events).toLowerCase()).not.toContain('lovelace');

    // Without a name the token holder is `admin`.
    await admin.inject({ method: 'DELETE', url: '/admin/lockouts/bob' });
    expect(events.slice(1).map((e) => [e.type, e.actor])).toEqual([['guard.unlocked', 'admin']]);
    await admin.close();
  });
});
