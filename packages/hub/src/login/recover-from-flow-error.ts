import type { FastifyReply, FastifyRequest } from 'fastify';
import { SsoHubError } from '../errors/ssohub-error.ts';
import type { HubContext } from '../hub-context.ts';
import { text } from '../i18n/translate.ts';
import type { FlowKind } from '../kratos/kratos-client.ts';
import { KratosError, KratosUnavailableError } from '../kratos/kratos-error.ts';
import { keepReturnTo } from './check-return-to.ts';
import { type FlowNoticeCode, pendingNotice, setNotice } from './flow-notice.ts';

/** The Kratos endpoint that starts a browser flow (it sets the CSRF cookie and comes back with ?flow=). */
export function initFlowUrl(kind: FlowKind, params: Record<string, string | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) query.set(k, v);
  const qs = query.toString();
  return `/self-service/${kind}/browser${qs ? `?${qs}` : ''}`;
}

/**
 * The one soft-error policy of the flow pages, for a flow Kratos would not hand out:
 * - unknown (404) or expired (410): start a new flow of the same kind, keeping return_to;
 * - CSRF violation (403 security_csrf_violation): start again, once; the same failure right after
 *   a restart means the browser does not keep cookies, which a new flow cannot fix;
 * - no session (401, settings): sign in first, then come back here;
 * - Kratos naming the next step itself (redirect_browser_to, e.g. a second factor): go there;
 * - anything else is a real error for the error page.
 * Every restart carries a notice that tells the user why the form changed under them.
 */
export function recoverFromFlowError(
  err: unknown,
  { kind, request, reply, ctx, returnTo }: { kind: FlowKind; request: FastifyRequest; reply: FastifyReply; ctx: HubContext; returnTo: string | undefined },
): FastifyReply {
  const secure = ctx.config.publicUrl.startsWith('https:');
  const restart = (notice: FlowNoticeCode, keep = returnTo) => {
    request.log.info({ kind, notice }, 'flow restarted');
    setNotice(reply, notice, { secure });
    return reply.header('cache-control', 'no-store').redirect(initFlowUrl(kind, { return_to: keep }), 303);
  };
  if (err instanceof KratosUnavailableError) {
    throw new SsoHubError('SSOHUB_ERR_KRATOS_UNAVAILABLE', text('flows.error.unavailable'), {
      status: 503,
      expose: true,
      detail: { reason: err.message },
    });
  }
  if (!(err instanceof KratosError)) throw err;
  const body = err.body as { error?: { details?: { return_to?: string } }; redirect_browser_to?: string } | undefined;

  if (err.status === 404) return restart('flow_unknown');
  if (err.status === 410) {
    const kept = keepReturnTo(body?.error?.details?.return_to, ctx.config) ?? returnTo;
    return restart('flow_expired', kept);
  }
  if (err.status === 403 && err.errorId === 'security_csrf_violation') {
    if (pendingNotice(request) === 'csrf') {
      throw new SsoHubError('SSOHUB_ERR_CSRF', text('flows.error.cookies_blocked'), { status: 403 });
    }
    return restart('csrf');
  }
  if (err.status === 401) {
    setNotice(reply, 'session_required', { secure });
    const back = `${ctx.config.publicUrl}/${kind}${returnTo ? `?return_to=${encodeURIComponent(returnTo)}` : ''}`;
    return reply.header('cache-control', 'no-store').redirect(initFlowUrl('login', { return_to: back }), 303);
  }
  const next = body?.redirect_browser_to;
  if (next && keepReturnTo(next, { publicUrl: ctx.config.publicUrl, allowedReturnOrigins: [] })) {
    return reply.header('cache-control', 'no-store').redirect(next, 303);
  }
  // Kratos' body may hold a whole flow (with its CSRF token): keep it out of the log.
  // A Kratos 5xx stays the cause, so the error path answers it as the Kratos outage it is (503).
  throw new SsoHubError('SSOHUB_ERR_INTERNAL', `Kratos refused to hand out a ${kind} flow`, {
    status: err.status >= 500 ? 502 : 500,
    expose: false,
    cause: err,
    detail: { status: err.status, errorId: err.errorId },
  });
}
