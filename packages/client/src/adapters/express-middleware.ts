import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SsoClient } from '../create-sso-client.ts';
import { SsoClientError } from '../errors.ts';
import { type SsoRouteRequirement, wantsHtml } from '../guard/check-access.ts';
import type { HandlerResponse } from '../logout/handle-backchannel-logout.ts';
import type { SsoSession } from '../session/session-record.ts';
import { renderError } from './render-error.ts';

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

function redirect(res: ServerResponse, location: string, cookies: string[]): void {
  appendCookies(res, cookies);
  res.statusCode = 303;
  res.setHeader('location', location);
  res.setHeader('cache-control', 'no-store');
  res.end();
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
      if (size > 64 * 1024) throw new SsoClientError('SSOHUB_CLIENT_ERR_LOGOUT_TOKEN_INVALID', 'logout request body too large', { status: 400 });
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
  const fail = (req: SsoRequest, res: ServerResponse, err: unknown, cookies: string[] = []) => {
    if (!(err instanceof SsoClientError) || err.status >= 500) console.error('ssohub: sso request failed', err instanceof Error ? err.message : err);
    write(res, renderError(err, req.headers.accept, paths.login), cookies);
  };

  const handle = async (req: SsoRequest, res: ServerResponse): Promise<boolean> => {
    const url = req.originalUrl ?? req.url ?? '/';
    const path = url.split('?')[0];
    const method = req.method ?? 'GET';
    if (method === 'POST' && path === paths.backchannelLogout) {
      try {
        write(res, await client.handleBackchannelLogout(await readBody(req)));
      } catch (err) {
        fail(req, res, err);
      }
      return true;
    }
    req.ssoSession = (await client.loadSession(req.headers.cookie)) ?? null;
    if (method === 'GET' && path === paths.login) {
      const query = new URL(url, client.options.baseUrl).searchParams;
      try {
        const returnTo = query.get('returnTo');
        const acr = query.get('acr');
        const uiLocales = query.get('ui_locales');
        const start = await client.beginSignIn({ ...(returnTo ? { returnTo } : {}), ...(acr ? { acrValues: acr } : {}), ...(uiLocales !== null ? { uiLocales } : {}) });
        redirect(res, start.url.href, [start.setCookie]);
      } catch (err) {
        fail(req, res, err);
      }
      return true;
    }
    if (method === 'GET' && path === paths.callback) {
      try {
        const result = await client.completeSignIn(url, req.headers.cookie);
        redirect(res, result.returnTo, result.setCookies);
      } catch (err) {
        fail(req, res, err, [`${client.transactionCookieName}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax${client.options.secureCookies ? '; Secure' : ''}`]);
      }
      return true;
    }
    if (method === 'POST' && (path === paths.logout || path === paths.globalLogout)) {
      if (!client.isSameOrigin(req.headers.origin, req.headers['sec-fetch-site'])) {
        fail(req, res, new SsoClientError('SSOHUB_CLIENT_ERR_CROSS_ORIGIN', 'logout must be requested from this site', { status: 403 }));
        return true;
      }
      try {
        const result = path === paths.globalLogout ? await client.signOutGlobal(req.headers.cookie) : await client.signOutLocal(req.headers.cookie);
        req.ssoSession = null;
        redirect(res, result.url.href, [result.setCookie]);
      } catch (err) {
        fail(req, res, err);
      }
      return true;
    }
    return false;
  };

  const middleware: SsoMiddleware = (req, res, next) => {
    handle(req, res).then((handled) => (handled ? undefined : next()), next);
  };

  const requireSession = (requirement: Omit<SsoRouteRequirement, 'required'> = {}): SsoMiddleware => {
    if (requirement.acr !== undefined && !client.options.acrLevels.includes(requirement.acr)) {
      throw new TypeError(`requireSession: acr "${requirement.acr}" is not one of acrLevels (${client.options.acrLevels.join(', ')})`);
    }
    return (req, res, next) => {
      if (req.ssoSession === undefined) {
        next(new TypeError('requireSession() needs the ssoExpress middleware mounted before it'));
        return;
      }
      const decision = client.checkAccess(req.ssoSession, { required: true, ...requirement });
      if (decision.allow) return next();
      if (wantsHtml(req.method ?? 'GET', req.headers.accept)) {
        client
          .beginSignIn({ returnTo: req.originalUrl ?? req.url ?? '/', ...(decision.reason === 'step_up' ? { acrValues: decision.acr } : {}) })
          .then((start) => redirect(res, start.url.href, [start.setCookie]), (err) => fail(req, res, err));
        return;
      }
      const body = decision.reason === 'step_up' ? { error: 'insufficient_user_authentication', acr_values: decision.acr } : { error: 'session_required', login: paths.login };
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
      if (decision.reason === 'step_up') headers['www-authenticate'] = `Bearer error="insufficient_user_authentication", acr_values="${decision.acr}"`;
      write(res, { status: 401, headers, body: JSON.stringify(body) });
    };
  };

  return Object.assign(middleware, { requireSession });
}
