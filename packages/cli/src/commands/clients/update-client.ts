import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { print } from '../../output/output.ts';
import { addClientOptions, type ClientFlags, clientFromFlags } from './client-options.ts';
import { type ClientView, renderClient } from './render-client.ts';

/** ssohub clients update <id> [flags]: changes the given fields; list flags replace the whole list. */
export function registerUpdateClient(clients: Command, ctx: CommandContext): void {
  addClientOptions(clients.command('update <client_id>').description('change an onboarded client (list options replace the whole list)')).action(
    async (id: string, flags: ClientFlags, cmd: Command) => {
      const changes = clientFromFlags(flags);
      if (Object.keys(changes).length === 0) throw new CliError(EXIT.USAGE, 'nothing to change: give at least one option, e.g. --redirect-uri https://app.example.com/callback');
      const result = await ctx.admin(cmd).request<{ client: ClientView; client_secret?: string }>('PATCH', `/admin/clients/${encodeURIComponent(id)}`, changes);
      print(ctx.io, ctx.settings(cmd).json, result, () => renderClient(result.client, result.client_secret));
    },
  );
}
