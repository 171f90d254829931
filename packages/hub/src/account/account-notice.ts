/**
 * Owns the result notice of an account page action: what was done travels to the page the
 * browser is redirected to in a short-lived host-only cookie, shown once.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export type AccountNotice =
  | { kind: 'device_signed_out' }
  | { kind: 'device_not_found' }
  | { kind: 'others_signed_out'; count: number }
  | { kind: 'app_removed'; clientId: string }
  | { kind: 'app_not_found'; clientId: string };

export const ACCOUNT_NOTICE_COOKIE = 'ssohub_account_notice';

export function setAccountNotice(reply: FastifyReply, notice: AccountNotice, { secure }: { secure: boolean }): void {
  reply.setCookie(ACCOUNT_NOTICE_COOKIE, JSON.stringify(notice), { path: '/account', httpOnly: true, secure, sameSite: 'lax', maxAge: 120 });
}

/** The pending notice, if any, cleared so it shows only once; anything unreadable is dropped. */
export function takeAccountNotice(request: FastifyRequest, reply: FastifyReply): AccountNotice | undefined {
  const value = request.cookies[ACCOUNT_NOTICE_COOKIE];
  if (value === undefined) return undefined;
  reply.clearCookie(ACCOUNT_NOTICE_COOKIE, { path: '/account' });
  try {
    const n = JSON.parse(value) as Partial<Record<string, unknown>>;
    switch (n.kind) {
      case 'device_signed_out':
      case 'device_not_found':
        return { kind: n.kind };
      case 'others_signed_out':
        return typeof n.count === 'number' ? { kind: n.kind, count: n.count } : undefined;
      case 'app_removed':
      case 'app_not_found':
        return typeof n.clientId === 'string' ? { kind: n.kind, clientId: n.clientId } : undefined;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}
