import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type ErrorAction, SsoHubError } from '../errors/ssohub-error.ts';
import { currentLocale, text } from '../i18n/translate.ts';
import { noteCodeResend } from '../login/flow-notice.ts';
import { kratosOperation } from '../kratos/kratos-endpoint.ts';
import { KratosError, KratosUnavailableError } from '../kratos/kratos-error.ts';
import { preloadCommonPasswords } from '../password/common-passwords.ts';
import { isTraced, SpanKind, startChildSpan } from '../tracing/hub-spans.ts';
import { isCommonPasswordSubmission, refuseCommonPassword } from './refuse-common-password.ts';
import { createSignInTimeFloor, isPasswordSignIn, type SignInTimeFloor } from './sign-in-time-floor.ts';
import type { Submission, SubmissionGuard, SubmissionKind } from './submission-guard.ts';
import { withTransientLocale } from './with-transient-locale.ts';

const SUBMISSION_KINDS = new Set<SubmissionKind>(['login', 'registration', 'recovery', 'verification', 'settings']);
export const PROXY_BODY_LIMIT = 64 * 1024;
/** Request headers that end at the hub: they describe the client's connection, not the request. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'expect'];

export interface KratosProxyOptions {
  kratosPublicUrl: string;
  publicUrl: string;
  /** Kratos answers a browser submission with a 303 and, on success, sets this cookie. */
  sessionCookieName: string;
  guard: SubmissionGuard;
  /**
   * Called before a browser's Kratos logout (`GET /self-service/logout?token=`) is forwarded;
   * what it returns runs once Kratos has ended the session, so the logout reaches every app
   * even when it went through Kratos' own endpoint rather than the hub's /logout page.
   */
  beforeLogout?: (cookie: string | undefined) => Promise<(() => Promise<void>) | undefined>;
  /** How long a failed password sign-in waits before its answer (sign-in-time-floor.ts). */
  signInFloor?: SignInTimeFloor;
  /**
   * The links of the page that refuses a sign-in the guard throttled or locked (429), in place
   * of the error page's bare "Go to sign-in": they keep the flow's return_to (issue #20).
   */
  lockoutActions?: (submission: Submission, request: FastifyRequest) => Promise<ErrorAction[]>;
  /**
   * Told when an upstream provider's return (Kratos' `/self-service/methods/oidc/callback/…`, no
   * submission of the hub's pages) signed the browser in: the `oidc` sign-in's success, which
   * its submission could only count as `started` (guard/sign-in-outcome.ts).
   */
  onUpstreamSignIn?: () => void;
}

/** Where an upstream OpenID provider sends the browser back to Kratos. */
const OIDC_CALLBACK = '/self-service/methods/oidc/callback/';

/**
 * Serves Kratos' public browser API on the hub's origin, so Kratos' cookies are host-only cookies
 * of the login domain and the browser never talks to Kratos directly. API flows
 * (`/self-service/<flow>/api`) are refused: browsers must use browser flows (invariant 1).
 */
