import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { print } from '../../output/output.ts';
import type { UserActionResult } from './user-view.ts';

/** One `ssohub users <verb> <user>` command over one admin API action. */
export interface UserAction {
  verb: string;
  description: string;
  method: 'POST' | 'DELETE';
  /** Path after /admin/users/:idOrEmail ('' for the DELETE). */
  path: string;
  /**
   * Set for actions that end sessions or remove what the user cannot get back alone: they need
   * --yes, as `clients delete` does (the text says what would happen).
   */
  confirm?: (user: string) => string;
  render: (result: UserActionResult) => string;
}

/** Registers one user action: `--yes` checked before any request, then the admin API call. */
export function registerUserAction(users: Command, ctx: CommandContext, action: UserAction): void {
  const cmd = users.command(`${action.verb} <user>`).description(action.description);
  if (action.confirm) cmd.option('--yes', 'confirm (required)');
  cmd.action(async (user: string, flags: { yes?: boolean }, command: Command) => {
    if (action.confirm && !flags.yes) throw new CliError(EXIT.USAGE, `${action.confirm(user)}: add --yes to confirm`);
    const result = await ctx.admin(command).request<UserActionResult>(action.method, `/admin/users/${encodeURIComponent(user)}${action.path}`);
    print(ctx.io, ctx.settings(command).json, result, () => action.render(result));
  });
}
