import type { SsoClient } from '../create-sso-client.ts';
import { SsoClientError } from '../errors.ts';
import type { SsoRouteRequirement } from '../guard/check-access.ts';
import type { BackchannelLogoutBody } from '../logout/handle-backchannel-logout.ts';
import type { SsoSession } from '../session/session-record.ts';
import { answerSsoRoute, checkRequirementAcr, MAX_BACKCHANNEL_BODY, matchSsoRoute, refusalAnswer, type SsoAnswer } from './sso-endpoints.ts';

/** Options of {@link createSsoWebHandler}. */
export interface SsoWebHandlerOptions {
  /**
   * Called with every failure the handler answered with an error page or JSON, for the app's log.
   * Default: `console.error` of the message for failures of this app (status 500 and up), nothing
   * for the caller's own mistakes (a stale callback, a cross-site logout), like `ssoExpress`.
   */
  onError?: (err: unknown) => void;
}

/** SsoWebHandler is `@ssohub/client` on the Fetch API's `Request` and `Response`. */
export interface SsoWebHandler {
  /** The client the handler was created with. */
  readonly client: SsoClient;
  /**
   * Answers the SDK routes (login, callback, logout, global logout, back-channel logout; paths
   * from `SsoClientOptions.routes`) and resolves to `undefined` for any other request, so the
   * framework carries on with its own routing.
   */
  handle(request: Request): Promise<Response | undefined>;
  /** This app's session for the request (from its Cookie header), or null when signed out. */
  getSession(request: Request): Promise<SsoSession | null>;
  /**
   * A usable access token for the request's session, refreshed first when it expires within
   * `refreshSkew` (once across concurrent callers). Rejects with `SSOHUB_CLIENT_ERR_SESSION_REQUIRED`
   * (status 401) when signed out.
   */
  getAccessToken(request: Request): Promise<string>;
  /**
   * Guards a page or an API route: resolves to the session, or to the `Response` to return
   * instead: a browser page (GET/HEAD asking for HTML) is redirected to sign in and back (asking
   * for `acr` on step-up), an API call gets 401 JSON. Throws a TypeError for an `acr` that is not
   * one of `acrLevels` (a programming error).
   */
  requireSession(request: Request, requirement?: Omit<SsoRouteRequirement, 'required'>): Promise<SsoSession | Response>;
}

/**
 * createSsoWebHandler is the web-standard adapter of `@ssohub/client`: the same routes, checks
 * and answers as `ssoFastify` and `ssoExpress`, on `Request` and `Response` only, for Next.js
 * route handlers and middleware, Hono, Remix/React Router, SvelteKit, Bun, Deno, and plain
 * `node:http` through {@link toWebRequest} and {@link sendWebResponse}. Sessions live in the
 * client's store (memory or Redis) as with every adapter.
 *
 * @example Next.js (App Router): the SDK routes in `app/auth/[...sso]/route.ts`, a guarded route
 * ```ts
 * // lib/sso.ts: one handler per process (discovery runs once)
 * import { createSsoClient, createSsoWebHandler } from '@ssohub/client';
 * export const sso = createSsoWebHandler(await createSsoClient(options));
 *
 * // app/auth/[...sso]/route.ts
 * const answer = async (req: Request) => (await sso.handle(req)) ?? new Response(null, { status: 404 });
 * export { answer as GET, answer as POST };
 *
 * // app/api/me/route.ts
 * export async function GET(req: Request) {
 *   const session = await sso.requireSession(req);
 *   if (session instanceof Response) return session;
 *   return Response.json({ sub: session.claims.sub });
 * }
 *
 * // middleware.ts: guard pages before they render (Redis needs the Node.js middleware runtime).
 * export async function middleware(req: NextRequest) {
 *   const session = await sso.requireSession(req);
 *   return session instanceof Response ? session : NextResponse.next();
 * }
 * export const config = { matcher: ['/account/:path*'], runtime: 'nodejs' };
 * ```
 *
 * @example Hono
 * ```ts
 * const sso = createSsoWebHandler(client);
 * app.all('/auth/*', async (c) => (await sso.handle(c.req.raw)) ?? c.notFound());
 * app.get('/billing', async (c) => {
 *   const session = await sso.requireSession(c.req.raw, { acr: 'aal2' });
 *   return session instanceof Response ? session : c.json(session.claims);
 * });
 * ```
 *
 * @example SvelteKit (`src/hooks.server.ts`) and Remix/React Router loaders
 * ```ts
 * export const handle: Handle = async ({ event, resolve }) => {
 *   const answer = await sso.handle(event.request);
 *   if (answer) return answer;
 *   event.locals.session = await sso.getSession(event.request);
 *   return resolve(event);
 * };
 *
 * // React Router / Remix: a guarded loader; throwing the Response sends it.
 * export async function loader({ request }: LoaderFunctionArgs) {
 *   const session = await sso.requireSession(request);
 *   if (session instanceof Response) throw session;
 *   return { name: session.claims.sub };
 * }
 * ```
 *
 * @example Plain node:http
 * ```ts
 * const base = client.options.baseUrl; // URLs are built from it, never from the Host header
 * createServer(async (req, res) => {
 *   const request = toWebRequest(req, base);
 *   const response = (await sso.handle(request)) ?? (await app(request));
 *   await sendWebResponse(res, response);
 * }).listen(3000);
 * ```
 */