export async function registerKratosProxy(
  app: FastifyInstance,
  { kratosPublicUrl, publicUrl, sessionCookieName, guard, beforeLogout, signInFloor = createSignInTimeFloor(), lockoutActions, onUpstreamSignIn }: KratosProxyOptions,
): Promise<void> {
  const hub = new URL(publicUrl);
  // Read at startup (2.6 MB, ~14 ms), not in the first sign-up's request.
  preloadCommonPasswords();
  await app.register(async (scope) => {
    await scope.register(replyFrom, {
      base: kratosPublicUrl,
      // Its own request lines carry the upstream URL with its query (Kratos logout tokens, flow ids).
      disableRequestLogging: true,
      undici: { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 },
    });
    // reply-from decodes the whole address (path and query) before forwarding it, and throws on
    // an escape that decodes to nothing (`?x=%zz`): the client's mistake, refused as such before
    // the body is read or the guard asked.
    scope.addHook('onRequest', async (request) => {
      if (!decodable(request.url)) {
        throw new SsoHubError('SSOHUB_ERR_BAD_REQUEST', text('proxy.bad_address'), { status: 400 });
      }
    });
    // A client that closed (or half-closed) its connection before Kratos' answer reached it:
    // the upstream body, destroyed unread, fails with undici's RequestAbortedError. That is the
    // client's doing, not the hub's: one info line, and no answer written to a dead socket.
    // Every other error goes on to the hub's error handler (set on the app before this scope).
    scope.setErrorHandler((err, request, reply) => {
      if (!clientGone(reply) || !isAbortedAnswer(err)) throw err;
      dropAnswer(request, reply, (err as Error).message);
    });
    // Keep bodies as raw bytes: forwarded unchanged, parsed once only for the guard.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: PROXY_BODY_LIMIT }, (_req, body, done) => done(null, body));

    const forward = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '';
      // Kratos' router decodes paths and the hub's checks (API-flow refusal, the guard) read
      // them as sent: its public paths never need escapes or capitals, so refuse any that has them.
      // Schema ids are base64url (capitals allowed); every other Kratos public path is lower case.
      const allowed = /^\/schemas\/[A-Za-z0-9_-]+$/.test(path) || /^\/[a-z0-9/_.-]*$/.test(path);
      if (!allowed || path.includes('//') || path.includes('/.')) {
        throw new SsoHubError('SSOHUB_ERR_BAD_REQUEST', text('proxy.bad_address'), { status: 400 });
      }
      if (/^\/self-service\/[a-z]+\/api\/?$/.test(path)) {
        throw new SsoHubError(
          'SSOHUB_ERR_BAD_REQUEST',
          text('proxy.api_flow_refused'),
          { status: 403 },
        );
      }
      const submission = submissionOf(request, path);
      if (submission) {
        try {
          await guard.before(submission, request);
        } catch (err) {
          throw await withLockoutActions(err, submission, request, lockoutActions);
        }
        if (isCommonPasswordSubmission(submission)) return refuseCommonPassword(submission, request, reply, { secure: hub.protocol === 'https:' });
      }
      const timed = isPasswordSignIn(submission) ? performance.now() : undefined;
      const afterLogout = request.method === 'GET' && path === '/self-service/logout' && beforeLogout ? await beforeLogout(request.headers.cookie) : undefined;
      // The raw bytes go on unchanged: left to itself, reply-from would JSON.stringify a Buffer
      // body sent as application/json (Kratos then sees {"type":"Buffer",...}).
      const sent = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;
      // A submission that can send mail tells Kratos' courier the page's language (the mail
      // templates read it from the flow's transient payload); the guard saw the body as sent.
      const raw = sent && submission ? (withTransientLocale(sent, String(request.headers['content-type'] ?? ''), currentLocale()) ?? sent) : sent;
      // reply-from logs an upstream failure itself (a warning with the stack) before handing it
      // over; the error path logs it once, as it does every failure, so its line is muted.
      const log = request.log;
      request.log = log.child({}, { level: 'error' });
      // The proxied call is a Kratos call like the client's (kratos-endpoint.ts): a child span
      // named by its pattern, whose traceparent Kratos joins.
      const operation = isTraced() ? kratosOperation(request.method, path) : undefined;
      const span = operation
        ? startChildSpan(`kratos ${operation}`, SpanKind.CLIENT, {
            'http.request.method': request.method,
            'url.template': operation.slice(request.method.length + 1),
            'peer.service': 'kratos',
          })
        : undefined;
      return reply.from(request.url, {
        onError: (_reply, { error }) => {
          request.log = log;
          span?.end('no answer');
          const code = (error.cause as { code?: string } | undefined)?.code ?? (error as { code?: string }).code;
          reply.send(new KratosUnavailableError(`Kratos did not answer the proxied request: ${code ?? error.message}`, { cause: error }));
        },
        // An empty body goes on as none (no Content-Type, length 0): left to itself, reply-from
        // parses the request's Content-Type for any body it holds, an empty one included, and a
        // malformed header made it throw a TypeError (a 500; found by the fuzz suite:
        // DELETE /self-service/logout with a broken Content-Type and no body).
        ...(raw ? { body: raw, contentType: String(request.headers['content-type'] ?? 'application/octet-stream') } : request.body !== undefined ? { body: null } : {}),
        rewriteRequestHeaders: (_req, headers) => {
          const out: Record<string, string | string[] | undefined> = { ...headers };
          // Hop-by-hop headers, and Expect (curl sends `Expect: 100-continue` with bodies over
          // 1 KB): the hub has already read the whole body, and undici refuses to send these,
          // throwing before it connects, which read as a Kratos outage (503 and an error line).
          for (const name of HOP_BY_HOP) delete out[name];
          // Kratos compares the Host and Referer of form posts; it must see the public host.
          out.host = hub.host;
          out['x-forwarded-host'] = hub.host;
          out['x-forwarded-proto'] = hub.protocol.replace(':', '');
          out['x-forwarded-for'] = request.ip;
          // Kratos logs it with the request (http_request.headers): its lines meet the hub's. The
          // hub's own id, never one the browser sent.
          out['x-request-id'] = request.id;
          // Trace context the browser sent is not Kratos' to join: the hub's own span is the
          // parent when the request is traced, and nothing otherwise.
          delete out.traceparent;
          delete out.tracestate;
          delete out.baggage;
          if (span) Object.assign(out, span.headers());
          return out;
        },
        onResponse: (_req, res, response) => {
          request.log = log;
          span?.span.setAttribute('http.response.status_code', response.statusCode);
          span?.end(response.statusCode >= 500);
          if (response.statusCode >= 500) {
            // Kratos failing (its database down, say) answers with its own text, which may quote
            // PostgreSQL: it never reaches the browser. What Kratos set for that answer is dropped
            // with it, and the error path shows its 503 page (or JSON) instead. The guard counts
            // nothing: a failing Kratos is no failed sign-in.
            response.stream.resume();
            for (const name of Object.keys(res.getHeaders())) res.removeHeader(name);
            res.send(new KratosError(response.statusCode, undefined, undefined));
            return;
          }
          const setCookies = ([] as string[]).concat(res.getHeader('set-cookie') as string | string[] | undefined ?? []);
          const answer = {
            status: response.statusCode,
            setSession: setCookies.some((c) => setsCookie(c, sessionCookieName, Date.now())),
            location: res.getHeader('location') as string | undefined,
          };
          const loggedOut = afterLogout && (answer.status === 303 || answer.status === 204) ? afterLogout() : Promise.resolve();
          if (answer.setSession && path.startsWith(OIDC_CALLBACK)) onUpstreamSignIn?.();
          // A resend looks like the first send once Kratos has answered: the next flow page says it.
          if (submission && answer.status === 303) noteCodeResend(reply, submission.fields, { secure: hub.protocol === 'https:' });
          // A password sign-in's failure waits until a success would have answered (no account
          // enumeration by timing); a success teaches the floor what a real hash check costs.
          let hold: Promise<unknown> | undefined;
          if (timed !== undefined) {
            const took = performance.now() - timed;
            if (answer.setSession) signInFloor.succeeded(took);
            else {
              const waitMs = signInFloor.waitBeforeFailure(took);
              if (waitMs > 0) hold = new Promise((resolve) => setTimeout(resolve, waitMs));
            }
          }
          const done = Promise.all([submission ? guard.after(submission, answer, request, reply) : undefined, loggedOut, hold]);
          // The guard counts the attempt even when the client is gone: Kratos has judged it.
          done.then(
            () => {
              if (!clientGone(reply)) {
                res.send(response.stream);
                return;
              }
              // Read to its end, not destroyed: a destroyed undici body throws RequestAbortedError
              // (uncaught, with no listener), and a drained one leaves its connection reusable.
              response.stream.resume();
              dropAnswer(request, reply, 'before the answer was sent');
            },
            (err) => res.send(err),
          );
        },
      });
    };

    scope.all('/self-service/*', forward);
    scope.get('/sessions/whoami', forward);
    scope.get('/schemas/*', forward);
  });
}

