import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Hub } from '../../app.ts';
import { SsoHubError } from '../../errors/ssohub-error.ts';
import type { UserAdmin } from '../../users/user-admin.ts';
import { buildConsoleTestHub, type ConsoleTestSession, getConsolePage, postConsoleForm, signInToConsole } from '../console-test-kit.ts';
import { type FakeUserAdmin, fakeUserAdmin, SAMPLE_USER_ID as ID, sampleUser } from './user-admin-fake.ts';

// The console's user pages with a stand-in UserAdmin: what they show, and that every action goes
// through the confirmation page and the CSRF check and reaches UserAdmin with the console actor.

const users = vi.hoisted(() => ({ current: undefined as unknown as UserAdmin }));
vi.mock('./user-admin-for.ts', () => ({ userAdminFor: () => users.current }));

describe('the console’s user pages', () => {
  let hub: Hub;
  let s: ConsoleTestSession;
  let admin: FakeUserAdmin;

  beforeAll(async () => {
    hub = await buildConsoleTestHub();
    s = await signInToConsole(hub, { name: 'alice' });
  });
  afterAll(() => hub.close());
  beforeEach(() => {
    admin = fakeUserAdmin(sampleUser());
    users.current = admin;
  });

  it('shows the search form alone until something is searched for', async () => {
    const res = await getConsolePage(hub, s, '/console/users');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-testid="console/user-search"');
    expect(res.body).not.toContain('data-testid="console/users"');
    expect(admin.find).not.toHaveBeenCalled();
  });

  it('finds accounts and links each to its page, in the admin’s language', async () => {
    const res = await getConsolePage(hub, s, '/console/users?q=ada', { 'accept-language': 'de' });
    expect(res.statusCode).toBe(200);
    expect(admin.find).toHaveBeenCalledWith('ada', { limit: 50 });
    expect(res.body).toContain('<html lang="de"');
    expect(res.body).toContain(`href="/console/users/${ID}"`);
    expect(res.body).toContain('Nicht bestätigt');
    expect(res.body).toContain('aria-current="page">Benutzer</a>');
  });

  it('says so when nothing matches', async () => {
    admin.find.mockResolvedValueOnce([]);
    const res = await getConsolePage(hub, s, '/console/users?q=nobody');
    expect(res.body).toContain('data-testid="console/users-empty"');
    expect(res.body).toContain('No account matches “nobody”');
  });

  it('shows an account: state, addresses, methods, second factors, sessions with device and apps, apps, and the actions it offers', async () => {
    const res = await getConsolePage(hub, s, `/console/users/${ID}`);
    expect(res.statusCode).toBe(200);
    const body = res.body;
    expect(body).toContain('Account ada@example.test');
    expect(body).toContain('data-testid="console/user-methods/password"');
    expect(body).toContain('data-testid="console/user-factors/totp"');
    expect(body).toContain('Authenticator app (TOTP)');
    expect(body).toContain('Chrome on Linux');
    expect(body).toContain('IP address 192.0.2.7');
    expect(body).toContain('Two factors');
    expect(body).toContain('<td data-label="Apps">App A</td>');
    expect(body).toContain(`href="/console/audit?subject=${ID}"`);
    // An active account with TOTP and an unproven address: disable, reset, resend, delete; not enable.
    for (const a of ['disable', 'reset-mfa', 'verify-resend', 'delete']) expect(body).toContain(`data-testid="console/user-action/${a}"`);
    expect(body).not.toContain('data-testid="console/user-action/enable"');
    // No script at all: the console works without JavaScript and under the hub's CSP.
    expect(body).not.toMatch(/<script/i);
  });

  it('offers enable on a disabled account, and no reset without a second factor', async () => {
    users.current = fakeUserAdmin(sampleUser({ state: 'inactive', secondFactors: [], sessions: [] }));
    const res = await getConsolePage(hub, s, `/console/users/${ID}`);
    expect(res.body).toContain('data-testid="console/user-disabled"');
    expect(res.body).toContain('data-testid="console/user-action/enable"');
    expect(res.body).not.toContain('data-testid="console/user-action/disable"');
    expect(res.body).not.toContain('data-testid="console/user-action/reset-mfa"');
    expect(res.body).toContain('data-testid="console/user-factors-none"');
  });

  it('answers an unknown account with the console’s 404 page', async () => {
    const res = await getConsolePage(hub, s, '/console/users/nobody@example.test', { 'accept-language': 'fr' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Il n’existe aucun compte « nobody@example.test »');
  });

  it('asks for confirmation first, then disables with the console actor and says what it did', async () => {
    const ask = await postConsoleForm(hub, s, `/console/users/${ID}/disable`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('data-testid="console/confirm-title">Disable ada@example.test?');
    expect(ask.body).toContain('name="confirmed" value="yes"');
    expect(ask.body).toContain(`href="/console/users/${ID}" data-testid="console/cancel"`);
    expect(admin.disable).not.toHaveBeenCalled();

    const done = await postConsoleForm(hub, s, `/console/users/${ID}/disable`, { confirmed: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/console/users/${ID}`);
    expect(admin.disable).toHaveBeenCalledWith(ID, 'console:alice');
    const next = await getConsolePage(hub, s, `/console/users/${ID}`);
    expect(next.body).toContain('ada@example.test is disabled: 2 sessions ended, 1 app told to sign them out.');
    // Shown once.
    expect((await getConsolePage(hub, s, `/console/users/${ID}`)).body).not.toContain('data-testid="console/notice"');
  });

  it.each([
    ['enable', 'enable', 'ada@example.test is enabled and can sign in again.'],
    ['reset-mfa', 'resetMfa', 'Second factors of ada@example.test removed: Authenticator app (TOTP); 0 sessions ended.'],
    ['verify-resend', 'resendVerification', 'A verification message was sent to ada@example.test.'],
  ] as const)('%s: confirmed, calls UserAdmin.%s with the console actor', async (segment, method, notice) => {
    expect((await postConsoleForm(hub, s, `/console/users/${ID}/${segment}`)).statusCode).toBe(200);
    expect(admin[method]).not.toHaveBeenCalled();
    const done = await postConsoleForm(hub, s, `/console/users/${ID}/${segment}`, { confirmed: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(admin[method]).toHaveBeenCalledWith(ID, 'console:alice');
    expect((await getConsolePage(hub, s, `/console/users/${ID}`)).body).toContain(notice);
  });

  it('names the second factors a reset removes on its confirmation page', async () => {
    const ask = await postConsoleForm(hub, s, `/console/users/${ID}/reset-mfa`);
    expect(ask.body).toContain('These second factors are removed: Authenticator app (TOTP).');
  });

  it('deletes, then goes back to the search', async () => {
    const done = await postConsoleForm(hub, s, `/console/users/${ID}/delete`, { confirmed: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/console/users?q=ada%40example.test');
    expect(admin.delete).toHaveBeenCalledWith(ID, 'console:alice');
  });

  it('shows a refused action on the account’s page, with the conflict in words', async () => {
    admin.resetMfa.mockRejectedValueOnce(new SsoHubError('SSOHUB_ERR_CONFLICT', 'nothing to reset', { status: 409 }));
    const res = await postConsoleForm(hub, s, `/console/users/${ID}/reset-mfa`, { confirmed: 'yes' }, { 'accept-language': 'es' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('data-testid="console/error"');
    expect(res.body).toContain('ada@example.test no tiene ningún segundo factor que restablecer.');
    expect(res.body).toContain('data-testid="console/user-title"');
  });

  it('refuses an action without the session’s CSRF token, from another site, or without a session', async () => {
    const forged = await postConsoleForm(hub, s, `/console/users/${ID}/disable`, { confirmed: 'yes', csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    const crossSite = await postConsoleForm(hub, s, `/console/users/${ID}/disable`, { confirmed: 'yes' }, { origin: 'https://evil.example' });
    expect(crossSite.statusCode).toBe(403);
    const anonymous = await hub.admin.inject({ method: 'POST', url: `/console/users/${ID}/disable`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'confirmed=yes' });
    expect(anonymous.statusCode).toBe(401);
    expect(admin.disable).not.toHaveBeenCalled();
  });

  it('refuses an action it does not know', async () => {
    // No console route answers it: the console's 404, and nothing is done.
    const res = await postConsoleForm(hub, s, `/console/users/${ID}/promote`, { confirmed: 'yes' });
    expect(res.statusCode).toBe(404);
    for (const method of ['disable', 'enable', 'delete', 'resetMfa', 'resendVerification'] as const) expect(admin[method]).not.toHaveBeenCalled();
  });
});
