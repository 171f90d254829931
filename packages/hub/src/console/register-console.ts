import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Static } from 'typebox';
import { errorFormatOf } from '../errors/error-format.ts';
import { logFailure } from '../errors/log-failure.ts';
import { presentError } from '../errors/present-error.ts';
import { errorBody, renderErrorBody } from '../errors/register-error-handler.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { securityHeaders } from '../http/security-headers.ts';
import type { HubContext } from '../hub-context.ts';
import { isLocale } from '../i18n/locales.ts';
import { LANGUAGE_COOKIE } from '../i18n/negotiate-locale.ts';
import { LanguageQuery, sameOriginPath } from '../i18n/register-language-picker.ts';
import { t, text } from '../i18n/translate.ts';
import { registerAuditPages } from './audit/register-audit-pages.ts';
import { registerBackchannelPages } from './backchannel/register-backchannel-pages.ts';
import { registerClientPages } from './clients/register-client-pages.ts';
import { CONSOLE_PATH, readSessionCookie } from './console-cookie.ts';
import { checkCsrf, checkSameOrigin } from './console-csrf.ts';
import { CONSOLE_CSS, CONSOLE_CSS_PATH, CONSOLE_CSS_VERSION } from './console-css.ts';
import type { ConsoleDeps } from './console-deps.ts';
import { sendConsolePage } from './console-page.ts';
import { attachConsoleSession, findConsoleSession } from './console-request.ts';
import { createConsoleSessionStore } from './console-session-store.ts';
import { type ConsoleSessions, consoleTokenTag, createConsoleSessions } from './console-sessions.ts';
import { registerDoctorPage } from './doctor/register-doctor-page.ts';
import { registerLockoutPages } from './lockouts/register-lockout-pages.ts';
import { afterSignIn, OPEN_ROUTE, registerSignIn, SIGN_IN_PATH } from './register-sign-in.ts';
import { registerSessionPages } from './sessions/register-session-pages.ts';
import { createSignInThrottle, type SignInThrottle } from './sign-in-throttle.ts';
import { registerUserPages } from './users/register-user-pages.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on every console route (register-console.ts): the admin API's bearer check lets it through. */
    ssohubConsole?: true;
    /** A console route that answers without a console session: the sign-in page and its post, the stylesheet, the language picker. */
    ssohubConsoleOpen?: true;
  }
}

/** The console's 404 is the console's: the admin API's bearer check lets it through, its session check does not. */
const CONSOLE_NOT_FOUND_CONFIG: { ssohubConsole: true } = { ssohubConsole: true };

/** A year: a person's language rarely changes (as the login pages' picker). */
const LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;

export interface ConsoleOptions {
  ctx: HubContext;
  /** The login pages' logo origin (branding), so the console's CSP is theirs to the letter. */
  imgOrigin?: string | undefined;
  /** Overrides for tests: a clock for session expiry. */
  sessions?: ConsoleSessions;
  /** The admin token's throttle, shared with the admin API's bearer check (app.ts); absent, the console's own. */
  throttle?: SignInThrottle;
}

/**
 * The web console (issue 27) on the admin listener, under /console: an encapsulated plugin whose
 * every route is marked `ssohubConsole` (so the admin API's bearer check skips it: the console
 * checks its own session instead) and, unless marked open, needs a live console session. Every
 * POST is same-origin checked, and CSRF-checked when signed in, before its handler runs. Pages
 * are HTML in the login pages' look and CSP, in the request's language. docs/console.md.
 */
