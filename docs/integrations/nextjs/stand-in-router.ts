// NOT Next.js: a stand-in for its router, so the test runs the route modules without `next`.
// It sends each request to the route module Next.js would pick for its path (static segments
// before the catch-all) and calls the export named after the method, as Next.js does with its
// NextRequest (a Request subclass). Deploy the app with `next`, not with this file.
//
// In this repository: node --import ./scripts/from-source.ts docs/integrations/nextjs/stand-in-router.ts
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { sendWebResponse, toWebRequest } from '@ssohub/client';
import * as home from './app/route.ts';
import * as me from './app/api/me/route.ts';
import * as sso from './app/auth/[...sso]/route.ts';
import * as backchannel from './app/auth/backchannel-logout/route.ts';
import * as refresh from './app/auth/refresh/route.ts';
import { client, redis } from './lib/sso.ts';

type RouteModule = Partial<Record<'GET' | 'POST', (request: Request) => Promise<Response>>>;

function routeFor(path: string): RouteModule | undefined {
  if (path === '/') return home;
  if (path === '/api/me') return me;
  if (path === '/auth/backchannel-logout') return backchannel;
  if (path === '/auth/refresh') return refresh;
  if (path.startsWith('/auth/')) return sso;
  return undefined;
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = toWebRequest(req, client.options.baseUrl);
  const route = routeFor(new URL(request.url).pathname);
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const handler = route?.[method as 'GET' | 'POST'];
  let response: Response;
  if (!route) response = new Response('Not found', { status: 404 });
  else if (!handler) response = new Response(null, { status: 405, headers: { allow: Object.keys(route).join(', ') } });
  else {
    try {
      response = await handler(request);
    } catch (err) {
      console.error('request failed:', err instanceof Error ? err.message : err);
      response = Response.json({ error: 'server_error' }, { status: 500 });
    }
  }
  await sendWebResponse(res, response);
}

const [hostname, port] = (process.env.LISTEN || '127.0.0.1:8080').split(/:(?=\d+$)/) as [string, string];
const { TLS_CERT_FILE, TLS_KEY_FILE } = process.env;
const listener = (req: IncomingMessage, res: ServerResponse) => void serve(req, res).catch(() => res.destroy());
const server =
  TLS_CERT_FILE && TLS_KEY_FILE ? createHttpsServer({ cert: readFileSync(TLS_CERT_FILE), key: readFileSync(TLS_KEY_FILE) }, listener) : createHttpServer(listener);
server.listen(Number(port), hostname, () => console.log(`listening on ${TLS_CERT_FILE ? 'https' : 'http'}://${hostname}:${port}`));

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close(() => void redis.quit().finally(() => process.exit(0)));
    server.closeAllConnections();
  });
}
