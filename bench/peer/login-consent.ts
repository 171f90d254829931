/**
 * @file The login/consent app of the Hydra + Kratos stack, in its own process so its CPU is
 * measured apart: the standard Ory pattern, as lean as node:http allows so the comparison
 * measures Hydra and Kratos, not this app.
 *
 * - /login?login_challenge: reads Hydra's login request, asks Kratos whoami with the browser's
 *   cookies; signed in → accepts with the identity as subject (its email in the context for the
 *   ID token); not signed in → sends the browser to Kratos' login flow, which returns here.
 * - /consent?consent_challenge: reads the consent request and accepts every requested scope.
 *
 * Environment: PEER_APP_PORT, PEER_HYDRA_ADMIN_URL, PEER_KRATOS_PUBLIC_URL. Listens on 127.0.0.1.
 */
import http from 'node:http';

const port = Number(process.env.PEER_APP_PORT);
const hydraAdmin = process.env.PEER_HYDRA_ADMIN_URL!;
const kratosPublic = process.env.PEER_KRATOS_PUBLIC_URL!;
if (!port || !hydraAdmin || !kratosPublic) throw new Error('PEER_APP_PORT, PEER_HYDRA_ADMIN_URL and PEER_KRATOS_PUBLIC_URL must be set');

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const u = new URL(url);
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const headers: Record<string, string | number> = { accept: 'application/json', ...init.headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, hostname: u.hostname, port: u.port, path: u.pathname + u.search, method: init.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          json = { text: text.slice(0, 200) };
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function redirect(res: http.ServerResponse, to: string) {
  res.writeHead(302, { location: to, 'content-length': 0 });
  res.end();
}

function fail(res: http.ServerResponse, status: number, what: string) {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(what);
}

/** Only Kratos' own cookies go to whoami (a browser would send Hydra's too; Kratos ignores them). */
function kratosCookies(header: string | undefined): string {
  return (header ?? '')
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c.startsWith('ory_kratos_session') || c.startsWith('ory_session'))
    .join('; ');
}

async function login(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
  const challenge = url.searchParams.get('login_challenge');
  if (!challenge) return fail(res, 400, 'login_challenge missing');
  const q = `login_challenge=${encodeURIComponent(challenge)}`;
  const request = await call(`${hydraAdmin}/admin/oauth2/auth/requests/login?${q}`);
  if (request.status !== 200) return fail(res, 502, `hydra login request: ${request.status}`);
  const cookie = kratosCookies(req.headers.cookie);
  const whoami = cookie ? await call(`${kratosPublic}/sessions/whoami`, { headers: { cookie } }) : { status: 401, json: {} };
  if (whoami.status !== 200) {
    const back = `http://${req.headers.host}${url.pathname}${url.search}`;
    return redirect(res, `${kratosPublic}/self-service/login/browser?return_to=${encodeURIComponent(back)}`);
  }
  const identity = whoami.json.identity as { id: string; traits?: { email?: string; name?: string } };
  const accepted = await call(`${hydraAdmin}/admin/oauth2/auth/requests/login/accept?${q}`, {
    method: 'PUT',
    body: { subject: identity.id, remember: true, remember_for: 3600, context: { email: identity.traits?.email, name: identity.traits?.name } },
  });
  if (accepted.status !== 200) return fail(res, 502, `hydra login accept: ${accepted.status} ${JSON.stringify(accepted.json).slice(0, 200)}`);
  redirect(res, String(accepted.json.redirect_to));
}

async function consent(res: http.ServerResponse, url: URL) {
  const challenge = url.searchParams.get('consent_challenge');
  if (!challenge) return fail(res, 400, 'consent_challenge missing');
  const q = `consent_challenge=${encodeURIComponent(challenge)}`;
  const request = await call(`${hydraAdmin}/admin/oauth2/auth/requests/consent?${q}`);
  if (request.status !== 200) return fail(res, 502, `hydra consent request: ${request.status}`);
  const r = request.json as { requested_scope?: string[]; requested_access_token_audience?: string[]; context?: { email?: string; name?: string } };
  const accepted = await call(`${hydraAdmin}/admin/oauth2/auth/requests/consent/accept?${q}`, {
    method: 'PUT',
    body: {
      grant_scope: r.requested_scope ?? [],
      grant_access_token_audience: r.requested_access_token_audience ?? [],
      remember: true,
      remember_for: 3600,
      // The hub's ID tokens carry email and name; so do these.
      session: { id_token: { email: r.context?.email, email_verified: true, name: r.context?.name } },
    },
  });
  if (accepted.status !== 200) return fail(res, 502, `hydra consent accept: ${accepted.status} ${JSON.stringify(accepted.json).slice(0, 200)}`);
  redirect(res, String(accepted.json.redirect_to));
}

http
  .createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://app');
    const handled = url.pathname === '/login' ? login(req, res, url) : url.pathname === '/consent' ? consent(res, url) : Promise.resolve(fail(res, 404, 'not found'));
    handled.catch((err: Error) => fail(res, 500, err.message));
  })
  .listen(port, '127.0.0.1', () => process.send?.('listening'));
