/**
 * @file The "provider" side of bench/floor.ts: the hub's own OIDC bridge, served from node:http
 * with nothing of the hub around it. It answers the load driver's `sso-hop` and `refresh` with the
 * same code the hub runs for them inside oidc-provider: the hub's configuration loader on the
 * environment the bench gives the hub (clients, signing keys, cookie keys, TTLs and guard limits
 * alike; only the public URL, the port and the Redis prefix differ), its store (ioredis with the
 * per-command deadline scope), Kratos client, audit log, client registry and createBridge
 * (createProvider, the adapters, session checks, the provider hooks with the /auth re-check
 * against Kratos whoami and the request scope, the provider's events with their audit entries).
 * Its CPU per operation next to the hub's and the floor's splits the hub's gap over the floor in
 * two: the hub's layers around the provider, and oidc-provider with Koa and the bridge's insides.
 *
 * Between node:http and `provider.callback()` there is only what the hub's mount does to make the
 * provider work (mount-provider.ts): the /oidc prefix moved from `url` to `originalUrl`. And two
 * things the hub does outside the provider, kept so that the Redis and Kratos work stays the hub's:
 * - the token guard (guard/register-token-guard.ts, a Fastify onRequest hook in the hub): the
 *   same `checkTokenRequest` (the TAKE script on the ip and Basic client buckets) on POST /token,
 *   before the provider sees the request;
 * - the HubRequest (http/register-hub-request.ts, the hub's first hook), which the store's
 *   deadline scope and the bridge's request scope read; made without a request id, as no
 *   Fastify makes one here.
 * The hub writes no audit entry from Fastify on these two paths (its entries come from provider
 * events, which run here too).
 *
 * Left out, as the hub's outer layers: Fastify (routing, hooks, request ids, child loggers,
 * content-type parsers, reply hijacking), the mount's failure answering, route metrics and
 * host check (runAheadOfProvider), security headers, the body deadline, request metrics, Kratos
 * and store command metrics, tracing hooks, the language picker and cookie plugins, access logs.
 * The back-channel deliverer is not started (Bridge.register starts it with the mount): its queue
 * poll is background work, and the bench prints each side's CPU with no load.
 *
 * The first sign-in is not measured: the provider's login interaction (/interaction/:uid, the hub
 * would show its login pages there) is answered here from the browser's Kratos session, as the
 * hub's interaction does once Kratos has signed the browser in (the same interaction result, so
 * the resume binds the provider session as in the hub). Without a Kratos session it borrows the
 * hub's sign-in through a client registered for this (`/cb`), then starts the authorization
 * request again: the load driver's jar keeps one cookie per name for every host, so the hub's
 * interaction cookies replace the provider's, and a fresh request is simpler than a resume.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { createAuditLog } from '../../packages/hub/src/audit/audit-log.ts';
import { authenticationContext } from '../../packages/hub/src/bridge/claims/account-claims.ts';
import { createBridge } from '../../packages/hub/src/bridge/create-bridge.ts';
import { loginResult } from '../../packages/hub/src/bridge/interactions/login-facts.ts';
import { INTERACTION_PATH } from '../../packages/hub/src/bridge/provider/create-provider.ts';
import { mountRequest } from '../../packages/hub/src/bridge/provider/provider-internals.ts';
import { canonicalPath } from '../../packages/hub/src/bridge/sessions/provider-hooks.ts';
import { isLiveKratosSession } from '../../packages/hub/src/bridge/sessions/session-checks.ts';
import { idTokenAlgorithms } from '../../packages/hub/src/clients/check-client-metadata.ts';
import type { ClientMetadata } from '../../packages/hub/src/clients/client-registry.ts';
import { createClientRegistry } from '../../packages/hub/src/clients/create-client-registry.ts';
import { loadConfig } from '../../packages/hub/src/config/load-config.ts';
import { createGuard } from '../../packages/hub/src/guard/create-guard.ts';
import { basicClientId } from '../../packages/hub/src/guard/register-token-guard.ts';
import { createLogger } from '../../packages/hub/src/http/create-logger.ts';
import { KratosClient } from '../../packages/hub/src/kratos/kratos-client.ts';
import { createHubMetrics } from '../../packages/hub/src/metrics/hub-metrics.ts';
import { HubRequest, runHubRequest } from '../../packages/hub/src/request/hub-request.ts';
import { createStorage } from '../../packages/hub/src/storage/storage.ts';

const env = process.env;
const HUB_ISSUER = env.PROVIDER_HUB_ISSUER!;
const BRIDGE = JSON.parse(env.PROVIDER_BRIDGE_CLIENT!) as { id: string; redirectUri: string };
const VERIFIER = 'provider-bridge-verifier-0123456789abcdefghijklmn';

const config = loadConfig(env, { warn: () => {} });
const log = createLogger(config.logLevel);
const storage = await createStorage(config.store, log);
const kratos = new KratosClient({ publicUrl: config.kratos.publicUrl, adminUrl: config.kratos.adminUrl });
const audit = createAuditLog(storage, log);
// The bridge needs the metrics object (its event counters are part of the provider's events);
// nothing reads or serves it here.
const metrics = createHubMetrics();
const clients = createClientRegistry({
  staticClients: config.bridge.clients as unknown as ClientMetadata[],
  storage,
  audit,
  mode: config.mode,
  idTokenAlgs: idTokenAlgorithms(config.bridge.signingKeys),
});
const bridge = await createBridge({ config, log, storage, clients, kratos, audit, metrics });
const guard = createGuard({ config, log, storage, audit, metrics });
const provider = bridge.provider;
const callback = provider.callback();
const PATH = config.bridge.path;
const TOKEN = bridge.tokenPath.toLowerCase();

function redirect(res: http.ServerResponse, to: string): void {
  res.writeHead(303, { location: to, 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

/** The provider's part of a request, as the hub's mount hands it over (plus its token guard). */
function toProvider(req: http.IncomingMessage, res: http.ServerResponse, url: string): void {
  const rest = url.slice(PATH.length);
  runHubRequest(() => {
    mountRequest(req, url, rest.startsWith('/') ? rest : `/${rest}`);
    if (req.method === 'POST' && canonicalPath(url) === TOKEN) {
      guard.checkTokenRequest({ ip: req.socket.remoteAddress, clientId: basicClientId(req.headers.authorization) }).then(
        () => callback(req, res),
        (err: unknown) => fail(res, err),
      );
    } else {
      void callback(req, res);
    }
  }, new HubRequest());
}

