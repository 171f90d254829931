import { REPO_ROOT } from '@ssohub/testkit';
import { recipeSuite } from '../support/recipe-suite.ts';
import { buildRecipeGo } from '../support/recipe-toolchains.ts';

// docs/integrations/go.md: the Go app on go-oidc + x/oauth2, built once and cached by the hash of
// its sources (as the deploy tools are), run against a real hub.
recipeSuite('recipe: Go with go-oidc and x/oauth2 (real hub, Kratos, Redis)', async () => {
  const binary = await buildRecipeGo();
  // Node's TLS check refuses the certificate's `*.test` wildcard, so the app lives under sso.test.
  return { clientId: 'recipe-go', host: 'app-go.sso.test', command: () => ({ file: binary, args: [], cwd: REPO_ROOT }) };
});
