import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { print } from '../../output/output.ts';
import { renderUser, type UserDetail } from './user-view.ts';

/** ssohub users show <user>: one user's state, sign-in methods, second factors, sessions and apps. */
export function registerShowUser(users: Command, ctx: CommandContext): void {
  users
    .command('show <user>')
    .description("show one user (identity id or exact email): state, sign-in methods, second factors, addresses, sessions, apps")
    .action(async (user: string, _flags: unknown, cmd: Command) => {
      const result = await ctx.admin(cmd).request<{ user: UserDetail }>('GET', `/admin/users/${encodeURIComponent(user)}`);
      print(ctx.io, ctx.settings(cmd).json, result, () => renderUser(result.user));
    });
}
