import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { HubContext } from '../hub-context.ts';
import type { UserActionResult, UserAdmin } from '../users/user-admin.ts';
import { registerUserRoutes } from './user-routes.ts';

const ADA = { id: '0a0a0a0a-1111-4222-8333-944445555666', email: 'ada@example.test', state: 'active' as const, verified: true, createdAt: undefined };

/** A UserAdmin that answers every action with what it was asked, so the routes' mapping shows. */
function recordingAdmin(asked: unknown[][]): UserAdmin {
  const act = (name: string) => async (idOrEmail: string, actor: string): Promise<UserActionResult> => {
    asked.push([name, idOrEmail, actor]);
    return { user: ADA, endedSessions: [], revokedApps: [] };
  };
  return {
    find: async (query, options) => {
      asked.push(['find', query, options]);
      return [ADA];
    },
    show: async (idOrEmail) => {
      asked.push(['show', idOrEmail]);
      return { ...ADA, methods: [], secondFactors: [], addresses: [], sessions: [], apps: [] };
    },
    disable: act('disable'),
    enable: act('enable'),
    delete: act('delete'),
    resetMfa: act('resetMfa'),
    resendVerification: act('resendVerification'),
  };
}

describe('the /admin/users routes', () => {
  it('map each route to its action, with the admin as actor', async () => {
    const asked: unknown[][] = [];
    const admin = Fastify();
    registerUserRoutes(admin, {} as HubContext, recordingAdmin(asked));
    const headers = { 'x-ssohub-actor': 'alice' };
    expect((await admin.inject({ url: '/admin/users?query=ada&limit=5' })).json()).toEqual({ users: [ADA] });
    await admin.inject({ url: '/admin/users?query=ada' });
    await admin.inject({ url: '/admin/users/ada%40example.test' });
    for (const action of ['disable', 'enable', 'reset-mfa', 'verify-resend']) {
      expect((await admin.inject({ method: 'POST', url: `/admin/users/ada@example.test/${action}`, headers })).statusCode).toBe(200);
    }
    await admin.inject({ method: 'DELETE', url: `/admin/users/${ADA.id}` });
    expect(asked).toEqual([
      ['find', 'ada', { limit: 5 }],
      ['find', 'ada', {}],
      ['show', 'ada@example.test'],
      ['disable', 'ada@example.test', 'admin:alice'],
      ['enable', 'ada@example.test', 'admin:alice'],
      ['resetMfa', 'ada@example.test', 'admin:alice'],
      ['resendVerification', 'ada@example.test', 'admin:alice'],
      ['delete', ADA.id, 'admin'],
    ]);
    await admin.close();
  });

  it('refuse a missing query, a limit out of 1-100, an unknown parameter and a body on an action', async () => {
    const asked: unknown[][] = [];
    // As the hub's listeners validate (app.ts): nothing coerced, nothing dropped.
    const admin = Fastify({ ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } });
    registerUserRoutes(admin, {} as HubContext, recordingAdmin(asked));
    for (const url of ['/admin/users', '/admin/users?query=a&limit=0', '/admin/users?query=a&limit=101', '/admin/users?query=a&limit=2x', '/admin/users?query=a&page=2']) {
      expect((await admin.inject({ url })).statusCode, url).toBe(400);
    }
    const withBody = await admin.inject({ method: 'POST', url: '/admin/users/ada/disable', payload: { force: true } });
    expect(withBody.statusCode).toBe(400);
    expect(asked).toEqual([]);
    await admin.close();
  });
});
