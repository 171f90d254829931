import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { recipeSuite } from '../support/recipe-suite.ts';

// docs/integrations/python.md: the Flask app on Authlib, with Debian's python3-authlib,
// python3-flask and python3-requests (the system interpreter; PyPI is not reachable here).
const root = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = '/usr/bin/python3';

recipeSuite('recipe: Python with Authlib and Flask (real hub, Kratos, Redis)', async () => {
  try {
    await promisify(execFile)(PYTHON, ['-c', 'import authlib.integrations.flask_client, flask, requests'], { timeout: 30_000 });
  } catch (err) {
    throw new Error(
      `the Python recipe needs ${PYTHON} with Authlib, Flask and requests: apt-get install -y python3-authlib python3-flask python3-requests\n${(err as { stderr?: string }).stderr ?? String(err)}`,
    );
  }
  // Node's TLS check refuses the certificate's `*.test` wildcard, so the app lives under sso.test.
  return { clientId: 'recipe-py', host: 'app-py.sso.test', command: () => ({ file: PYTHON, args: ['docs/integrations/python/app.py'], cwd: root }) };
});
