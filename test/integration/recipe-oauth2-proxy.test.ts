import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, HttpSession, waitFor } from '@ssohub/testkit';
import { createUser, submitKratosLogin, type TestUser, walk } from '../support/bridge-kit.ts';
import { type RecipeRun, startRecipe } from '../support/recipe-app.ts';
import { buildOauth2Proxy, startOauth2ProxyUpstream } from '../support/recipe-toolchains.ts';

// docs/integrations/oauth2-proxy.md: oauth2-proxy v7, built once from its Go module and cached by
// version (as .ci/run builds it in its deploy tools step), in front of a tiny node:http upstream,
// against a real hub (Kratos, Redis).
const root = fileURLToPath(new URL('../..', import.meta.url));
// Short, so the test sees the refresh that ends the session after a global logout.
const cookieRefreshSeconds = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


describe('recipe: oauth2-proxy v7 in front of any app (real hub, Kratos, Redis)', { timeout: 60_000 }, () => {
  let run: RecipeRun;
  let upstream: Server | undefined;
  let user: TestUser;
  let endSession: string;
  const browser = new HttpSession();

  beforeAll(async () => {
    const binary = await buildOauth2Proxy();
    const upstreamPort = await freePort();
    upstream = await startOauth2ProxyUpstream(upstreamPort);
    run = await startRecipe({
      clientId: 'recipe-oauth2-proxy',
      host: 'app-o2p.sso.test',
      redirectPath: '/oauth2/callback',
      // oauth2-proxy has no back-channel logout endpoint: a global logout reaches it by refresh failure.
      backchannelLogoutPath: null,
      readyPath: '/ping',
      command: (recipeEnv) => {
        const env = (name: string) => {
          const value = recipeEnv[name];
          if (!value) throw new Error(`the recipe environment has no ${name}`);
          return value;
        };
        return {
          file: binary,
          cwd: root,
          args: [
            '--provider=oidc',
            `--oidc-issuer-url=${env('SSOHUB_ISSUER')}`,
            '--code-challenge-method=S256',
            '--scope=openid email profile offline_access',
            '--skip-provider-button',
            '--email-domain=*',
            `--redirect-url=${env('APP_URL')}/oauth2/callback`,
            `--upstream=http://127.0.0.1:${upstreamPort}/`,
            `--https-address=${env('LISTEN')}`,
            '--http-address=',
            `--tls-cert-file=${env('TLS_CERT_FILE')}`,
            `--tls-key-file=${env('TLS_KEY_FILE')}`,
            `--cookie-refresh=${cookieRefreshSeconds}s`,
            '--cookie-expire=1h',
            '--set-xauthrequest',
            `--whitelist-domain=${new URL(env('SSOHUB_ISSUER')).host}`,
          ],
          // Secrets by environment, off the command line (ps would show them).
          env: {
            OAUTH2_PROXY_CLIENT_ID: env('CLIENT_ID'),
            OAUTH2_PROXY_CLIENT_SECRET: env('CLIENT_SECRET'),
            OAUTH2_PROXY_COOKIE_SECRET: randomBytes(32).toString('base64url').slice(0, 32),
          },
        };
      },
    });
    user = await createUser(run.stack.kratos.adminUrl, 'recipe-o2p');
    const discovery = (await (await fetch(`${run.issuer}/.well-known/openid-configuration`)).json()) as { end_session_endpoint: string };
    endSession = discovery.end_session_endpoint;
  }, 1_260_000);
  afterAll(async () => {
    await run?.stop();
    await new Promise((r) => (upstream ? upstream.close(r) : r(undefined)));
  });

  it('sends an anonymous visitor straight to the hub (no provider button) with code + PKCE S256', async () => {
    const start = await walk(browser, `${run.appUrl}/`, []);
    if (start.kind !== 'login') throw new Error(`expected the hub's login page, got ${start.kind}: ${start.chain.map(String).join(' -> ')}`);
    const authorize = start.chain.find((u) => u.pathname === '/oidc/auth');
    expect(authorize?.searchParams.get('client_id')).toBe('recipe-oauth2-proxy');
    expect(authorize?.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize?.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize?.searchParams.get('redirect_uri')).toBe(`${run.appUrl}/oauth2/callback`);

    const back = await walk(browser, await submitKratosLogin(browser, run.stack.hubUrl, start.flowId, user), [run.appUrl]);
    if (back.kind !== 'callback') throw new Error(`expected oauth2-proxy's callback, got ${back.kind}`);
    expect(back.url.pathname).toBe('/oauth2/callback');
    const home = await browser.request(back.url);
    expect(home.status, home.body).toBe(200);
    expect(home.url.pathname).toBe('/');
    // The ID token carries no email: oauth2-proxy took it, verified, from userinfo.
    expect(home.body).toContain(`<p data-testid="user">${user.email}</p>`);
  });

  it('answers its auth_request endpoint with the user in X-Auth-Request-Email', async () => {
    const res = await browser.request(`${run.appUrl}/oauth2/auth`);
    expect(res.status).toBe(202);
    expect(res.headers.get('x-auth-request-email')).toBe(user.email);
  });

  it('stays signed in across its refreshes, each one spending the refresh token the last one got', async () => {
    const refreshes = () => run.output.filter((l) => /Refreshing session/.test(l)).length;
    const before = refreshes();
    for (let i = 0; i < 2; i++) {
      await sleep((cookieRefreshSeconds + 1.5) * 1000);
      const res = await browser.request(`${run.appUrl}/`, { follow: false });
      expect(res.status, res.body).toBe(200);
      expect(res.body).toContain(user.email);
    }
    // The hub rotates refresh tokens and refuses a spent one: the second refresh works only because
    // oauth2-proxy stored the token the first one answered.
    expect(refreshes()).toBeGreaterThanOrEqual(before + 2);
    expect(run.output.filter((l) => /Unable to refresh session/.test(l))).toEqual([]);
  });

  it('ends its session at its next refresh once the user signs out at the hub (no back-channel logout)', async () => {
    const logout = await browser.request(`${run.stack.hubUrl}/logout`, { form: {}, headers: { origin: run.stack.hubUrl }, follow: false });
    expect(logout.status).toBe(303);
    // Until its next refresh (cookie age over --cookie-refresh) oauth2-proxy still lets the user in;
    // then the refresh token, which died with the hub session, is refused with invalid_grant and
    // oauth2-proxy drops its session.
    await waitFor(
      'oauth2-proxy to end its session',
      async () => ((await browser.request(`${run.appUrl}/oauth2/auth`)).status === 401 ? true : undefined),
      { timeoutMs: (cookieRefreshSeconds * 3 + 5) * 1000, intervalMs: 500 },
    );
    expect(run.output.some((l) => /Fatal refresh error detected/.test(l))).toBe(true);
    expect(run.output.some((l) => /invalid_grant/.test(l))).toBe(true);
    // A page now goes back to the hub, where the user must sign in again.
    const again = await walk(browser, `${run.appUrl}/`, []);
    expect(again.kind).toBe('login');
  });

  it('signs out locally and hands the browser to the hub end_session URL given as rd', async () => {
    const rd = `${endSession}?client_id=recipe-oauth2-proxy&post_logout_redirect_uri=${encodeURIComponent(`${run.appUrl}/`)}`;
    const res = await browser.request(`${run.appUrl}/oauth2/sign_out?rd=${encodeURIComponent(rd)}`, { follow: false });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(rd);
  });
});
