import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { print } from '../../output/output.ts';

/** ssohub clients delete <id> --yes: removes a client and revokes every grant it was issued. */
export function registerDeleteClient(clients: Command, ctx: CommandContext): void {
  clients
    .command('delete <client_id>')
    .description('delete an onboarded client and revoke every grant and token it was issued')
    .option('--yes', 'confirm the deletion (required)')
    .action(async (id: string, flags: { yes?: boolean }, cmd: Command) => {
      if (!flags.yes) throw new CliError(EXIT.USAGE, `deleting "${id}" cannot be undone and signs its users out of it: add --yes to confirm`);
      const result = await ctx.admin(cmd).request<{ deleted: string; revokedGrants: number }>('DELETE', `/admin/clients/${encodeURIComponent(id)}`);
      print(ctx.io, ctx.settings(cmd).json, result, () => `Deleted client ${result.deleted}. Revoked ${result.revokedGrants} grant(s).\n`);
    });
}
