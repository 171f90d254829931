import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession } from '@ssohub/testkit';
import { createUser, submitKratosLogin, type TestUser, walk } from '../support/bridge-kit.ts';
import { nodeWebRecipe } from '../support/node-web-recipe.ts';
import { type RecipeRun, startRecipe } from '../support/recipe-app.ts';
import { recipeSuite } from '../support/recipe-suite.ts';

// docs/integrations/hono.md: the Hono app on @ssohub/client's web-standard adapter
// (createSsoWebHandler) and @hono/node-server, run from the repository's sources with the Node
// that runs the tests, sessions in Redis, against a real hub.
const honoRecipe = (clientId: string) => nodeWebRecipe(clientId, { host: 'app-hono.sso.test', entry: 'docs/integrations/hono/server.ts' });

recipeSuite('recipe: Hono on the web-standard adapter (real hub, Kratos, Redis)', async () => honoRecipe('recipe-hono'));

// What the shared suite does not cover: the page guarded with requireSession and the API that
// calls the hub with getAccessToken.
describe('recipe: Hono, the guarded page and the API (real hub, Kratos, Redis)', () => {
  let run: RecipeRun;
  let user: TestUser;
  const browser = new HttpSession();

  beforeAll(async () => {
    run = await startRecipe(honoRecipe('recipe-hono-api'));
    user = await createUser(run.stack.kratos.adminUrl, 'recipe-hono');
  });
  afterAll(async () => {
    await run?.stop();
  });

  it('answers the API 401 JSON and sends a signed-out page to the hub, then back to that page after sign-in', async () => {
    const api = await browser.request(`${run.appUrl}/api/me`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body)).toMatchObject({ error: 'session_required' });

    const start = await walk(browser, `${run.appUrl}/account`, []);
    if (start.kind !== 'login') throw new Error(`expected the hub's login page, got ${start.kind}`);
    const back = await walk(browser, await submitKratosLogin(browser, run.stack.hubUrl, start.flowId, user), [run.appUrl]);
    if (back.kind !== 'callback') throw new Error(`expected the app's callback, got ${back.kind}`);
    const page = await browser.request(back.url);
    expect(page.status, page.body).toBe(200);
    expect(page.url.pathname).toBe('/account');
    expect(page.body).toContain(`data-testid="account">${user.email}<`);
  });

  it('calls the hub with the session access token and answers what userinfo says', async () => {
    const res = await browser.request(`${run.appUrl}/api/me`, { headers: { accept: 'application/json' } });
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ sub: user.id, email: user.email, name: user.name });
  });
});
