import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { print } from '../../output/output.ts';

/** ssohub sessions revoke <user> (--session <id> | --all): ends sessions; logout reaches every client. */
export function registerRevokeSessions(sessions: Command, ctx: CommandContext): void {
  sessions
    .command('revoke <user>')
    .description('end one session (--session) or all (--all) of a user; every client that took part is logged out')
    .option('--session <id>', 'the Kratos session id (see ssohub sessions list)')
    .option('--all', 'every active session of the user')
    .action(async (user: string, flags: { session?: string; all?: boolean }, cmd: Command) => {
      if (Boolean(flags.session) === Boolean(flags.all)) throw new CliError(EXIT.USAGE, 'say which sessions to end: --session <id> or --all');
      const base = `/admin/identities/${encodeURIComponent(user)}/sessions`;
      const path = flags.session ? `${base}/${encodeURIComponent(flags.session)}` : base;
      const result = await ctx.admin(cmd).request<{ identity: { id: string; email?: string }; revoked: string[] }>('DELETE', path);
      print(ctx.io, ctx.settings(cmd).json, result, () =>
        result.revoked.length === 0
          ? `${result.identity.email ?? result.identity.id} had no active session.\n`
          : `Ended ${result.revoked.length} session(s) of ${result.identity.email ?? result.identity.id}: ${result.revoked.join(', ')}\n`,
      );
    });
}
