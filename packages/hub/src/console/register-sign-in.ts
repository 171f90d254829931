import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkAdminToken } from '../admin/check-admin-token.ts';
import { html } from '../http/html.ts';
import { sameOriginPath } from '../i18n/register-language-picker.ts';
import { t } from '../i18n/translate.ts';
import { CONSOLE_PATH, clearSessionCookie, readSessionCookie, setSessionCookie } from './console-cookie.ts';
import type { ConsoleDeps } from './console-deps.ts';
import { errorMessage, formValue, hiddenFields, textField } from './console-html.ts';
import { sendConsolePage } from './console-page.ts';
import { ADMIN_NAME_PATTERN, consoleActor, consoleSession } from './console-request.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';

export const SIGN_IN_PATH = `${CONSOLE_PATH}/sign-in`;
/** The open routes' config: the console's session hook lets them through (register-console.ts). */
export const OPEN_ROUTE = { ssohubConsoleOpen: true } as const;

/**
 * Where to go after signing in: a console page of this listener, else the overview. Judged on the
 * path a browser would go to, dot segments resolved (`/console/../admin/clients` and
 * `/console/%2e%2e/admin` leave the console), as well as on the text itself.
 */
export function afterSignIn(next: string | undefined): string {
  if (!sameOriginPath(next) || next.startsWith(SIGN_IN_PATH)) return CONSOLE_PATH;
  const path = new URL(next, 'http://console.invalid').pathname;
  const inConsole = (p: string) => p === CONSOLE_PATH || p.startsWith(`${CONSOLE_PATH}/`);
  const raw = next.split(/[?#]/, 1)[0]!;
  return inConsole(raw) && inConsole(path) && !path.startsWith(SIGN_IN_PATH) ? next : CONSOLE_PATH;
}

/**
 * The console's sign-in and sign-out. An admin signs in with the hub's admin token (compared in
 * constant time, like the admin API's bearer token) and their name, which names them in the audit
 * trail as `console:<name>`. Failed attempts are audited (`admin.auth_failed`) and every attempt
 * is throttled per IP (sign-in-throttle.ts), in the bucket the admin API's wrong bearer tokens
 * count in too. Without admin.token the page says how to enable it.
 */
export function registerSignIn(console: FastifyInstance, deps: ConsoleDeps & { throttle: SignInThrottle }): void {
  const { ctx, sessions, throttle } = deps;

  console.get<{ Querystring: { next?: string } }>('/sign-in', { config: OPEN_ROUTE }, async (request, reply) => {
    const next = typeof request.query.next === 'string' ? request.query.next : undefined;
    return sendSignIn(request, reply, { next });
  });

  console.post('/sign-in', { config: OPEN_ROUTE }, async (request, reply) => {
    const body = request.body;
    const next = formValue(body, 'next');
    const name = formValue(body, 'name') ?? '';
    if (ctx.config.admin.token === undefined) return sendSignIn(request, reply, { next, status: 401 });
    const waitMs = await throttle.take(request.ip);
    if (waitMs !== undefined) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      request.log.warn({ ip: request.ip, retryAfterSeconds: seconds }, 'console sign-in throttled');
      reply.header('retry-after', String(seconds));
      return sendSignIn(request, reply, { next, name, status: 429, error: t('console.sign_in.throttled', { seconds }) });
    }
    const token = typeof (body as Record<string, unknown> | null)?.token === 'string' ? ((body as Record<string, string>).token as string) : undefined;
    if (!checkAdminToken(token, ctx.config.admin.token)) {
      // Not the name typed: an admin who pasted the token into the wrong field would have it recorded.
      ctx.audit.record({ type: 'admin.auth_failed', actor: request.ip, ip: request.ip, outcome: 'failure', route: SIGN_IN_PATH });
      return sendSignIn(request, reply, { next, name, status: 401, error: t('console.sign_in.bad_token') });
    }
    // The name goes into every audit event: never let the token itself become one.
    if (!ADMIN_NAME_PATTERN.test(name) || checkAdminToken(name, ctx.config.admin.token)) {
      return sendSignIn(request, reply, { next, name: name.length > 64 || name === token ? '' : name, status: 400, nameError: t('console.sign_in.bad_name') });
    }
    // A new id at every sign-in; a session this browser still had ends (no fixation, no leftovers).
    const previous = await sessions.resume(readSessionCookie(request));
    if (previous) await sessions.end(previous);
    const { id } = await sessions.start(name);
    setSessionCookie(request, reply, id);
    ctx.audit.record({ type: 'admin.console.signed_in', actor: `console:${name}`, ip: request.ip, outcome: 'success' });
    return reply.header('cache-control', 'no-store').redirect(afterSignIn(next), 303);
  });

  console.post('/sign-out', async (request, reply) => {
    const session = consoleSession(request);
    const actor = consoleActor(request);
    await sessions.end(session);
    clearSessionCookie(request, reply);
    ctx.audit.record({ type: 'admin.console.signed_out', actor, ip: request.ip, outcome: 'success' });
    return reply.header('cache-control', 'no-store').redirect(SIGN_IN_PATH, 303);
  });

  function sendSignIn(
    request: FastifyRequest,
    reply: FastifyReply,
    o: { next?: string | undefined; name?: string; status?: number; error?: string; nameError?: string },
  ): FastifyReply {
    if (ctx.config.admin.token === undefined) {
      return sendConsolePage(request, reply, {
        title: t('console.sign_in.disabled_title'),
        narrow: true,
        status: o.status ?? 200,
        body: html`<h1>${t('console.sign_in.disabled_title')}</h1>
<p class="lead" data-testid="console/disabled">${t('console.sign_in.disabled')}</p>`,
      });
    }
    const next = o.next !== undefined ? afterSignIn(o.next) : undefined;
    return sendConsolePage(request, reply, {
      title: t('console.sign_in.title'),
      narrow: true,
      status: o.status ?? 200,
      body: html`<h1>${t('console.sign_in.title')}</h1>
<p class="lead">${t('console.sign_in.lead')}</p>
${o.error ? errorMessage(o.error) : ''}<form method="post" action="${SIGN_IN_PATH}" data-testid="console/sign-in">
${next && next !== CONSOLE_PATH ? hiddenFields({ next }) : ''}${textField({ name: 'name', label: t('console.sign_in.name'), hint: t('console.sign_in.name_hint'), value: o.name, error: o.nameError, required: true, autocomplete: 'username', testid: 'console/name' })}
${textField({ name: 'token', label: t('console.sign_in.token'), hint: t('console.sign_in.token_hint'), type: 'password', required: true, autocomplete: 'current-password', testid: 'console/token' })}
<button type="submit">${t('console.sign_in.submit')}</button>
</form>`,
    });
  }
}
