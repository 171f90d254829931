import type { FastifyInstance } from 'fastify';
import { presentError } from '../errors/present-error.ts';
import { renderErrorBody } from '../errors/register-error-handler.ts';
import { SsoHubError, type SsoHubErrorCode } from '../errors/ssohub-error.ts';
import { renderPage } from '../http/render-page.ts';
import type { HubContext } from '../hub-context.ts';
import { type MessageKey, t, text } from '../i18n/translate.ts';
import { KratosError, KratosUnavailableError } from '../kratos/kratos-error.ts';

type ActionKey = 'flows.error.action.start_again' | 'flows.error.action.go_to_account' | 'flows.error.action.sign_in' | 'flows.error.action.sign_in_again' | 'flows.error.action.sign_out';

/** Our explanation for the flow errors Kratos sends browsers to `/error?id=` with. */
const KRATOS_ERRORS: Record<string, { code: SsoHubErrorCode; message: MessageKey; action?: { href: string; text: ActionKey } }> = {
  security_csrf_violation: { code: 'SSOHUB_ERR_CSRF', message: 'flows.error.csrf', action: { href: '/login', text: 'flows.error.action.start_again' } },
  self_service_flow_return_to_forbidden: { code: 'SSOHUB_ERR_RETURN_TO_REFUSED', message: 'flows.error.return_to_forbidden' },
  self_service_flow_expired: { code: 'SSOHUB_ERR_FLOW_EXPIRED', message: 'flows.error.expired', action: { href: '/login', text: 'flows.error.action.start_again' } },
  session_already_available: { code: 'SSOHUB_ERR_CONFLICT', message: 'flows.error.already_signed_in', action: { href: '/', text: 'flows.error.action.go_to_account' } },
  session_inactive: { code: 'SSOHUB_ERR_UNAUTHORIZED', message: 'flows.error.session_inactive', action: { href: '/login', text: 'flows.error.action.sign_in' } },
  session_refresh_required: {
    code: 'SSOHUB_ERR_UNAUTHORIZED',
    message: 'flows.error.refresh_required',
    action: { href: '/login?refresh=true', text: 'flows.error.action.sign_in_again' },
  },
  security_identity_mismatch: { code: 'SSOHUB_ERR_BAD_REQUEST', message: 'flows.error.identity_mismatch', action: { href: '/logout', text: 'flows.error.action.sign_out' } },
  self_service_flow_disabled: { code: 'SSOHUB_ERR_BAD_REQUEST', message: 'flows.error.disabled' },
};

/**
 * Kratos v1.3.1 refuses to start a session for an inactive identity (an administrator disabled
 * it: ssohub users disable) with `session.ErrIdentityDisabled`, a 401 that carries no error id,
 * only its message; a sign-in with the right credentials ends on /error with it. Told apart by
 * that message and shown as 403 with our own words: signing in again cannot help.
 */
const IDENTITY_DISABLED = { message: 'identity is disabled', explain: { code: 'SSOHUB_ERR_UNAUTHORIZED', message: 'flows.error.account_disabled', status: 403 } } as const;

/**
 * `/error?id=` is Kratos' error ui_url: Kratos stores what went wrong and sends the browser here.
 * The stored error is turned into an SsoHubError, so presentError still decides what is shown.
 */
export function registerFlowErrorPage(app: FastifyInstance, ctx: HubContext): void {
  app.get('/error', async (request, reply) => {
    const { id } = request.query as { id?: string };
    let err: SsoHubError;
    let action: { href: string; text: ActionKey } | undefined;
    if (!id) {
      err = new SsoHubError('SSOHUB_ERR_NOT_FOUND', text('flows.error.none'), { status: 404 });
    } else {
      try {
        const flowError = await ctx.kratos.getFlowError(id);
        const e = (flowError.error ?? {}) as { id?: string; code?: number; reason?: string; message?: string };
        const known = e.id ? KRATOS_ERRORS[e.id] : undefined;
        const disabled = e.id === undefined && e.message === IDENTITY_DISABLED.message;
        const status = typeof e.code === 'number' && e.code >= 400 && e.code < 600 ? e.code : 400;
        request.log.info({ kratosError: e.id ?? (disabled ? 'identity_disabled' : undefined), status }, 'showing a Kratos flow error');
        action = known?.action;
        err = disabled
          ? new SsoHubError(IDENTITY_DISABLED.explain.code, text(IDENTITY_DISABLED.explain.message), { status: IDENTITY_DISABLED.explain.status })
          : known
          ? new SsoHubError(known.code, text(known.message), { status: status >= 500 ? 400 : status })
          : new SsoHubError('SSOHUB_ERR_BAD_REQUEST', text(status >= 500 ? 'flows.error.failed' : 'flows.error.not_completed'), {
              status,
              expose: status < 500,
              detail: { kratosError: e.id, reason: e.reason },
            });
      } catch (cause) {
        if (cause instanceof KratosError && (cause.status === 404 || cause.status === 400)) {
          err = new SsoHubError('SSOHUB_ERR_NOT_FOUND', text('flows.error.report_expired'), { status: 404 });
        } else if (cause instanceof KratosUnavailableError) {
          err = new SsoHubError('SSOHUB_ERR_KRATOS_UNAVAILABLE', text('flows.error.unavailable'), { status: 503, expose: true });
        } else throw cause;
      }
    }
    const shown = presentError(err, request.id);
    return reply
      .status(shown.status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(
        renderPage({
          title: shown.title,
          body: renderErrorBody({
            title: shown.title,
            message: shown.pageMessage,
            code: shown.code,
            reference: request.id,
            actions: [
              action ? { href: action.href, text: t(action.text) } : { href: '/login', text: t('flows.error.action.go_to_sign_in') },
              { href: '/', text: t('flows.error.action.home') },
            ],
          }),
        }),
      );
  });
}
