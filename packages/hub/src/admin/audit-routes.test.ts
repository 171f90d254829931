import Fastify from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../audit/audit-log.ts';
import { errorHandlerPlugin } from '../errors/register-error-handler.ts';
import type { HubContext } from '../hub-context.ts';
import { registerAuditRoutes } from './audit-routes.ts';

describe('searching the audit trail through the admin API', () => {
  const audit = createAuditLog({ kind: 'memory', description: 'memory', close: async () => {} }, pino({ level: 'silent' }));
  const admin = Fastify({ ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } });
  beforeAll(async () => {
    await admin.register(errorHandlerPlugin);
    registerAuditRoutes(admin, { audit } as unknown as HubContext);
    for (let i = 0; i < 5; i++) audit.record({ type: 'user.disabled', actor: 'console:alice', subject: `id-${i}`, outcome: 'success' });
    audit.record({ type: 'client.created', actor: 'admin:bob', clientId: 'app-a', outcome: 'success' });
  });
  afterAll(() => admin.close());

  const search = (query: string) => admin.inject({ method: 'GET', url: `/admin/audit/search?${query}`, headers: { accept: 'application/json' } });

  it('answers the events matching a filter, newest first, with the cursor of the next page', async () => {
    const first = await search('type=user.*&count=2');
    expect(first.statusCode).toBe(200);
    const body = first.json() as { events: { subject: string; id: string }[]; next: string | null };
    expect(body.events.map((e) => e.subject)).toEqual(['id-4', 'id-3']);
    expect(body.next).toBe(body.events[1]!.id);
    const rest = (await search(`type=user.*&before=${body.next}`)).json() as { events: { subject: string }[]; next: string | null };
    expect(rest.events.map((e) => e.subject)).toEqual(['id-2', 'id-1', 'id-0']);
    expect(rest.next).toBeNull();
    expect((await search('client=app-a&actor=admin:*')).json()).toMatchObject({ events: [{ type: 'client.created', actor: 'admin:bob' }] });
    expect((await search('from=2999-01-01T00:00:00Z')).json()).toEqual({ events: [], next: null });
  });

  it('refuses a time it cannot read and a parameter it does not know, naming them', async () => {
    const bad = await search('to=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'SSOHUB_ERR_BAD_REQUEST', message: expect.stringMatching(/^to must be an ISO 8601 time/) } });
    expect((await search('limit=5')).statusCode).toBe(400);
    expect((await search('count=0')).json()).toMatchObject({ error: { message: expect.stringMatching(/count must be a whole number/) } });
  });
});
