import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession, waitFor } from '@ssohub/testkit';
import { createUser, submitKratosLogin, type TestUser, walk } from './bridge-kit.ts';
import { adminTokenForTests } from './hub-stack.ts';
import { type RecipeOptions, type RecipeRun, startRecipe } from './recipe-app.ts';

/**
 * The behaviour every recipe of docs/integrations must show against a real hub: sign-in with
 * code + PKCE S256 through the hub's Kratos login, email and name from userinfo, refresh with
 * rotation, a back-channel logout endpoint that checks what the spec asks, and a global logout at
 * the hub that ends the app's session. `prepare` builds the recipe and names how to start it; it
 * throws (never skips) when a toolchain is missing.
 */
export function recipeSuite(title: string, prepare: () => Promise<RecipeOptions>): void {
  describe(title, () => {
    let run: RecipeRun;
    let user: TestUser;
    const browser = new HttpSession();

    beforeAll(async () => {
      run = await startRecipe(await prepare());
      user = await createUser(run.stack.kratos.adminUrl, 'recipe');
    });
    afterAll(async () => {
      await run?.stop();
    });

    const page = async () => (await browser.request(`${run.appUrl}/`)).body;

    it('is onboarded with the hub default ES256 ID tokens, and signs in with code + PKCE S256 showing the email and name from userinfo', async () => {
      expect(run.client.id_token_signed_response_alg).toBe('ES256');
      expect(await page()).toContain('data-testid="anonymous"');
      const start = await walk(browser, `${run.appUrl}/auth/login`, []);
      if (start.kind !== 'login') throw new Error(`expected the hub's login page, got ${start.kind}`);
      const authorize = start.chain.find((u) => u.pathname === '/oidc/auth');
      expect(authorize?.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize?.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
      expect(authorize?.searchParams.get('nonce')).toBeTruthy();
      const back = await walk(browser, await submitKratosLogin(browser, run.stack.hubUrl, start.flowId, user), [run.appUrl]);
      if (back.kind !== 'callback') throw new Error(`expected the app's callback, got ${back.kind}`);
      const home = await browser.request(back.url);
      expect(home.status, home.body).toBe(200);
      expect(home.url.pathname).toBe('/');
      // Neither is in the ID token: the app shows them only because it asked userinfo.
      expect(home.body).toContain(user.email);
      expect(home.body).toContain(user.name);
    });

    it('refreshes its tokens, and the hub rotates the refresh token', async () => {
      for (let i = 0; i < 2; i++) {
        const res = await browser.request(`${run.appUrl}/auth/refresh`, { method: 'POST', headers: { accept: 'application/json' } });
        expect(res.status, res.body).toBe(200);
        expect(JSON.parse(res.body)).toMatchObject({ refreshed: true, rotated: true });
      }
      expect(await page()).toContain(user.email);
    });

    it('accepts a genuine logout token once, and refuses it replayed, tampered or minted for another client', async () => {
      const post = (token: string) => fetch(`${run.appUrl}/auth/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: token }) });
      // A sid that matches no session: accepted, ends nothing.
      const token = await run.mintLogoutToken({ sid: 'recipe-no-such-session' });
      expect(decodeProtectedHeader(token).alg).toBe('ES256');
      expect((await post(token)).status).toBe(200);
      expect((await post(token)).status).toBe(400);
      const fresh = await run.mintLogoutToken({ sid: 'recipe-no-such-session' });
      const [h, p, s] = fresh.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, sid: undefined, sub: user.id })).toString('base64url');
      expect((await post(`${h}.${forged}.${s}`)).status).toBe(400);
      const other = await fetch(`${run.stack.adminUrl}/admin/clients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminTokenForTests}` },
        body: JSON.stringify({ client_id: `${run.clientId}-other`, redirect_uris: ['https://other.example/cb'], grant_types: ['authorization_code'], response_types: ['code'], scope: 'openid' }),
      });
      expect(other.status).toBe(201);
      expect((await post(await run.mintLogoutToken({ sub: user.id }, `${run.clientId}-other`))).status).toBe(400);
      expect((await post('not-a-jwt')).status).toBe(400);
      // None of them ended the user's session.
      expect(await page()).toContain(user.email);
    });

    it('ends its session when the user signs out at the hub, through the back-channel logout endpoint', async () => {
      const before = run.output.filter((l) => /back-channel logout ended 1 session/.test(l)).length;
      const res = await browser.request(`${run.stack.hubUrl}/logout`, { form: {}, headers: { origin: run.stack.hubUrl }, follow: false });
      expect(res.status).toBe(303);
      await waitFor('the app to end its session', async () => ((await page()).includes('data-testid="anonymous"') ? true : undefined), { timeoutMs: 15_000 });
      expect(run.output.filter((l) => /back-channel logout ended 1 session/.test(l)).length).toBe(before + 1);
      const refresh = await browser.request(`${run.appUrl}/auth/refresh`, { method: 'POST', headers: { accept: 'application/json' } });
      expect(refresh.status).toBe(401);
    });
  });
}
