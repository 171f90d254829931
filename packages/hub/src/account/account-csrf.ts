/**
 * Owns the account page's protection against cross-site forms: a token tied to the Kratos session
 * that rendered the page, checked with the request's Origin and Sec-Fetch-Site on every action.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { text } from '../i18n/translate.ts';

export interface AccountCsrf {
  /** The token the page's forms carry for this Kratos session. */
  tokenFor(kratosSessionId: string): string;
  /** Throws SSOHUB_ERR_CSRF (403) unless the request is same-origin and carries this session's token. */
  check(request: FastifyRequest, kratosSessionId: string, token: unknown): void;
}

/**
 * The token is an HMAC of the Kratos session id, keyed from the first cookie key (bridge.cookieKeys),
 * so every hub instance accepts the forms of every other and nothing is stored. Without cookie
 * keys (the demo) the key lives as long as the process, like the bridge's ephemeral cookie key.
 * A token of another session (another browser, or this one before it signed in again) is refused.
 */
export function createAccountCsrf({ cookieKeys, publicUrl }: { cookieKeys: readonly string[]; publicUrl: string }): AccountCsrf {
  const secret = cookieKeys[0] ?? randomBytes(32).toString('base64url');
  const key = createHmac('sha256', secret).update('ssohub account page csrf').digest();
  const origin = new URL(publicUrl).origin;
  const tokenFor = (kratosSessionId: string) => createHmac('sha256', key).update(kratosSessionId).digest('base64url');
  return {
    tokenFor,
    check(request, kratosSessionId, token) {
      const site = request.headers['sec-fetch-site'];
      const sameOrigin = (request.headers.origin === undefined || request.headers.origin === origin) && (site === undefined || site === 'same-origin' || site === 'none');
      const expected = Buffer.from(tokenFor(kratosSessionId));
      const given = Buffer.from(typeof token === 'string' ? token : '');
      if (!sameOrigin || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new SsoHubError('SSOHUB_ERR_CSRF', text('account.error.csrf'), { status: 403 });
      }
    },
  };
}
