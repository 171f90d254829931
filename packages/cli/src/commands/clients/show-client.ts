import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { print } from '../../output/output.ts';
import { type ClientView, renderClient } from './render-client.ts';

/** ssohub clients show <id>: one client, without its secret. */
export function registerShowClient(clients: Command, ctx: CommandContext): void {
  clients
    .command('show <client_id>')
    .description('show one client (never its secret)')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const result = await ctx.admin(cmd).request<{ client: ClientView }>('GET', `/admin/clients/${encodeURIComponent(id)}`);
      print(ctx.io, ctx.settings(cmd).json, result, () => renderClient(result.client));
    });
}
