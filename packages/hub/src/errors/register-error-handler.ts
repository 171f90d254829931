import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { html, type SafeHtml } from '../http/html.ts';
import { renderPage } from '../http/render-page.ts';
import { t, text, th } from '../i18n/translate.ts';
import { errorFormatOf, type ErrorFormat } from './error-format.ts';
import { logFailure } from './log-failure.ts';
import { type PresentedError, presentError } from './present-error.ts';
import { type ErrorAction, SsoHubError } from './ssohub-error.ts';

/**
 * Routes every error through presentError (the one place that decides what is shown) and logs
 * it once, with the request id and its cause, at the right level.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (err, request, reply) => {
    const shown = presentError(err, request.id);
    logFailure(request.log, err, shown);
    return sendError(request, reply, shown);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendError(request, reply, presentError(new SsoHubError('SSOHUB_ERR_NOT_FOUND', text('errors.not_found'), { status: 404 }), request.id)),
  );
}

/**
 * registerErrorHandler as a plugin of the listener itself (fastify-plugin), so the handler is the
 * listener's: every route plugin inherits it, and a plugin that sets its own (the Kratos proxy's,
 * which hands back what it does not handle) must come after it, which its `dependencies` say.
 */
export const errorHandlerPlugin = fp(async (app: FastifyInstance) => registerErrorHandler(app), { name: 'ssohub-error-handler', fastify: '5.x' });

export function sendError(request: FastifyRequest, reply: FastifyReply, shown: PresentedError, format: ErrorFormat = errorFormatOf(request)) {
  reply.status(shown.status).headers(shown.headers).header('cache-control', 'no-store');
  const body = errorBody(shown, request.id, format);
  return reply.type(body.type).send(body.payload);
}

/**
 * The body of an error answer in each format; the request id is in all of them. JSON and OAuth
 * bodies carry the English message (callers match on it); the page, the request's language.
 */
export function errorBody(shown: PresentedError, requestId: string, format: ErrorFormat): { type: string; payload: string | Record<string, unknown> } {
  if (format === 'oauth') return { type: 'application/json; charset=utf-8', payload: { ...shown.oauth, request_id: requestId } };
  if (format === 'json') {
    return { type: 'application/json; charset=utf-8', payload: { error: { code: shown.code, status: shown.status, message: shown.message, requestId } } };
  }
  return {
    type: 'text/html; charset=utf-8',
    payload: renderPage({ title: shown.title, body: renderErrorBody({ title: shown.title, message: shown.pageMessage, code: shown.code, reference: requestId, ...(shown.actions ? { actions: shown.actions } : {}) }) }),
  };
}

/**
 * The look of every error page (the hub's own errors and Kratos' flow errors on /error): what
 * happened, what to do next, and a reference support can find in the log.
 */
export function renderErrorBody({
  title,
  message,
  code,
  reference,
  actions = [{ href: '/login', text: t('errors.action.sign_in') }],
}: {
  title: string;
  message: string;
  code: string;
  reference: string;
  actions?: ErrorAction[];
}): SafeHtml {
  return html`<div class="error-mark" aria-hidden="true">!</div>
<h1 data-testid="error/title">${title}</h1>
<p class="lead" role="alert" data-testid="error/message" data-code="${code}">${message}</p>
<div class="actions">${actions.map((a, i) => html`<a class="button-link${i > 0 ? ' secondary' : ''}" href="${a.href}"${a.id ? html` data-testid="error/action/${a.id}"` : ''}>${a.text}</a>`)}</div>
<p class="reference muted">${th('errors.reference', { reference: html`<span data-testid="error/reference">${reference}</span>` })}</p>`;
}
