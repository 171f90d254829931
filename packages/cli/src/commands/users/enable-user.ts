import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { registerUserAction } from './user-action.ts';
import { renderEffects, whoIs } from './user-view.ts';

/** ssohub users enable <user>: lets a disabled user sign in again. */
export function registerEnableUser(users: Command, ctx: CommandContext): void {
  registerUserAction(users, ctx, {
    verb: 'enable',
    description: 'enable a disabled user: they can sign in again',
    method: 'POST',
    path: '/enable',
    render: (r) => `Enabled ${whoIs(r.user)}: they can sign in again.\n${renderEffects(r)}`,
  });
}
