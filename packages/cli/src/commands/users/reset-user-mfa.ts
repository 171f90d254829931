import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { registerUserAction } from './user-action.ts';
import { renderEffects, whoIs } from './user-view.ts';

/** ssohub users reset-mfa <user> --yes: removes their second factors (TOTP, recovery codes, security keys). */
export function registerResetUserMfa(users: Command, ctx: CommandContext): void {
  registerUserAction(users, ctx, {
    verb: 'reset-mfa',
    description: 'remove the second factors of a user (TOTP app, recovery codes, security keys), e.g. after a lost phone',
    method: 'POST',
    path: '/reset-mfa',
    confirm: (user) => `resetting the second factors of ${user} removes their TOTP app, recovery codes and security keys; they set them up again after signing in`,
    render: (r) => `Removed the second factors of ${whoIs(r.user)}: ${(r.removed ?? []).join(', ') || 'none'}.\n${renderEffects(r)}`,
  });
}
