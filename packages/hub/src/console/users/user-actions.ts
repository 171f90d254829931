import type { MessageKey } from '../../i18n/translate.ts';
import type { UserActionResult, UserAdmin, UserDetail } from '../../users/user-admin.ts';
import { methodName } from './method-name.ts';

/**
 * The changes an admin makes to one account from the console, as a table: the route segment,
 * the UserAdmin call, the words of its button, confirmation and result, and when it is offered.
 * Every one goes through the console's confirmation page and CSRF check (register-user-pages.ts).
 */
export interface UserAction {
  /** The route segment: POST /console/users/:id/<segment>. */
  segment: string;
  /** The key part of its messages (console-users.action.<name>, .confirm.<name>.*, and .error.conflict.<name> for those that refuse with a conflict). */
  name: 'disable' | 'enable' | 'reset_mfa' | 'verify_resend' | 'delete';
  run(users: UserAdmin, id: string, actor: string): Promise<UserActionResult>;
  /** Whether the account's page offers it (the route still accepts it: disable runs again, enable changes nothing, the others report a conflict). */
  offered(user: UserDetail): boolean;
  danger: boolean;
  /** The message shown on the next page once it is done. */
  notice(result: UserActionResult, label: string): { key: MessageKey; values: Record<string, string | number> };
}

const ended = (r: UserActionResult, label: string) => ({ user: label, sessions: r.endedSessions.length, apps: r.revokedApps.length });

export const USER_ACTIONS: readonly UserAction[] = [
  {
    segment: 'disable',
    name: 'disable',
    run: (users, id, actor) => users.disable(id, actor),
    offered: (u) => u.state === 'active',
    danger: true,
    notice: (r, label) => ({ key: 'console-users.notice.disabled', values: ended(r, label) }),
  },
  {
    segment: 'enable',
    name: 'enable',
    run: (users, id, actor) => users.enable(id, actor),
    offered: (u) => u.state === 'inactive',
    danger: false,
    notice: (_r, label) => ({ key: 'console-users.notice.enabled', values: { user: label } }),
  },
  {
    segment: 'reset-mfa',
    name: 'reset_mfa',
    run: (users, id, actor) => users.resetMfa(id, actor),
    offered: (u) => u.secondFactors.length > 0,
    danger: true,
    notice: (r, label) => ({ key: 'console-users.notice.mfa_reset', values: { user: label, factors: (r.removed ?? []).map(methodName).join(', ') || '—', sessions: r.endedSessions.length } }),
  },
  {
    segment: 'verify-resend',
    name: 'verify_resend',
    run: (users, id, actor) => users.resendVerification(id, actor),
    offered: (u) => u.addresses.some((a) => !a.verified),
    danger: false,
    notice: (r, label) => ({ key: 'console-users.notice.verification_resent', values: { address: r.sentTo ?? label } }),
  },
  {
    segment: 'delete',
    name: 'delete',
    run: (users, id, actor) => users.delete(id, actor),
    offered: () => true,
    danger: true,
    notice: (r, label) => ({ key: 'console-users.notice.deleted', values: ended(r, label) }),
  },
];