export function createSsoWebHandler(client: SsoClient, options: SsoWebHandlerOptions = {}): SsoWebHandler {
  if (!client || typeof client.loadSession !== 'function') throw new TypeError('createSsoWebHandler(client): client must be an SsoClient from createSsoClient');
  if (options.onError !== undefined && typeof options.onError !== 'function') throw new TypeError('SsoWebHandlerOptions.onError must be a function');
  const onError = options.onError ?? logOwnFailure;
  const cookieOf = (request: Request) => request.headers.get('cookie') ?? undefined;

  const respond = (answer: SsoAnswer): Response => {
    if (answer.error !== undefined) onError(answer.error);
    return toResponse(answer);
  };

  const getSession = async (request: Request) => (await client.loadSession(cookieOf(request))) ?? null;

  return {
    client,
    async handle(request) {
      const url = new URL(request.url);
      const route = matchSsoRoute(client.options.routes, request.method, url.pathname);
      if (!route) return undefined;
      const headers = request.headers;
      return respond(
        await answerSsoRoute(client, route, {
          url: url.pathname + url.search,
          cookie: cookieOf(request),
          accept: headers.get('accept') ?? undefined,
          origin: headers.get('origin') ?? undefined,
          secFetchSite: headers.get('sec-fetch-site') ?? undefined,
          readBody: () => readFormBody(request),
        }),
      );
    },
    getSession,
    async getAccessToken(request) {
      const session = await getSession(request);
      if (!session) throw new SsoClientError('SSOHUB_CLIENT_ERR_SESSION_REQUIRED', 'sign in first', { status: 401 });
      return client.getAccessToken(session);
    },
    async requireSession(request, requirement = {}) {
      checkRequirementAcr(client, requirement.acr, 'requireSession');
      const session = await getSession(request);
      const decision = client.checkAccess(session, { ...requirement, required: true });
      if (decision.allow) return session!;
      const url = new URL(request.url);
      return respond(await refusalAnswer(client, decision, { method: request.method, accept: request.headers.get('accept') ?? undefined, returnTo: url.pathname + url.search }));
    },
  };
}

/** toResponse turns an answer into a `Response`, each cookie its own Set-Cookie line. */
function toResponse(answer: SsoAnswer): Response {
  const headers = new Headers(answer.headers);
  for (const cookie of answer.cookies) headers.append('set-cookie', cookie);
  // A 303 carries no body; the other answers are small text.
  return new Response(answer.status === 303 || answer.body === '' ? null : answer.body, { status: answer.status, headers });
}

function logOwnFailure(err: unknown): void {
  if (!(err instanceof SsoClientError) || err.status >= 500) console.error('ssohub: sso request failed', err instanceof Error ? err.message : err);
}

/**
 * readFormBody reads the back-channel logout form as text, at most 64 KiB; any other content
 * type is no logout request (the back-channel handler then answers 400). A body its caller cut
 * short is the caller's failure (400), not this app's.
 */
async function readFormBody(request: Request): Promise<BackchannelLogoutBody> {
  if (!(request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) return undefined;
  const tooLarge = () => new SsoClientError('SSOHUB_CLIENT_ERR_LOGOUT_TOKEN_INVALID', 'logout request body too large', { status: 400 });
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BACKCHANNEL_BODY) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BACKCHANNEL_BODY) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof SsoClientError) throw err;
    throw new SsoClientError('SSOHUB_CLIENT_ERR_LOGOUT_TOKEN_INVALID', 'logout request body could not be read', { status: 400, cause: err });
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