export async function registerConsole(console: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const { ctx } = options;
  const tokenTag = ctx.config.admin.token === undefined ? undefined : consoleTokenTag(ctx.config.admin.token);
  const sessions = options.sessions ?? createConsoleSessions(createConsoleSessionStore(ctx.storage), ctx.config.admin.console, { tokenTag });
  const throttle = options.throttle ?? createSignInThrottle(ctx.storage);
  const deps: ConsoleDeps = { ctx, sessions };

  // Every route of this plugin (its children's too) is a console route: none can be left to the
  // bearer check by forgetting a flag, and none can skip the session check by accident.
  console.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), ssohubConsole: true };
  });
  await console.register(fastifyCookie);
  await console.register(fastifyFormbody, { bodyLimit: 64 * 1024 });

  console.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.ssohubConsoleOpen === true) return;
    const session = ctx.config.admin.token === undefined ? undefined : await sessions.resume(readSessionCookie(request));
    if (session) {
      attachConsoleSession(request, session);
      return;
    }
    if (request.method === 'GET' || request.method === 'HEAD') {
      // An address no console page answers is not worth coming back to after signing in: the
      // overview is (and a `next` a browser would resolve out of /console is never sent).
      const next = request.is404 ? CONSOLE_PATH : afterSignIn(request.url);
      reply.header('cache-control', 'no-store').redirect(next === CONSOLE_PATH ? SIGN_IN_PATH : `${SIGN_IN_PATH}?next=${encodeURIComponent(next)}`, 303);
      return reply;
    }
    throw new SsoHubError('SSOHUB_ERR_UNAUTHORIZED', text('console.error.session_required'), { status: 401 });
  });
  // After the body is parsed, before the handler: no change is made by a cross-site form or one
  // without this session's token.
  console.addHook('preValidation', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    const session = findConsoleSession(request);
    if (session) checkCsrf(request, session.csrf);
    else checkSameOrigin(request);
  });
  console.addHook('onSend', async (request, reply, payload) => {
    reply.headers(securityHeaders({ https: request.protocol === 'https', imgOrigin: options.imgOrigin }));
    // The admin API's hook (which ran first) marks every answer no-store; the stylesheet, asked
    // for by its content hash, may be kept for good (a phone on a slow tunnel loads it once).
    if (request.routeOptions.url === CONSOLE_CSS_PATH && (request.query as { v?: unknown }).v === CONSOLE_CSS_VERSION) {
      reply.header('cache-control', 'public, max-age=31536000, immutable');
    }
    return payload;
  });
  console.setErrorHandler(async (err, request, reply) => {
    const shown = presentError(err, request.id);
    logFailure(request.log, err, shown);
    return sendConsoleError(request, reply, shown);
  });

  // Every address under /console that no console page answers: the console's own 404, behind its
  // session check like every page. The router picks it, on the path as it reads it (decoded, dot
  // segments kept, as it matched every route): `/%63onsole/x` and `/console/../admin/x` (which no
  // admin route matches) are the console's; `//console` or `/%2Fconsole/x` are not, and reach the
  // listener's 404 behind the bearer check. A 404 handler is not a route, so the onRoute hook
  // does not mark it: the options' `config` does (Fastify reads it, its types omit it; were it
  // ignored, the bearer check would answer as before: closed).
  console.setNotFoundHandler({ config: CONSOLE_NOT_FOUND_CONFIG } as Parameters<typeof console.setNotFoundHandler>[0], async (request, reply) =>
    sendConsoleError(request, reply, presentError(new SsoHubError('SSOHUB_ERR_NOT_FOUND', text('console.error.not_found'), { status: 404 }), request.id)),
  );

  console.get('/assets/console.css', { config: OPEN_ROUTE }, async (_request, reply) => reply.type('text/css; charset=utf-8').send(CONSOLE_CSS));
  console.get<{ Querystring: Static<typeof LanguageQuery> }>('/language', { config: OPEN_ROUTE, schema: { querystring: LanguageQuery } }, async (request, reply) => {
    const { lang, next } = request.query;
    if (isLocale(lang)) {
      reply.setCookie(LANGUAGE_COOKIE, lang, { path: CONSOLE_PATH, httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', maxAge: LANGUAGE_COOKIE_MAX_AGE_S });
    }
    // Back to the page it came from: a console page, or the sign-in page (which afterSignIn, the
    // rule for after signing in, would not send anyone to).
    const toSignIn = sameOriginPath(next) && (next === SIGN_IN_PATH || next.startsWith(`${SIGN_IN_PATH}?`));
    return reply.header('cache-control', 'no-store').redirect(toSignIn ? next : afterSignIn(next), 303);
  });

  registerSignIn(console, { ...deps, throttle });
  registerDoctorPage(console, deps);
  registerClientPages(console, deps);
  registerLockoutPages(console, deps);
  registerAuditPages(console, deps);
  registerUserPages(console, deps);
  registerSessionPages(console, deps);
  registerBackchannelPages(console, deps);
}

/** An error on a console route: a console page (JSON for a caller that asks for it only). */
function sendConsoleError(request: FastifyRequest, reply: FastifyReply, shown: ReturnType<typeof presentError>): FastifyReply {
  reply.status(shown.status).headers(shown.headers).header('cache-control', 'no-store');
  if (errorFormatOf(request) !== 'page') {
    const body = errorBody(shown, request.id, 'json');
    return reply.type(body.type).send(body.payload);
  }
  const signedIn = findConsoleSession(request) !== undefined;
  const action = signedIn ? { href: CONSOLE_PATH, text: t('console.error.back') } : { href: SIGN_IN_PATH, text: t('console.sign_in.submit') };
  return sendConsolePage(request, reply, {
    title: shown.title,
    narrow: true,
    status: shown.status,
    body: renderErrorBody({ title: shown.title, message: shown.pageMessage, code: shown.code, reference: request.id, actions: [action] }),
  });
}

/**
 * The console as an encapsulated plugin of the admin listener, under /console: its cookie and
 * form parsers, hooks and error handler are its own. It needs the admin API first, whose
 * listener-wide bearer check tells console routes from its own by their config.
 */
export const consolePlugin = fp(async (admin: FastifyInstance, options: ConsoleOptions) => admin.register(registerConsole, { ...options, prefix: CONSOLE_PATH }), {
  name: 'ssohub-console',
  fastify: '5.x',
  encapsulate: true,
  dependencies: ['ssohub-hub-request', 'ssohub-error-handler', 'ssohub-admin-api'],
});
