/**
 * Owns the seam between Fastify and the provider (a Koa application): which requests reach it,
 * with which headers, and how its failures are answered and logged.
 */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { providerErrorFormat } from '../../errors/error-format.ts';
import { logFailure, loggableError } from '../../errors/log-failure.ts';
import { presentError } from '../../errors/present-error.ts';
import { SsoHubError } from '../../errors/ssohub-error.ts';
import { text } from '../../i18n/translate.ts';
import { errorBody } from '../../errors/register-error-handler.ts';
import { recordProviderRoute } from '../../metrics/register-request-metrics.ts';
import { traceProviderEvents, traceProviderSteps } from '../../tracing/trace-provider-steps.ts';
import { BODY_DEADLINE_MS, boundRequestBody } from './bound-request-body.ts';
import { mountRequest, runAheadOfProvider } from './provider-internals.ts';

/**
 * Mounts the provider under `path` as Fastify routes rather than middie middleware, so Fastify
 * hooks (throttling on /oidc/token, request ids, logging) apply to provider endpoints too. Bodies
 * are left unread for the provider's own parser; the reply is hijacked and handed to Koa with the
 * prefix stripped from the URL (oidc-provider derives its mount path from `originalUrl`).
 *
 * A hijacked reply skips Fastify's error handler, so the provider's failures are brought back to
 * the hub's error path here (see answerProviderFailures).
 */
export async function mountProvider(
  app: FastifyInstance,
  provider: Provider,
  path: string,
  { https, bodyDeadlineMs = BODY_DEADLINE_MS, traced = false }: { https: boolean; bodyDeadlineMs?: number; traced?: boolean },
): Promise<void> {
  const { requests, middleware: answerFailures } = answerProviderFailures(provider, https);
  logConnectionErrors(provider, requests, app.log);
  // Tracing's middleware and listeners only when tracing is on: off, the provider runs as before.
  runAheadOfProvider(provider, [answerFailures, recordProviderRoute, ...(traced ? [traceProviderSteps({ https })] : []), refuseHostsThatMakeNoUrl]);
  if (traced) traceProviderEvents(provider);
  const callback = provider.callback();
  const config = { ssohubProviderPath: path };
  await app.register(
    async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      const handler = (request: FastifyRequest, reply: FastifyReply) => {
        // Koa reads a target holding `#` (or white space) with Node's legacy url.parse, which ends
        // the path at `#`, turns `\` into `/` and takes `//user@host` for a host: /oidc/token#,
        // /oidc/token\# and /oidc//a@b/token# were the token endpoint to the provider and no token
        // request to the hub (canonicalPath, the token guard). No request target has a fragment
        // (RFC 9112 section 3.2); Node lets no white space through, so this refuses only `#`.
        if (KOA_REPARSES.test(request.raw.url ?? '')) {
          throw new SsoHubError('SSOHUB_ERR_BAD_REQUEST', text('bridge.request.fragment'), { status: 400 });
        }
        reply.hijack();
        const raw = request.raw;
        requests.set(raw, request);
        const url = raw.url ?? '/';
        const rest = url.slice(path.length);
        mountRequest(raw, url, rest.startsWith('/') ? rest : `/${rest}`);
        setHubHeaders(reply.raw, https);
        // The provider reads the body itself and would wait for ever for one a stalled client
        // stopped sending: bound-request-body.ts.
        boundRequestBody(raw, reply.raw, bodyDeadlineMs);
        void callback(raw, reply.raw);
      };
      scope.all('/', { config }, handler);
      scope.all('/*', { config }, handler);
    },
    { prefix: path },
  );
  // RFC 8414 section 3: the authorization server metadata of an issuer with a path is found by
  // inserting /.well-known/oauth-authorization-server before that path. OAuth-only clients (and
  // MCP-style discovery) look there; the answer is the provider's own discovery document, whose
  // issuer is this issuer. The provider sees its discovery request, mount path included.
  app.get(`${RFC8414_METADATA}${path}`, { config }, (request, reply) => {
    reply.hijack();
    const raw = request.raw;
    requests.set(raw, request);
    const query = (raw.url ?? '').split('?')[1];
    const discovery = `${DISCOVERY}${query === undefined ? '' : `?${query}`}`;
    mountRequest(raw, `${path}${discovery}`, discovery);
    setHubHeaders(reply.raw, https);
    boundRequestBody(raw, reply.raw, bodyDeadlineMs);
    void callback(raw, reply.raw);
  });
}

/**
 * The provider builds its own URLs (discovery, the logout form's action) from the request's
 * address, Host (or X-Forwarded-Host behind a trusted proxy) included: one that makes no URL
 * (`%zz`, `[::1`) threw a TypeError there, a 500 and an error line for the client's mistake. It is
 * refused first, as a 400, right behind the middleware that answers failures.
 */
async function refuseHostsThatMakeNoUrl(koa: unknown, next: () => Promise<unknown>): Promise<unknown> {
  try {
    new URL((koa as { href: string }).href);
  } catch {
    throw new SsoHubError('SSOHUB_ERR_BAD_REQUEST', text('bridge.request.bad_host'), { status: 400 });
  }
  return next();
}

