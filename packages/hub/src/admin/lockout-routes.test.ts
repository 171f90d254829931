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
  it('records guard.unlocked and lockout.cleared with the same actor and the masked identifier, never the address', async () => {
    const events: AuditEvent[] = [];
    const audit = { record: (e: AuditEvent) => void events.push(e), tail: async () => [] };
    const config = checkConfig({ publicUrl: 'http://login.localhost:4000' });
    const storage = { kind: 'memory' as const, description: 'memory', close: async () => {} };
    const guard = createGuard({ config, log: pino({ level: 'silent' }), storage, audit, store: createMemoryGuardStore() });
    const admin = Fastify();
    registerLockoutRoutes(admin, { guard, audit } as unknown as HubContext);

    const res = await admin.inject({ method: 'DELETE', url: `/admin/lockouts/${encodeURIComponent(' Ada.Lovelace@Example.test')}`, headers: { 'x-ssohub-actor': 'root' } });
    expect(res.statusCode).toBe(200);
    expect(events.map((e) => e.type)).toEqual(['guard.unlocked', 'lockout.cleared']);
    const same = { actor: 'admin:root', subject: 'a***@example.test', identifierHash: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), cleared: 0, outcome: 'success' };
    expect(events[0]).toEqual({ type: 'guard.unlocked', ...same });
    expect(events[1]).toEqual({ type: 'lockout.cleared', ...same });
    expect(events[0]!.identifierHash).toBe(events[1]!.identifierHash);
    expect(JSON.stringify(events).toLowerCase()).not.toContain('lovelace');

    // Without a name the token holder is `admin`, in both events.
    await admin.inject({ method: 'DELETE', url: '/admin/lockouts/bob' });
    expect(events.slice(2).map((e) => e.actor)).toEqual(['admin', 'admin']);
    await admin.close();
  });
});
