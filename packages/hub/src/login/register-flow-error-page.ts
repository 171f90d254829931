import type { FastifyInstance } from 'fastify';
import { presentError } from '../errors/present-error.ts';
import { renderErrorBody } from '../errors/register-error-handler.ts';
import { SsoHubError, type SsoHubErrorCode } from '../errors/ssohub-error.ts';
import { renderPage } from '../http/render-page.ts';
import type { HubContext } from '../hub-context.ts';
import { KratosError, KratosUnavailableError } from '../kratos/kratos-error.ts';

/** Our explanation for the flow errors Kratos sends browsers to `/error?id=` with. */
const KRATOS_ERRORS: Record<string, { code: SsoHubErrorCode; message: string; action?: { href: string; text: string } }> = {
  security_csrf_violation: {
    code: 'SSOHUB_ERR_CSRF',
    message:
      'For your security we could not accept that form. This happens when it was opened in another window, left open for a long time, or when your browser cleared or blocked this site\'s cookies. Nothing was changed. Please start again.',
    action: { href: '/login', text: 'Start again' },
  },
  self_service_flow_return_to_forbidden: {
    code: 'SSOHUB_ERR_RETURN_TO_REFUSED',
    message:
      'The link that brought you here asks to send you on to an address that is not an app registered with this sign-in service. Nothing was done. Go back to the app you came from and start again, or contact its administrator.',
  },
  self_service_flow_expired: {
    code: 'SSOHUB_ERR_FLOW_EXPIRED',
    message: 'That form expired before it was sent. Nothing was changed. Please start again.',
    action: { href: '/login', text: 'Start again' },
  },
  session_already_available: {
    code: 'SSOHUB_ERR_CONFLICT',
    message: 'You are already signed in.',
    action: { href: '/', text: 'Go to your account' },
  },
  session_inactive: {
    code: 'SSOHUB_ERR_UNAUTHORIZED',
    message: 'Your session has ended. Please sign in again.',
    action: { href: '/login', text: 'Sign in' },
  },
  session_refresh_required: {
    code: 'SSOHUB_ERR_UNAUTHORIZED',
    message: 'Please sign in again to confirm it is you before making this change.',
    action: { href: '/login?refresh=true', text: 'Sign in again' },
  },
  security_identity_mismatch: {
    code: 'SSOHUB_ERR_BAD_REQUEST',
    message: 'That link was started for a different account than the one you are signed in with. Sign out and open the link again.',
    action: { href: '/logout', text: 'Sign out' },
  },
  self_service_flow_disabled: {
    code: 'SSOHUB_ERR_BAD_REQUEST',
    message: 'This option is not available on this sign-in service.',
  },
};

/**
 * `/error?id=` is Kratos' error ui_url: Kratos stores what went wrong and sends the browser here.
 * The stored error is turned into an SsoHubError, so presentError still decides what is shown.
 */
export function registerFlowErrorPage(app: FastifyInstance, ctx: HubContext): void {
  app.get('/error', async (request, reply) => {
    const { id } = request.query as { id?: string };
    let err: SsoHubError;
    let action: { href: string; text: string } | undefined;
    if (!id) {
      err = new SsoHubError('SSOHUB_ERR_NOT_FOUND', 'There is no error to show here. If you were signing in, please start again.', { status: 404 });
    } else {
      try {
        const flowError = await ctx.kratos.getFlowError(id);
        const e = (flowError.error ?? {}) as { id?: string; code?: number; reason?: string; message?: string };
        const known = e.id ? KRATOS_ERRORS[e.id] : undefined;
        const status = typeof e.code === 'number' && e.code >= 400 && e.code < 600 ? e.code : 400;
        request.log.info({ kratosError: e.id, status }, 'showing a Kratos flow error');
        action = known?.action;
        err = known
          ? new SsoHubError(known.code, known.message, { status: status >= 500 ? 400 : status })
          : new SsoHubError('SSOHUB_ERR_BAD_REQUEST', status >= 500 ? 'The sign-in service ran into a problem.' : 'That request could not be completed. Nothing was changed. Please start again.', {
              status,
              expose: status < 500,
              detail: { kratosError: e.id, reason: e.reason },
            });
      } catch (cause) {
        if (cause instanceof KratosError && (cause.status === 404 || cause.status === 400)) {
          err = new SsoHubError('SSOHUB_ERR_NOT_FOUND', 'This error report has expired or does not exist. If you were signing in, please start again.', { status: 404 });
        } else if (cause instanceof KratosUnavailableError) {
          err = new SsoHubError('SSOHUB_ERR_KRATOS_UNAVAILABLE', 'The sign-in service is temporarily unavailable. Please try again in a moment.', { status: 503, expose: true });
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
            message: shown.message,
            code: shown.code,
            reference: request.id,
            actions: [action ?? { href: '/login', text: 'Go to sign-in' }, { href: '/', text: 'Home' }],
          }),
        }),
      );
  });
}
