import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { print } from '../../output/output.ts';
import { addClientOptions, type ClientFlags, clientFromFlags } from './client-options.ts';
import { type ClientView, renderClient } from './render-client.ts';

/** ssohub clients create --id <id> --redirect-uri <uri> ...: onboards a client, prints its secret once. */
export function registerCreateClient(clients: Command, ctx: CommandContext): void {
  addClientOptions(clients.command('create').description('onboard a client app; prints its secret once').option('--id <client_id>', 'client id (letters, digits, . _ -)')).action(
    async (flags: ClientFlags & { id?: string }, cmd: Command) => {
      const body = { ...clientFromFlags(flags), ...(flags.id ? { client_id: flags.id } : {}) };
      const result = await ctx.admin(cmd).request<{ client: ClientView; client_secret: string | null }>('POST', '/admin/clients', body);
      print(ctx.io, ctx.settings(cmd).json, result, () => renderClient(result.client, result.client_secret));
    },
  );
}
