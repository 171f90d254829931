import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SsoClient } from '../create-sso-client.ts';
import { SsoClientError } from '../errors.ts';
import type { SsoRouteRequirement } from '../guard/check-access.ts';
import type { HandlerResponse } from '../logout/handle-backchannel-logout.ts';
import type { SsoSession } from '../session/session-record.ts';
import { answerSsoRoute, checkRequirementAcr, MAX_BACKCHANNEL_BODY, matchSsoRoute, refusalAnswer, type SsoAnswer } from './sso-endpoints.ts';

/** SsoRequest is an Express/Connect request as the middleware leaves it. */
export interface SsoRequest extends IncomingMessage {
  /** This app's session for the request, or null when signed out. */
  ssoSession?: SsoSession | null;
  originalUrl?: string;
  body?: unknown;
}

/** A Connect-style middleware: Express 4/5, Connect, or plain node:http. */
export type SsoMiddleware = (req: SsoRequest, res: ServerResponse, next: (err?: unknown) => void) => void;

/** SsoExpress is the middleware with its route guard factory attached. */
export interface SsoExpress extends SsoMiddleware {
  /** A guard middleware: `required` session, optionally at least `acr`. */
  requireSession(requirement?: Omit<SsoRouteRequirement, 'required'>): SsoMiddleware;
}

declare global {
  namespace Express {
    interface Request {
      /** This app's session for the request, or null when signed out (set by ssoExpress). */
      ssoSession?: SsoSession | null;
    }
  }
}

function write(res: ServerResponse, response: HandlerResponse, cookies: string[] = []): void {
  appendCookies(res, cookies);
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  res.end(response.body);
}

function appendCookies(res: ServerResponse, cookies: string[]): void {
  if (cookies.length === 0) return;
  const existing = res.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('set-cookie', [...list, ...cookies]);
}

async function readBody(req: SsoRequest): Promise<string | Record<string, unknown> | undefined> {
  if (req.body !== undefined && req.body !== null && (typeof req.body === 'string' || typeof req.body === 'object')) {
    if (!Buffer.isBuffer(req.body)) return req.body as string | Record<string, unknown>;
    return req.body.toString('utf8');
  }
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BACKCHANNEL_BODY) throw new SsoClientError('SSOHUB_CLIENT_ERR_LOGOUT_TOKEN_INVALID', 'logout request body too large', { status: 400 });
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof SsoClientError) throw err;
    // The caller's connection failed mid-body (it closed: `aborted`): its request, not this app.
    throw new SsoClientError('SSOHUB_CLIENT_ERR_LOGOUT_TOKEN_INVALID', 'logout request body could not be read', { status: 400, cause: err });
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * ssoExpress is the Express/Connect middleware of `@ssohub/client`. Mounted at the app root, it
 * sets `req.ssoSession` on every request and answers the SDK routes (login, callback, logout,
 * global logout, back-channel logout; paths from `SsoClientOptions.routes`). Guard routes with
 * `sso.requireSession()`. No cookie or body parser is needed.
 *
 * @example
 * ```ts
 * const sso = ssoExpress(await createSsoClient(options));
 * app.use(sso);
 * app.get('/account', sso.requireSession(), (req, res) => res.json(req.ssoSession!.claims));
 * app.get('/billing', sso.requireSession({ acr: 'aal2' }), billing);
 * ```
 */
export function ssoExpress(client: SsoClient): SsoExpress {
  if (!client || typeof client.loadSession !== 'function') throw new TypeError('ssoExpress(client): client must be an SsoClient from createSsoClient');
  const paths = client.options.routes;
  const logFailure = (err: unknown) => {
    if (!(err instanceof SsoClientError) || err.status >= 500) console.error('ssohub: sso request failed', err instanceof Error ? err.message : err);
  };

  const send = (req: SsoRequest, res: ServerResponse, answer: SsoAnswer) => {
    if (answer.error !== undefined) logFailure(answer.error);
    if (answer.session !== undefined) req.ssoSession = answer.session;
    write(res, answer, answer.cookies);
  };

  const handle = async (req: SsoRequest, res: ServerResponse): Promise<boolean> => {
    const url = req.originalUrl ?? req.url ?? '/';
    const path = url.split('?')[0]!;
    const route = matchSsoRoute(paths, req.method ?? 'GET', path);
    // The back-channel caller is the hub, not a browser: no session to load for it.
    if (route !== 'backchannelLogout') req.ssoSession = (await client.loadSession(req.headers.cookie)) ?? null;
    if (!route) return false;
    send(
      req,
      res,
      await answerSsoRoute(client, route, {
        url,
        cookie: req.headers.cookie,
        accept: req.headers.accept,
        origin: req.headers.origin,
        secFetchSite: req.headers['sec-fetch-site'],
        readBody: () => readBody(req),
      }),
    );
    return true;
  };

  const middleware: SsoMiddleware = (req, res, next) => {
    handle(req, res).then((handled) => (handled ? undefined : next()), next);
  };

  const requireSession = (requirement: Omit<SsoRouteRequirement, 'required'> = {}): SsoMiddleware => {
    checkRequirementAcr(client, requirement.acr, 'requireSession');
    return (req, res, next) => {
      if (req.ssoSession === undefined) {
        next(new TypeError('requireSession() needs the ssoExpress middleware mounted before it'));
        return;
      }
      const decision = client.checkAccess(req.ssoSession, { required: true, ...requirement });
      if (decision.allow) return next();
      refusalAnswer(client, decision, { method: req.method ?? 'GET', accept: req.headers.accept, returnTo: req.originalUrl ?? req.url ?? '/' }).then(
        (answer) => send(req, res, answer),
        next,
      );
    };
  };

  return Object.assign(middleware, { requireSession });
}
