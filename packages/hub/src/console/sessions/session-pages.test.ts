import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Hub } from '../../app.ts';
import type { AuditEvent } from '../../audit/audit-log.ts';
import type { UserAdmin } from '../../users/user-admin.ts';
import { buildConsoleTestHub, type ConsoleTestSession, getConsolePage, postConsoleForm, signInToConsole } from '../console-test-kit.ts';
import { type FakeUserAdmin, fakeUserAdmin, SAMPLE_USER_ID as ID, sampleUser } from '../users/user-admin-fake.ts';

// The console's sessions pages: a user's sessions from UserAdmin.show, and ending one or all of
// them through the bridge (back-channel logout to the apps), confirmed, CSRF-checked, audited
// with the console actor.

const users = vi.hoisted(() => ({ current: undefined as unknown as UserAdmin }));
vi.mock('../users/user-admin-for.ts', () => ({ userAdminFor: () => users.current }));

const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const SECOND = { id: 'c2e8a0b4-5d6f-4e1a-8b9c-0d1e2f3a4b5c', authenticatedAt: '2026-03-04T08:00:00.000Z', aal: 'aal1', methods: ['code'], devices: [{ userAgent: PHONE }], clients: [] };

describe('the console’s sessions pages', () => {
  let hub: Hub;
  let s: ConsoleTestSession;
  let admin: FakeUserAdmin;
  let ended: string[];
  let audited: AuditEvent[];
  const first = sampleUser().sessions[0]!;

  beforeAll(async () => {
    hub = await buildConsoleTestHub();
    s = await signInToConsole(hub, { name: 'alice' });
  });
  afterAll(() => hub.close());
  beforeEach(() => {
    admin = fakeUserAdmin(sampleUser({ sessions: [first, SECOND] }));
    users.current = admin;
    ended = [];
    audited = [];
    vi.spyOn(hub.ctx.bridge, 'endKratosSession').mockImplementation(async (id) => void ended.push(id));
    vi.spyOn(hub.ctx.audit, 'record').mockImplementation((e) => void audited.push(e));
  });

  it('asks for an account, then lists its sessions with device, assurance and apps', async () => {
    const empty = await getConsolePage(hub, s, '/console/sessions');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('data-testid="console/session-search"');
    expect(admin.show).not.toHaveBeenCalled();

    const res = await getConsolePage(hub, s, '/console/sessions?user=ada%40example.test');
    expect(res.statusCode).toBe(200);
    expect(admin.show).toHaveBeenCalledWith('ada@example.test');
    expect(res.body).toContain('Sessions of ada@example.test');
    expect(res.body).toContain('Chrome on Linux');
    expect(res.body).toContain('Safari on iPhone');
    expect(res.body).toContain('One factor');
    expect(res.body).toContain('<td data-label="Apps">App A</td>');
    expect(res.body).toContain(`data-testid="console/end-session/${first.id}"`);
    expect(res.body).toContain('data-testid="console/end-all-sessions"');
    expect(res.body).toContain('aria-current="page">Sessions</a>');
  });

  it('says so on the same page when the account does not exist', async () => {
    const res = await getConsolePage(hub, s, '/console/sessions?user=nobody%40example.test');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('There is no account “nobody@example.test”');
    expect(res.body).toContain('value="nobody@example.test"');
  });

  it('ends one session after confirmation, through the bridge, audited with the console actor', async () => {
    const ask = await postConsoleForm(hub, s, `/console/sessions/${ID}/${first.id}/end`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('End this session of ada@example.test?');
    expect(ended).toEqual([]);

    const done = await postConsoleForm(hub, s, `/console/sessions/${ID}/${first.id}/end`, { confirmed: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/console/sessions?user=${ID}`);
    expect(ended).toEqual([first.id]);
    expect(audited).toEqual([expect.objectContaining({ type: 'session.revoked', actor: 'console:alice', subject: ID, sessionId: first.id, outcome: 'success' })]);
    expect((await getConsolePage(hub, s, `/console/sessions?user=${ID}`)).body).toContain('The session of ada@example.test was ended');
  });

  it('ends every session after confirmation, those the hub binds but Kratos no longer lists included, as disabling does', async () => {
    // Kratos lists two active sessions; the hub still binds a third (its provider session alive).
    const UNLISTED = 'd4f6a8c0-1e3b-4d5f-8a7c-9e0b1d2f3a4c';
    const listed = vi.spyOn(hub.ctx.kratos, 'listIdentitySessions').mockResolvedValue([{ id: first.id }, { id: SECOND.id }] as never);
    const bindings = vi.spyOn(hub.ctx.bridge, 'listBindings').mockResolvedValue([
      { kratosSessionId: first.id, providerSessionUid: 'p1', accountId: ID, authTime: undefined, clients: [{ clientId: 'app-a', sid: 's1', grantId: 'g1' }] },
      { kratosSessionId: UNLISTED, providerSessionUid: 'p3', accountId: ID, authTime: undefined, clients: [{ clientId: 'app-b', sid: 's3', grantId: 'g3' }] },
    ]);
    expect((await postConsoleForm(hub, s, `/console/sessions/${ID}/end-all`)).body).toContain('End every session of ada@example.test?');
    expect(ended).toEqual([]);
    const done = await postConsoleForm(hub, s, `/console/sessions/${ID}/end-all`, { confirmed: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(listed).toHaveBeenCalledWith(ID, { active: true });
    expect(bindings).toHaveBeenCalledWith(ID);
    expect(ended).toEqual([first.id, SECOND.id, UNLISTED]);
    expect(audited.map((e) => [e.type, e.actor, e.subject, e.sessionId, e.reason])).toEqual([
      ['session.revoked', 'console:alice', ID, first.id, 'admin'],
      ['session.revoked', 'console:alice', ID, SECOND.id, 'admin'],
      ['session.revoked', 'console:alice', ID, UNLISTED, 'admin'],
    ]);
    expect((await getConsolePage(hub, s, `/console/sessions?user=${ID}`, { 'accept-language': 'de' })).body).toContain('3 Sitzungen von ada@example.test beendet.');
    listed.mockRestore();
    bindings.mockRestore();
  });

  it('does not end a session the account does not have', async () => {
    const res = await postConsoleForm(hub, s, `/console/sessions/${ID}/00000000-0000-4000-8000-000000000000/end`, { confirmed: 'yes' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('That session of ada@example.test is no longer open');
    expect(ended).toEqual([]);
  });

  it('refuses to end sessions without the CSRF token', async () => {
    const res = await postConsoleForm(hub, s, `/console/sessions/${ID}/end-all`, { confirmed: 'yes', csrf: 'nope' });
    expect(res.statusCode).toBe(403);
    expect(ended).toEqual([]);
  });
});
