import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../http/html.ts';
import { renderPage } from '../http/render-page.ts';
import { presentError } from './present-error.ts';
import { SsoHubError } from './ssohub-error.ts';

/** True when the caller wants JSON (API clients, the CLI) rather than a page (browsers). */
export function wantsJson(request: FastifyRequest): boolean {
  const accept = String(request.headers.accept ?? '');
  return accept.includes('application/json') && !accept.includes('text/html');
}

/**
 * Routes every error through presentError (the one place that decides what is shown) and logs
 * the full cause, with the request id, at the right level.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (err, request, reply) => {
    const shown = presentError(err, request.id);
    if (shown.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: shown.code, status: shown.status, reason: (err as Error).message }, 'request refused');
    return sendError(request, reply, shown);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendError(request, reply, presentError(new SsoHubError('SSOHUB_ERR_NOT_FOUND', 'There is no page at this address.', { status: 404 }), request.id)),
  );
}

export function sendError(request: FastifyRequest, reply: FastifyReply, shown: ReturnType<typeof presentError>) {
  reply.status(shown.status).headers(shown.headers).header('cache-control', 'no-store');
  if (wantsJson(request)) {
    return reply.send({ error: { code: shown.code, status: shown.status, message: shown.message, requestId: request.id } });
  }
  return reply.type('text/html; charset=utf-8').send(
    renderPage({
      title: shown.title,
      body: renderErrorBody({ title: shown.title, message: shown.message, code: shown.code, reference: request.id }),
    }),
  );
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
  actions = [{ href: '/login', text: 'Go to sign-in' }],
}: {
  title: string;
  message: string;
  code: string;
  reference: string;
  actions?: { href: string; text: string }[];
}): SafeHtml {
  return html`<div class="error-mark" aria-hidden="true">!</div>
<h1 data-testid="error/title">${title}</h1>
<p class="lead" role="alert" data-testid="error/message" data-code="${code}">${message}</p>
<div class="actions">${actions.map((a, i) => html`<a class="button-link${i > 0 ? ' secondary' : ''}" href="${a.href}">${a.text}</a>`)}</div>
<p class="reference muted">Reference: <span data-testid="error/reference">${reference}</span></p>`;
}