/**
 * The proxy as an encapsulated route plugin of the public listener. Its scope hands the errors it
 * does not handle to the hub's error handler, which must therefore be set before it; the guard it
 * asks touches the store (the per-request scope); its answers carry the listener's security
 * headers.
 */
export const kratosProxyPlugin = fp(async (app: FastifyInstance, options: KratosProxyOptions) => registerKratosProxy(app, options), {
  name: 'ssohub-kratos-proxy',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['ssohub-hub-request', 'ssohub-error-handler', 'ssohub-security-headers'],
});

function decodable(url: string): boolean {
  try {
    decodeURIComponent(url);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when `header` (one Set-Cookie line) sets the cookie `name` rather than deleting it. The
 * name is read exactly, up to the first "=" (RFC 6265 5.2), so `name_x` is another cookie; a
 * Max-Age <= 0, or else an Expires before `now`, deletes it. Max-Age wins over Expires and the
 * last of each counts, as in browsers; a Max-Age that is no number, or an Expires that is no
 * date, is ignored.
 */
function setsCookie(header: string, name: string, now: number): boolean {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq < 0 || pair.slice(0, eq).trim() !== name) return false;
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? '' : attribute.slice(at + 1).trim();
    if (key === 'max-age' && /^-?\d+$/.test(value)) maxAge = Number(value);
    else if (key === 'expires' && !Number.isNaN(Date.parse(value))) expires = Date.parse(value);
  }
  if (maxAge !== undefined) return maxAge > 0;
  return expires === undefined || expires > now;
}

