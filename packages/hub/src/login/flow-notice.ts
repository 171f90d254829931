import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MessageKey } from '../i18n/translate.ts';

/**
 * A flow notice explains why the hub restarted a flow (expired, unknown, CSRF) or what just
 * happened (signed out). Kratos' init endpoint redirects to `<ui_url>?flow=<new id>` and drops
 * any other query parameter, so the notice travels in a short-lived host-only cookie holding
 * only a code from this list; the next page shows it once, in its language, and clears it.
 */
export const FLOW_NOTICES = {
  flow_expired: { type: 'info', key: 'flows.notice.flow_expired' },
  flow_unknown: { type: 'info', key: 'flows.notice.flow_unknown' },
  csrf: { type: 'error', key: 'flows.notice.csrf' },
  session_required: { type: 'info', key: 'flows.notice.session_required' },
  signed_out: { type: 'success', key: 'flows.notice.signed_out' },
  // Kratos answers a resend with the same flow and the same "we sent a code" message as the first
  // send (it has no text id for a resent code), so the hub says it. The page names the address.
  code_resent: { type: 'success', key: 'flows.notice.code_resent' },
  // The proxy refused a new password on the shipped common-password list (proxy/refuse-common-password.ts).
  password_common: { type: 'error', key: 'password.common_refused' },
  // An app's sign-in waits until the user verifies their address (bridge.requireVerifiedEmail).
  verify_required: { type: 'info', key: 'verify.notice.required' },
} as const satisfies Record<string, { type: 'info' | 'error' | 'success'; key: MessageKey }>;

export type FlowNoticeCode = keyof typeof FLOW_NOTICES;

export const NOTICE_COOKIE = 'ssohub_notice';

export function setNotice(reply: FastifyReply, code: FlowNoticeCode, { secure }: { secure: boolean }): void {
  reply.setCookie(NOTICE_COOKIE, code, { path: '/', httpOnly: true, secure, sameSite: 'lax', maxAge: 120 });
}

/** The pending notice, if any, cleared so it shows only once. */
export function takeNotice(request: FastifyRequest, reply: FastifyReply): FlowNoticeCode | undefined {
  const code = request.cookies[NOTICE_COOKIE];
  if (code === undefined) return undefined;
  reply.clearCookie(NOTICE_COOKIE, { path: '/' });
  return Object.hasOwn(FLOW_NOTICES, code) ? (code as FlowNoticeCode) : undefined;
}

/**
 * Marks a `resend=code` submission the proxy forwarded to Kratos. The flow page shows the
 * notice only if the flow it then renders has a code sent and no error (Kratos refuses a resend
 * with a redirect to the same page, carrying its error).
 */
export function noteCodeResend(reply: FastifyReply, fields: Record<string, string>, { secure }: { secure: boolean }): void {
  if (fields.resend === 'code') setNotice(reply, 'code_resent', { secure });
}

/** Peeks without clearing: a restart that fails the same way twice must not loop. */
export function pendingNotice(request: FastifyRequest): string | undefined {
  return request.cookies[NOTICE_COOKIE];
}
