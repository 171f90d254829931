import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SsoClient } from '../src/index.ts';
import { makeClient, signIn } from './helpers/test-client.ts';
import { BACKCHANNEL_EVENT, endSessionAtHub, forgetBrowser, startTestHub, type TestHub } from './helpers/test-hub.ts';

let hub: TestHub;
let client: SsoClient;

beforeAll(async () => {
  hub = await startTestHub();
  client = await makeClient(hub);
});
afterAll(() => hub.close());

/** Alice signs in to the app twice within one hub session (two app sessions, one sid); bob in another browser. */
async function sessions() {
  forgetBrowser(hub.issuer);
  hub.next = { accountId: 'alice' };
  const a1 = await signIn(hub, client);
  const a2 = await signIn(hub, client);
  forgetBrowser(hub.issuer);
  hub.next = { accountId: 'bob' };
  const b = await signIn(hub, client);
  hub.next = { accountId: 'alice' };
  return { a1, a2, b };
}

const form = (token: string) => `logout_token=${encodeURIComponent(token)}`;

describe('back-channel logout', () => {
  it('a valid token ends the sessions of that sid only, answering 200 no-store', async () => {
    const { a1, a2, b } = await sessions();
    expect(a1.session.sid).toBe(a2.session.sid);
    const token = await hub.signLogoutToken({ aud: 'app-a', sid: a2.session.sid, sub: 'alice' });
    const res = await client.handleBackchannelLogout(form(token));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.ended).toBe(2);
    expect(await client.loadSession(a1.cookie)).toBeUndefined();
    expect(await client.loadSession(a2.cookie)).toBeUndefined();
    expect(await client.loadSession(b.cookie)).toBeDefined();
  });

  it('ends every session of that sid across browsers of the same hub session', async () => {
    forgetBrowser(hub.issuer);
    const first = await signIn(hub, client);
    // Same hub session (same hub cookies), a second app browser with no app cookie of its own.
    const start = await client.beginSignIn({});
    const callback = await hub.authorize(start.url);
    const second = await client.completeSignIn(callback.pathname + callback.search, start.setCookie.split(';')[0]);
    expect(second.session.sid).toBe(first.session.sid);
    const token = await hub.signLogoutToken({ aud: 'app-a', sid: first.session.sid });
    const res = await client.handleBackchannelLogout({ logout_token: token });
    expect(res).toMatchObject({ status: 200, ended: 2 });
  });

  it('with only sub, ends every session of that subject', async () => {
    const { a2, b } = await sessions();
    const res = await client.handleBackchannelLogout(new URLSearchParams({ logout_token: await hub.signLogoutToken({ aud: 'app-a', sub: 'alice' }) }));
    expect(res.status).toBe(200);
    expect(await client.loadSession(a2.cookie)).toBeUndefined();
    expect(await client.loadSession(b.cookie)).toBeDefined();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refused: [string, (sid: string) => Promise<string>][] = [
    ['forged signature (another key)', async (sid) => hub.signLogoutToken({ aud: 'app-a', sid }, { key: (await generateKeyPair('RS256')).privateKey })],
    ['expired', (sid) => hub.signLogoutToken({ aud: 'app-a', sid, iat: now() - 600, exp: now() - 480 })],
    ['too old (iat beyond max age, exp still valid)', (sid) => hub.signLogoutToken({ aud: 'app-a', sid, iat: now() - 300, exp: now() + 300 })],
    ['wrong audience', (sid) => hub.signLogoutToken({ aud: 'shop-b', sid })],
    ['wrong issuer', (sid) => hub.signLogoutToken({ aud: 'app-a', sid, iss: 'https://evil.example' })],
    ['nonce present', (sid) => hub.signLogoutToken({ aud: 'app-a', sid, nonce: 'n' })],
    ['events missing', (sid) => hub.signLogoutToken({ aud: 'app-a', sid }, { omit: ['events'] })],
    ['events without the back-channel member', (sid) => hub.signLogoutToken({ aud: 'app-a', sid, events: { 'urn:other': {} } })],
    ['event member not an object', (sid) => hub.signLogoutToken({ aud: 'app-a', sid, events: { [BACKCHANNEL_EVENT]: 'yes' } })],
    ['typ not logout+jwt', (sid) => hub.signLogoutToken({ aud: 'app-a', sid }, { typ: 'JWT' })],
    ['neither sid nor sub', () => hub.signLogoutToken({ aud: 'app-a' })],
    ['jti missing', (sid) => hub.signLogoutToken({ aud: 'app-a', sid }, { omit: ['jti'] })],
    ['not a JWT', async () => 'not-a-jwt'],
    [
      'no signature (alg none)',
      async (sid) =>
        `${Buffer.from('{"alg":"none","typ":"logout+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: hub.issuer, aud: 'app-a', sid, jti: 'x', iat: now(), events: { [BACKCHANNEL_EVENT]: {} } })).toString('base64url')}.`,
    ],
  ];

  for (const [name, make] of refused) {
    it(`refuses a token with ${name}: 400 {error}, ends nothing`, async () => {
      const { a2, b } = await sessions();
      // Every bad token names a live session, so "ends nothing" means something.
      const res = await client.handleBackchannelLogout(form(await make(a2.session.sid!)));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_request' });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(await client.loadSession(a2.cookie)).toBeDefined();
      expect(await client.loadSession(b.cookie)).toBeDefined();
    });
  }

  it('refuses a replayed jti and ends nothing the second time', async () => {
    const { a2 } = await sessions();
    const token = await hub.signLogoutToken({ aud: 'app-a', sid: a2.session.sid });
    expect((await client.handleBackchannelLogout(form(token))).status).toBe(200);
    const again = await sessions();
    const res = await client.handleBackchannelLogout(form(token));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error_description).toMatch(/jti already used/);
    expect(await client.loadSession(again.a2.cookie)).toBeDefined();
  });

  it('refuses a missing logout_token', async () => {
    expect((await client.handleBackchannelLogout('')).status).toBe(400);
    expect((await client.handleBackchannelLogout(undefined)).status).toBe(400);
  });

  it('accepts the logout token the hub itself sends at RP-initiated logout', async () => {
    forgetBrowser(hub.issuer);
    const { cookie, session } = await signIn(hub, client);
    hub.backchannelCalls.length = 0;
    const { url } = await client.signOutGlobal(cookie);
    expect(url.searchParams.get('id_token_hint')).toBe(session.tokens.idToken);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe('http://app-a.localhost/');
    expect(url.searchParams.get('state')).toBeTruthy();
    const landed = await endSessionAtHub(hub.issuer, url);
    expect(landed.href).toMatch(/^http:\/\/app-a\.localhost\/\?state=/);
    expect(await client.loadSession(cookie)).toBeUndefined();
    expect(hub.backchannelCalls.length).toBeGreaterThan(0);
    const res = await client.handleBackchannelLogout(form(hub.backchannelCalls[0]!.token));
    expect(res.status).toBe(200);
  });
});