/**
 * True once the client's connection can carry no answer: closed, or half-closed (Node's server
 * then ends its own side, so nothing more can be written).
 */
function clientGone(reply: FastifyReply): boolean {
  const socket = reply.raw.socket;
  return reply.raw.destroyed || !socket || socket.destroyed || !socket.writable;
}

/** The upstream body failing because it was destroyed unread (undici, or a stream cut short). */
function isAbortedAnswer(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'UND_ERR_ABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function dropAnswer(request: FastifyRequest, reply: FastifyReply, reason: string): void {
  request.log.info({ reason }, 'client closed the connection before the answer');
  reply.hijack();
  reply.raw.destroy();
}

/** A refused sign-in (429) carries the lockout page's links; any other error goes on as it was. */
async function withLockoutActions(
  err: unknown,
  submission: Submission,
  request: FastifyRequest,
  lockoutActions: KratosProxyOptions['lockoutActions'],
): Promise<unknown> {
  if (!lockoutActions || submission.kind !== 'login' || !(err instanceof SsoHubError) || err.status !== 429) return err;
  const actions = await lockoutActions(submission, request).catch(() => undefined);
  if (!actions) return err;
  return new SsoHubError(err.code, err.text ?? err.message, {
    status: err.status,
    expose: err.expose,
    ...(err.detail ? { detail: err.detail } : {}),
    ...(err.headers ? { headers: err.headers } : {}),
    actions,
  });
}

function submissionOf(request: FastifyRequest, path: string): Submission | undefined {
  if (request.method !== 'POST') return undefined;
  const kind = /^\/self-service\/([a-z]+)\/?$/.exec(path)?.[1] as SubmissionKind | undefined;
  if (!kind || !SUBMISSION_KINDS.has(kind)) return undefined;
  const query = new URLSearchParams(request.url.split('?')[1] ?? '');
  return { kind, flowId: query.get('flow') ?? undefined, fields: parseFields(request), ip: request.ip };
}

function parseFields(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) return {};
  const type = String(request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    // Kratos reads the first value of a repeated field; so must the guard, or
    // `identifier=victim&identifier=decoy` would be counted against the decoy.
    const fields: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) if (!(k in fields)) fields[k] = v;
    return fields;
  }
  if (type === 'application/json') {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object') return {};
      const flat: Record<string, string> = {};
      const walk = (value: unknown, prefix: string) => {
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
        } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
          flat[prefix] = String(value);
        }
      };
      walk(parsed, '');
      return flat;
    } catch {
      throw new SsoHubError('SSOHUB_ERR_BAD_REQUEST', text('proxy.body_not_json'), { status: 400 });
    }
  }
  return {};
}
