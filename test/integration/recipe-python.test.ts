import { REPO_ROOT } from '@ssohub/testkit';
import { recipeSuite } from '../support/recipe-suite.ts';
import { checkRecipePython, PYTHON } from '../support/recipe-toolchains.ts';

// docs/integrations/python.md: the Flask app on Authlib, with Debian's python3-authlib,
// python3-flask and python3-requests (the system interpreter; PyPI is not reachable here).
recipeSuite('recipe: Python with Authlib and Flask (real hub, Kratos, Redis)', async () => {
  await checkRecipePython();
  // Node's TLS check refuses the certificate's `*.test` wildcard, so the app lives under sso.test.
  return { clientId: 'recipe-py', host: 'app-py.sso.test', command: () => ({ file: PYTHON, args: ['docs/integrations/python/app.py'], cwd: REPO_ROOT }) };
});
