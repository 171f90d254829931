import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A flow notice explains why the hub restarted a flow (expired, unknown, CSRF) or what just
 * happened (signed out). Kratos' init endpoint redirects to `<ui_url>?flow=<new id>` and drops
 * any other query parameter, so the notice travels in a short-lived host-only cookie holding
 * only a code from this catalog; the next page shows it once and clears it.
 */
export const FLOW_NOTICES = {
  flow_expired: { type: 'info', text: 'That form had expired, so we started a fresh one. Please enter your details again.' },
  flow_unknown: { type: 'info', text: 'That link points to a form that no longer exists, so we started a fresh one.' },
  csrf: {
    type: 'error',
    text: 'For your security we could not accept that form: it was opened in another browser window, or your cookies were cleared. We started a fresh one; please try again.',
  },
  session_required: { type: 'info', text: 'Please sign in to manage your account.' },
  signed_out: { type: 'success', text: 'You have been signed out.' },
  // Kratos answers a resend with the same flow and the same "we sent a code" message as the first
  // send (it has no text id for a resent code), so the hub says it. The page names the address.
  code_resent: { type: 'success', text: 'We sent you a new code. Enter the code from the newest email.' },
} as const satisfies Record<string, { type: 'info' | 'error' | 'success'; text: string }>;

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
