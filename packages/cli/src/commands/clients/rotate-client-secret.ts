import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { print } from '../../output/output.ts';
import { type ClientView, renderClient } from './render-client.ts';

/** ssohub clients rotate-secret <id>: a new secret, shown once; the old one stops working at once. */
export function registerRotateClientSecret(clients: Command, ctx: CommandContext): void {
  clients
    .command('rotate-secret <client_id>')
    .description('replace the client secret (the old one stops working immediately); prints the new one once')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const result = await ctx.admin(cmd).request<{ client: ClientView; client_secret: string }>('POST', `/admin/clients/${encodeURIComponent(id)}/rotate-secret`);
      print(ctx.io, ctx.settings(cmd).json, result, () => renderClient(result.client, result.client_secret));
    });
}
