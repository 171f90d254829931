import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { text } from '../i18n/translate.ts';

/**
 * Whether a form post comes from the console's own pages: the browser's Origin (when it sends
 * one) is this listener's, and Sec-Fetch-Site (when sent) says same-origin or a user's own
 * navigation. Judged against the address the request reached (the Host it named), which is the
 * one the admin typed: behind an SSH tunnel or port-forward that is `localhost:<port>`.
 */
export function isSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  const own = `${request.protocol}://${request.host}`;
  return (origin === undefined || origin === own) && (site === undefined || site === 'same-origin' || site === 'none');
}

/** Throws SSOHUB_ERR_CSRF (403) unless the post is same-origin (isSameOrigin). */
export function checkSameOrigin(request: FastifyRequest): void {
  if (!isSameOrigin(request)) throw new SsoHubError('SSOHUB_ERR_CSRF', text('console.error.cross_origin'), { status: 403 });
}

/**
 * Throws SSOHUB_ERR_CSRF (403) unless the post is same-origin and carries the session's token
 * (the hidden `csrf` field every console form has, console-html.ts csrfField).
 */
export function checkCsrf(request: FastifyRequest, expected: string): void {
  checkSameOrigin(request);
  const raw = (request.body as Record<string, unknown> | null | undefined)?.csrf;
  const given = Buffer.from(typeof raw === 'string' ? raw : '');
  const want = Buffer.from(expected);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new SsoHubError('SSOHUB_ERR_CSRF', text('console.error.csrf'), { status: 403 });
  }
}
