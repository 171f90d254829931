import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession } from '@ssohub/testkit';
import { createUser, submitKratosLogin, type TestUser, walk } from '../support/bridge-kit.ts';
import { nodeWebRecipe } from '../support/node-web-recipe.ts';
import { type RecipeRun, startRecipe } from '../support/recipe-app.ts';
import { recipeSuite } from '../support/recipe-suite.ts';

// docs/integrations/nextjs.md: the Next.js App Router route modules (lib/sso.ts,
// app/auth/[...sso]/route.ts, app/api/me/route.ts, ...) on @ssohub/client's web-standard adapter,
// run NOT under `next` but through a stand-in router (stand-in-router.ts: node:http, toWebRequest,
// sendWebResponse) that calls the module Next.js would pick for each path, from the repository's
// sources with the Node that runs the tests, sessions in Redis, against a real hub.
const nextjsRecipe = (clientId: string) => nodeWebRecipe(clientId, { host: 'app-nextjs.sso.test', entry: 'docs/integrations/nextjs/stand-in-router.ts' });

recipeSuite('recipe: Next.js route modules on the web-standard adapter, stand-in router (real hub, Kratos, Redis)', async () => nextjsRecipe('recipe-nextjs'));

// What the shared suite does not cover: app/api/me/route.ts, which calls the hub with
// getAccessToken, signed out and signed in; and the catch-all's 404 for a path that is no SDK route.
describe('recipe: Next.js, the API route (real hub, Kratos, Redis)', () => {
  let run: RecipeRun;
  let user: TestUser;
  const browser = new HttpSession();

  beforeAll(async () => {
    run = await startRecipe(nextjsRecipe('recipe-nextjs-api'));
    user = await createUser(run.stack.kratos.adminUrl, 'recipe-nextjs');
  });
  afterAll(async () => {
    await run?.stop();
  });

  it('answers /api/me 401 JSON when signed out, and the catch-all 404 for an /auth path that is no SDK route', async () => {
    const api = await browser.request(`${run.appUrl}/api/me`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ error: 'session_required' });
    const unknown = await browser.request(`${run.appUrl}/auth/no-such-route`);
    expect(unknown.status).toBe(404);
  });

  it('calls the hub userinfo with the session access token once signed in', async () => {
    const start = await walk(browser, `${run.appUrl}/auth/login?returnTo=/api/me`, []);
    if (start.kind !== 'login') throw new Error(`expected the hub's login page, got ${start.kind}`);
    const back = await walk(browser, await submitKratosLogin(browser, run.stack.hubUrl, start.flowId, user), [run.appUrl]);
    if (back.kind !== 'callback') throw new Error(`expected the app's callback, got ${back.kind}`);
    const res = await browser.request(back.url, { headers: { accept: 'application/json' } });
    expect(res.status, res.body).toBe(200);
    expect(res.url.pathname).toBe('/api/me');
    expect(JSON.parse(res.body)).toMatchObject({ sub: user.id, email: user.email, name: user.name });
  });
});
