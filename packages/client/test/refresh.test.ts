import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSsoClientError, type SsoClient } from '../src/index.ts';
import { makeClient, signIn } from './helpers/test-client.ts';
import { forgetBrowser, startTestHub, type TestHub } from './helpers/test-hub.ts';

let hub: TestHub;
let client: SsoClient;

beforeAll(async () => {
  // Access tokens live 60 s at this hub; refreshSkew 3600 makes every token "about to expire".
  hub = await startTestHub({ accessTokenTtl: 60 });
  client = await makeClient(hub, { refreshSkew: 3600 });
});
afterAll(() => hub.close());

describe('access-token refresh', () => {
  it('refreshes before expiry, rotates the refresh token and stores the new tokens', async () => {
    forgetBrowser(hub.issuer);
    const { session, cookie } = await signIn(hub, client);
    const token = await client.getAccessToken(session);
    expect(token).not.toBe(session.tokens.accessToken);
    const stored = await client.loadSession(cookie);
    expect(stored!.tokens.accessToken).toBe(token);
    expect(stored!.version).toBe(session.version + 1);
    expect(stored!.tokens.refreshToken).toBeTruthy();
    expect(stored!.claims.sub).toBe('alice');
    // The hub accepts the new access token (it is live at the introspection endpoint).
    const { tokenIntrospection } = await import('openid-client');
    expect((await tokenIntrospection(client.configuration, token)).active).toBe(true);
  });

  it('does not refresh a token that is not about to expire', async () => {
    const relaxed = await makeClient(hub, { refreshSkew: 0 });
    const { session } = await signIn(hub, relaxed);
    expect(await relaxed.getAccessToken(session)).toBe(session.tokens.accessToken);
  });

  it('many concurrent callers cause exactly one refresh (rotation stays consistent)', async () => {
    const { session, cookie } = await signIn(hub, client);
    const tokens = await Promise.all(Array.from({ length: 10 }, () => client.getAccessToken(session)));
    expect(new Set(tokens).size).toBe(1);
    expect((await client.loadSession(cookie))!.version).toBe(session.version + 1);
    // The stored refresh token still works: no concurrent caller consumed it behind our back.
    const again = await client.refreshSession((await client.loadSession(cookie))!);
    expect(again.version).toBe(session.version + 2);
  });

  it('two client instances sharing one store still refresh once (store lock)', async () => {
    const first = await signIn(hub, client);
    const twin = await makeClient(hub, { refreshSkew: 3600, store: client.options.store });
    const [a, b] = await Promise.all([client.getAccessToken(first.session), twin.getAccessToken(first.session)]);
    expect(a).toBe(b);
    expect((await client.loadSession(first.cookie))!.version).toBe(first.session.version + 1);
  });

  it('a refresh token the hub refuses ends the local session', async () => {
    const { session, cookie } = await signIn(hub, client);
    const forged = { ...session, tokens: { ...session.tokens, refreshToken: 'not-a-refresh-token' } };
    await client.options.store.set(forged, 60);
    try {
      await client.getAccessToken(forged);
      throw new Error('expected a refusal');
    } catch (err) {
      expect(isSsoClientError(err, 'SSOHUB_CLIENT_ERR_REFRESH_FAILED')).toBe(true);
    }
    expect(await client.loadSession(cookie)).toBeUndefined();
  });

  it('a refresh racing a logout does not bring the session back', async () => {
    const { session, cookie } = await signIn(hub, client);
    const pending = client.getAccessToken(session);
    await client.signOutLocal(cookie);
    await pending.catch(() => undefined);
    expect(await client.loadSession(cookie)).toBeUndefined();
  });
});
