import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { registerUserAction } from './user-action.ts';
import { renderEffects, whoIs } from './user-view.ts';

/** ssohub users delete <user> --yes: removes the identity, its sessions and every app's grants. */
export function registerDeleteUser(users: Command, ctx: CommandContext): void {
  registerUserAction(users, ctx, {
    verb: 'delete',
    description: "delete a user: their identity, sessions and every app's grants (back-channel logout); cannot be undone",
    method: 'DELETE',
    path: '',
    confirm: (user) => `deleting ${user} cannot be undone: their account, sessions and grants go and every app signs them out`,
    render: (r) => `Deleted ${whoIs(r.user)}.\n${renderEffects(r)}`,
  });
}
