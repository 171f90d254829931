import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { print } from '../../output/output.ts';

/** ssohub lockouts clear <identifier>: lets a locked-out user try again now. */
export function registerClearLockout(lockouts: Command, ctx: CommandContext): void {
  lockouts
    .command('clear <identifier>')
    .description('clear the lockouts of an identifier (e.g. an email address)')
    .action(async (identifier: string, _flags: unknown, cmd: Command) => {
      const result = await ctx.admin(cmd).request<{ identifier: string; cleared: number }>('DELETE', `/admin/lockouts/${encodeURIComponent(identifier)}`);
      print(ctx.io, ctx.settings(cmd).json, result, () =>
        result.cleared === 0 ? `${identifier} was not locked out.\n` : `Cleared ${result.cleared} lockout(s) of ${identifier}.\n`,
      );
    });
}
