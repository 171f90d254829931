import { EXIT } from '@ssohub/cli';
import { HttpSession } from '@ssohub/testkit';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { authorizationRequest, type BackchannelReceiver, createUser, startBackchannelReceiver, submitKratosLogin, type TestUser, walk } from '../support/bridge-kit.ts';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';
import { runCli, spawnCli } from './cli-run.ts';

const APP = 'https://app-a.test';
const SECRET = 'app-a-secret-0123456789abcdefghijklmnop';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The logout token's claims (the test reads them; the hub never shows a token anywhere). */
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub?: string; sid?: string };

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

describe('ssohub users and backchannel against a running hub and Kratos', () => {
  let stack: HubStack;
  let receiver: BackchannelReceiver;
  let env: Record<string, string>;

  /** Signs `user` in to app-a through the real Kratos login, as a browser; returns the sid. */
  const signIn = async (user: TestUser): Promise<string> => {
    const appA = await oidc.discovery(new URL(`${stack.hubUrl}/oidc`), 'app-a', undefined, oidc.ClientSecretBasic(SECRET));
    const browser = new HttpSession();
    const req = await authorizationRequest(appA, `${APP}/callback`);
    let end = await walk(browser, req.url, [APP]);
    if (end.kind === 'login') end = await walk(browser, await submitKratosLogin(browser, stack.hubUrl, end.flowId, user), [APP]);
    if (end.kind !== 'callback') throw new Error(`expected the callback, got ${end.kind}`);
    const tokens = await oidc.authorizationCodeGrant(appA, end.url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    return tokens.claims()!.sid as string;
  };

  beforeAll(async () => {
    receiver = await startBackchannelReceiver('localhost', { cert: inject('certPem'), key: inject('keyPem') });
    stack = await startHubStack({
      allowedReturnOrigins: [APP],
      config: {
        bridge: {
          // Two attempts 200 ms apart, then the delivery is given up: a failure is quick to reach.
          backchannel: { retryDelaysMs: [200], pollIntervalMs: 50, leaseMs: 5_000 },
          clients: [
            {
              client_id: 'app-a',
              client_name: 'App A',
              client_secret: SECRET,
              redirect_uris: [`${APP}/callback`],
              token_endpoint_auth_method: 'client_secret_basic',
              // With a query, as an app may keep a tenant or a key there: no operator view repeats it.
              backchannel_logout_uri: `${receiver.uri}?tenant=t1`,
              backchannel_logout_session_required: true,
              ssohub_first_party: true,
            },
          ],
        },
      },
    });
    env = { SSOHUB_ADMIN_URL: stack.adminUrl, SSOHUB_ADMIN_TOKEN: adminTokenForTests };
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('finds a user and shows their sessions and apps, as the real binary and in-process', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'cli-find');
    await signIn(user);

    const found = await spawnCli(['users', 'find', user.email, '--json'], env);
    expect(found.stderr).toBe('');
    expect(found.code).toBe(EXIT.OK);
    expect(found.json().users).toEqual([expect.objectContaining({ id: user.id, email: user.email, state: 'active', verified: true })]);
    const table = await runCli(['users', 'find', user.email.split('@')[0]!], env);
    expect(table.stdout).toMatch(/^ID +EMAIL +STATE +VERIFIED +CREATED$/m);
    expect(table.stdout).toMatch(new RegExp(`^${user.id} +${user.email.replaceAll('.', '\\.')} +active +yes `, 'm'));

    const shown = await runCli(['users', 'show', user.email, '--json'], env);
    expect(shown.code, shown.stderr).toBe(EXIT.OK);
    expect(shown.json().user).toMatchObject({ id: user.id, methods: expect.arrayContaining(['password']), apps: [{ clientId: 'app-a', name: 'App A' }] });
    expect(shown.json().user.sessions).toHaveLength(1);
    const human = await runCli(['users', 'show', user.id], env);
    expect(human.stdout).toMatch(/^state: +active$/m);
    expect(human.stdout).toMatch(/^apps: +app-a \(App A\)$/m);
    expect(human.stdout).toMatch(/^SESSION +SIGNED IN/m);

    const missing = await runCli(['users', 'show', 'nobody-at-all@example.test'], env);
    expect(missing.code).toBe(EXIT.NOT_FOUND);
  });

  it('disables a user (their app gets its back-channel logout), re-enables them, refuses a pointless reset-mfa, deletes them; each audited with the operator', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'cli-disable');
    const sid = await signIn(user);
    const before = receiver.tokens.length;

    const refused = await runCli(['users', 'disable', user.email], env);
    expect(refused.code).toBe(EXIT.USAGE);
    expect(refused.stderr).toMatch(/add --yes to confirm/);

    const disabled = await runCli(['users', 'disable', user.email, '--yes', '--json'], env);
    expect(disabled.code, disabled.stdout + disabled.stderr).toBe(EXIT.OK);
    expect(disabled.json()).toMatchObject({ user: { id: user.id, state: 'inactive' }, revokedApps: ['app-a'] });
    expect(disabled.json().endedSessions).toHaveLength(1);
    await until('the back-channel logout', async () => receiver.tokens.slice(before), (t) => t.some((token) => claimsOf(token).sid === sid));
    expect((await runCli(['users', 'show', user.id, '--json'], env)).json().user.state).toBe('inactive');

    const enabled = await runCli(['users', 'enable', user.id], env);
    expect(enabled.code, enabled.stderr).toBe(EXIT.OK);
    expect(enabled.stdout).toBe(`Enabled ${user.email} (${user.id}): they can sign in again.\n`);

    const reset = await runCli(['users', 'reset-mfa', user.id, '--yes'], env);
    expect(reset.code).toBe(EXIT.CONFLICT);

    const deleted = await runCli(['users', 'delete', user.email, '--yes'], env);
    expect(deleted.code, deleted.stderr).toBe(EXIT.OK);
    expect(deleted.stdout).toMatch(new RegExp(`^Deleted ${user.email.replaceAll('.', '\\.')} \\(${user.id}\\)\\.$`, 'm'));
    expect((await runCli(['users', 'show', user.id], env)).code).toBe(EXIT.NOT_FOUND);

    const audit = await stack.hub.ctx.audit.tail({ count: 500 });
    const mine = audit.filter((e) => e.subject === user.id && e.type.startsWith('user.'));
    expect(mine.map((e) => [e.type, e.actor])).toEqual(
      expect.arrayContaining([
        ['user.disabled', 'admin:cli-test'],
        ['user.enabled', 'admin:cli-test'],
        ['user.deleted', 'admin:cli-test'],
      ]),
    );
  });

  it('resends verification to an unverified address, and exits 6 for a verified one', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'cli-verify', { verified: false });
    const since = Date.now();
    const sent = await runCli(['users', 'verify-resend', user.email, '--json'], env);
    expect(sent.code, sent.stdout + sent.stderr).toBe(EXIT.OK);
    expect(sent.json()).toMatchObject({ user: { id: user.id }, sentTo: user.email });
    await stack.smtp.waitForMail(user.email, { since });

    const verified = await createUser(stack.kratos.adminUrl, 'cli-verified');
    const conflict = await runCli(['users', 'verify-resend', verified.email, '--json'], env);
    expect(conflict.code).toBe(EXIT.CONFLICT);
    expect(conflict.json().error.exitCode).toBe(EXIT.CONFLICT);
  });

  it('shows a back-channel delivery the app kept refusing as failed, and delivers it on `backchannel retry` once the app answers', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'cli-backchannel');
    const sid = await signIn(user);
    // Both scheduled attempts fail: the delivery is given up.
    receiver.failFirst = [500, 500];
    const attemptsBefore = receiver.attempts;
    const tokensBefore = receiver.tokens.length;
    const revoked = await runCli(['sessions', 'revoke', user.email, '--all', '--json'], env);
    expect(revoked.code, revoked.stdout + revoked.stderr).toBe(EXIT.OK);

    const listed = await until(
      'the failed delivery',
      async () => (await runCli(['backchannel', 'list', '--json'], env)).json() as { pending: { accountId: string }[]; failed: { id: string; accountId: string }[] },
      (l) => l.failed.some((d) => d.accountId === user.id),
    );
    expect(receiver.attempts - attemptsBefore).toBe(2);
    expect(receiver.tokens.length).toBe(tokensBefore);
    const failed = listed.failed.find((d) => d.accountId === user.id)!;
    expect(failed).toEqual({
      id: expect.any(String),
      clientId: 'app-a',
      accountId: user.id,
      sid,
      reason: expect.any(String),
      attempt: 2,
      state: 'failed',
      failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastError: `HTTP 500 from ${receiver.uri}`,
    });
    expect(listed.pending.some((d) => d.accountId === user.id)).toBe(false);
    const human = await runCli(['backchannel', 'list'], env);
    expect(human.stdout).toMatch(/^Failed \(\d+\):$/m);
    expect(human.stdout).toMatch(new RegExp(`^${failed.id} +app-a +${user.id} +\\S+ +2 +\\S+ +.*500`, 'm'));
    // Never a logout token in what an operator reads.
    expect(human.stdout + JSON.stringify(listed)).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(human.stdout + JSON.stringify(listed)).not.toContain('tenant=t1');

    // The app is back: retrying delivers it once, and it leaves both lists.
    const retried = await runCli(['backchannel', 'retry', failed.id], env);
    expect(retried.code, retried.stderr).toBe(EXIT.OK);
    expect(retried.stdout).toBe(`Queued delivery ${failed.id} for an attempt now. Follow it with: ssohub backchannel list\n`);
    await until('the retried delivery', async () => receiver.tokens.slice(tokensBefore), (t) => t.length > 0, 10_000);
    expect(receiver.tokens.slice(tokensBefore).map(claimsOf)).toEqual([expect.objectContaining({ sub: user.id, sid })]);
    const after = (await runCli(['backchannel', 'list', '--json'], env)).json() as { pending: { id: string }[]; failed: { id: string }[] };
    expect([...after.pending, ...after.failed].some((d) => d.id === failed.id)).toBe(false);

    const again = await runCli(['backchannel', 'retry', failed.id, '--json'], env);
    expect(again.code).toBe(EXIT.NOT_FOUND);
    const audit = await stack.hub.ctx.audit.tail({ count: 500 });
    const asked = audit.filter((e) => e.type === 'bridge.backchannel.retry_requested' && e.deliveryId === failed.id);
    expect(asked).toEqual([expect.objectContaining({ actor: 'admin:cli-test', subject: user.id, clientId: 'app-a', from: 'failed', outcome: 'success' })]);
    expect(audit.filter((e) => e.type === 'bridge.backchannel.delivered' && e.deliveryId === failed.id)).toEqual([expect.objectContaining({ attempt: 1 })]);
  });
});
