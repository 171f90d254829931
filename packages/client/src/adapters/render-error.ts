import { isSsoClientError } from '../errors.ts';
import type { HandlerResponse } from '../logout/handle-backchannel-logout.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** escapeHtml makes text safe to put in HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * renderError turns a failure into the one answer adapters send: SsoClientErrors keep their
 * status, code and (exposed) message; anything else becomes a generic 500 whose details only go
 * to the caller's log. Browsers get a small HTML page with a link to start again, API callers
 * JSON. Never a stack trace, never a token.
 *
 * @example
 * ```ts
 * const { status, headers, body } = renderError(err, request.headers.accept, '/auth/login');
 * ```
 */
export function renderError(err: unknown, accept: string | undefined, loginPath: string): HandlerResponse {
  const known = isSsoClientError(err);
  const status = known ? err.status : 500;
  const code = known ? err.code : 'SSOHUB_CLIENT_ERR_INTERNAL';
  const message = known && err.expose ? err.message : 'Something went wrong while signing you in.';
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (accept?.includes('text/html')) {
    headers['content-type'] = 'text/html; charset=utf-8';
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Sign-in problem</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2933}h1{font-size:1.4rem}code{background:#f0f4f8;padding:.1rem .3rem;border-radius:3px}a{color:#0b69a3}</style></head>
<body><h1>We could not complete this request</h1><p data-testid="sso-error-message">${escapeHtml(message)}</p><p>Error code: <code data-testid="sso-error-code">${escapeHtml(code)}</code></p><p><a href="${escapeHtml(loginPath)}">Sign in again</a> · <a href="/">Home</a></p></body></html>`;
    return { status, headers, body };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  return { status, headers, body: JSON.stringify({ error: code, message }) };
}
