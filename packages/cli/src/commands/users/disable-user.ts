import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { registerUserAction } from './user-action.ts';
import { renderEffects, whoIs } from './user-view.ts';

/** ssohub users disable <user> --yes: no more sign-ins; ends their sessions and every app's grants. */
export function registerDisableUser(users: Command, ctx: CommandContext): void {
  registerUserAction(users, ctx, {
    verb: 'disable',
    description: "disable a user: they cannot sign in; their sessions end and every app's grants are revoked (back-channel logout)",
    method: 'POST',
    path: '/disable',
    confirm: (user) => `disabling ${user} signs them out of every app and refuses their next sign-in`,
    render: (r) => `Disabled ${whoIs(r.user)}.\n${renderEffects(r)}Re-enable with: ssohub users enable ${r.user.id}\n`,
  });
}