/** The login interaction of the first sign-in (not measured): see the file comment. */
async function interaction(req: http.IncomingMessage, res: http.ServerResponse, uid: string): Promise<void> {
  const session = await kratos.whoami(req.headers.cookie).catch(() => undefined);
  if (session?.identity && isLiveKratosSession(session)) {
    const auth = authenticationContext(session);
    const result = loginResult({ accountId: session.identity.id, acr: auth.acr, amr: auth.amr, ts: auth.authTime }, { ...session, identity: session.identity });
    return redirect(res, await provider.interactionResult(req, res, result, { mergeWithLastSubmission: false }));
  }
  const pending = await provider.Interaction.find(uid);
  if (!pending) throw new Error(`no interaction ${uid}`);
  const original = new URLSearchParams(Object.entries(pending.params).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const to = new URL(`${HUB_ISSUER}/auth`);
  to.search = new URLSearchParams({
    client_id: BRIDGE.id,
    redirect_uri: BRIDGE.redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: Buffer.from(original.toString()).toString('base64url'),
    code_challenge: createHash('sha256').update(VERIFIER).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  redirect(res, to.href);
}

function fail(res: http.ServerResponse, err: unknown): void {
  log.error({ err }, 'provider side: request failed outside the provider');
  if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
  res.end('server_error');
}

const interactionPrefix = `${INTERACTION_PATH}/`;
const bridgePath = new URL(BRIDGE.redirectUri).pathname;
const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const url = req.url ?? '/';
  if (url === PATH || url.startsWith(`${PATH}/`) || url.startsWith(`${PATH}?`)) return toProvider(req, res, url);
  const path = url.split('?')[0]!;
  if (req.method === 'GET' && path.startsWith(interactionPrefix)) {
    interaction(req, res, decodeURIComponent(path.slice(interactionPrefix.length))).catch((err: unknown) => fail(res, err));
  } else if (req.method === 'GET' && path === bridgePath) {
    // Back from the hub's sign-in: the browser now has a Kratos session; ask again.
    const state = new URL(url, 'http://provider').searchParams.get('state') ?? '';
    redirect(res, `${bridge.issuer}/auth?${Buffer.from(state, 'base64url').toString()}`);
  } else if (path === '/ready') {
    res.end('ok');
  } else {
    res.writeHead(404, { 'content-length': 0 });
    res.end();
  }
});
server.listen(config.listen.port, config.listen.host);
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void Promise.allSettled([bridge.close(), kratos.close()]).then(() => storage.close());
});
