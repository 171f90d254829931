import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { print } from '../../output/output.ts';
import { renderTable } from '../../output/render-table.ts';
import type { ClientView } from './render-client.ts';

/** ssohub clients list: every client, from configuration and from the API. */
export function registerListClients(clients: Command, ctx: CommandContext): void {
  clients
    .command('list')
    .description('list every client (configured and onboarded)')
    .action(async (_flags: unknown, cmd: Command) => {
      const result = await ctx.admin(cmd).request<{ clients: ClientView[] }>('GET', '/admin/clients');
      print(ctx.io, ctx.settings(cmd).json, result, () =>
        result.clients.length === 0
          ? 'No clients yet. Onboard one with: ssohub clients create --id <id> --redirect-uri https://app.example.com/callback\n'
          : renderTable(
              ['CLIENT ID', 'NAME', 'SOURCE', 'FIRST-PARTY', 'REDIRECT URIS'],
              result.clients.map((c) => [c.client_id, c.client_name, c.source, c.ssohub_first_party === true ? 'yes' : 'no', redirectsOrResources(c)]),
            ),
      );
    });
}

/** A service client has no redirect URI to show: its row says what it gets tokens for instead. */
function redirectsOrResources(c: ClientView): string {
  if (c.grant_types?.includes('client_credentials')) return `none (service client for ${(c.resources ?? []).join(' ')})`;
  return c.redirect_uris.join(' ');
}
