import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { print } from '../../output/output.ts';
import { renderTable } from '../../output/render-table.ts';

/** ssohub lockouts list: identifiers locked out after repeated failed sign-ins. */
export function registerListLockouts(lockouts: Command, ctx: CommandContext): void {
  lockouts
    .command('list')
    .description('list current lockouts')
    .action(async (_flags: unknown, cmd: Command) => {
      const result = await ctx.admin(cmd).request<{ lockouts: { identifier: string; ip?: string; until: string; failures: number }[] }>('GET', '/admin/lockouts');
      print(ctx.io, ctx.settings(cmd).json, result, () =>
        result.lockouts.length === 0
          ? 'No lockouts.\n'
          : renderTable(['IDENTIFIER', 'IP', 'UNTIL', 'FAILURES'], result.lockouts.map((l) => [l.identifier, l.ip, l.until, l.failures])),
      );
    });
}