/**
 * What Koa emits as an app 'error' once the middleware above has run: the client's connection
 * failing while the answer is on its way (bytes after `Connection: close`, a body cut short by a
 * half-close, a reset). With no listener Koa prints each one's stack on stderr, outside the hub's
 * log; this listener takes Koa's place: the client's doing is one info line on the request's
 * logger, anything else an error line.
 */
function logConnectionErrors(provider: Provider, requests: WeakMap<IncomingMessage, FastifyRequest>, fallback: FastifyBaseLogger): void {
  // The provider is a Koa application: 'error' is Koa's event, not in oidc-provider's event map.
  (provider as unknown as EventEmitter).on('error', (err: unknown, ctx?: { req?: IncomingMessage }) => {
    const log = (ctx?.req && requests.get(ctx.req)?.log) || fallback;
    const e = err as { code?: unknown; message?: unknown } | undefined;
    const code = typeof e?.code === 'string' ? e.code : undefined;
    if ((code && (code.startsWith('HPE_') || CONNECTION_CODES.has(code))) || e?.message === 'aborted') {
      log.info({ code, reason: String(e?.message) }, 'client connection failed during the answer');
      return;
    }
    log.error({ err: loggableError(err) }, 'provider request failed after its answer');
  });
}

/** What makes Koa (parseurl) read a request target with url.parse instead of its own fast path. */
const KOA_REPARSES = /[\t\n\f\r #\u00a0\ufeff]/;

const CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** RFC 8414's well-known prefix, and the provider's own discovery path below its mount point. */
export const RFC8414_METADATA = '/.well-known/oauth-authorization-server';
const DISCOVERY = '/.well-known/openid-configuration';

/** Hijacked replies skip Fastify's onSend hooks, so the login domain's headers are set here. */
function setHubHeaders(res: ServerResponse, https: boolean): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'strict-origin-when-cross-origin');
  // script-src lets oidc-provider add the hash of its one inline auto-submit script.
  res.setHeader('content-security-policy', "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; base-uri 'none'; frame-ancestors 'none'");
  if (https) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
}

/**
 * Puts a Koa middleware in front of everything the provider runs (its routes and the hub's own
 * provider hooks) that answers every server-side failure through presentError, as any other hub
 * route would: the hub's page on the browser endpoints (authorization, end_session), an OAuth
 * JSON error on the others, 503 with Retry-After when the store or Kratos is down, the request id
 * shown, one log line with the cause. Two kinds of failure get here:
 * - errors thrown past the provider's own error handlers (the hub's hooks before /auth, the
 *   session save that wraps each route): Koa alone would answer a bare text/plain 500 and print
 *   the stack on stderr;
 * - errors the provider caught itself and answered as `server_error` (a 500 "oops" page or JSON):
 *   it announces them with the `server_error` event, and this answer replaces its own.
 * Protocol errors (invalid_request, invalid_client, invalid_grant...) are the provider's to
 * answer and are left alone; so is a server_error the provider sent back to the client's
 * redirect_uri, which is the OAuth way to tell an app.
 *
 * Returns the middleware, and where the mount records each raw request's Fastify request (its id
 * and logger).
 */
function answerProviderFailures(
  provider: Provider,
  https: boolean,
): { requests: WeakMap<IncomingMessage, FastifyRequest>; middleware: (koa: unknown, next: () => Promise<unknown>) => Promise<void> } {
  const requests = new WeakMap<IncomingMessage, FastifyRequest>();
  const caught = new WeakMap<object, unknown>();
  provider.on('server_error', (ctx: unknown, err: unknown) => {
    if (ctx && typeof ctx === 'object') caught.set(ctx, err);
  });
  // First in the chain (runAheadOfProvider), ahead of every provider.use() middleware.
  const middleware = async (koa: unknown, next: () => Promise<unknown>): Promise<void> => {
    const ctx = koa as KoaContextWithOIDC;
    let failure: unknown;
    let thrown = false;
    try {
      await next();
    } catch (err) {
      failure = err;
      thrown = true;
    }
    if (!thrown) {
      if (!caught.has(ctx)) return;
      failure = caught.get(ctx);
    }
    const request = requests.get(ctx.req);
    const requestId = request?.id ?? 'unknown';
    const shown = presentError(failure, requestId);
    if (request) logFailure(request.log, failure, shown);
    if (ctx.headerSent || !ctx.writable) return;
    if (!thrown && ctx.status >= 300 && ctx.status < 400) return;
    if (thrown) {
      // As Koa does for an error: nothing set for the failed answer (cookies of a session that
      // was not saved) goes out with the error; the login domain's headers are set again.
      for (const name of ctx.res.getHeaderNames()) ctx.res.removeHeader(name);
      setHubHeaders(ctx.res, https);
    }
    const body = errorBody(shown, requestId, providerErrorFormat(ctx.path));
    ctx.status = shown.status;
    ctx.set(shown.headers);
    ctx.set('cache-control', 'no-store');
    ctx.type = body.type;
    ctx.body = body.payload;
  };
  return { requests, middleware };
}
