import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { print } from '../../output/output.ts';
import { addClientOptions, type ClientFlags, clientFromFlags } from './client-options.ts';
import { type ClientView, renderClient } from './render-client.ts';

/** ssohub clients create --id <id> --redirect-uri <uri> ...: onboards a client, prints its secret once. */
export function registerCreateClient(clients: Command, ctx: CommandContext): void {
  addClientOptions(clients.command('create').description('onboard a client app; prints its secret once').option('--id <client_id>', 'client id (letters, digits, . _ -)')).action(
    async (flags: ClientFlags & { id?: string }, cmd: Command) => {
      const body = { ...clientFromFlags(flags), ...(flags.id ? { client_id: flags.id } : {}) };
      checkOfflineAccess(body);
      const result = await ctx.admin(cmd).request<{ client: ClientView; client_secret: string | null }>('POST', '/admin/clients', body);
      print(ctx.io, ctx.settings(cmd).json, result, () => renderClient(result.client, result.client_secret));
    },
  );
}

/**
 * offline_access is a request for a refresh token: a client that may ask for it without being
 * allowed the refresh_token grant would ask in vain (the provider drops it from every request).
 * A new client without grant_types gets authorization_code only, so that case is refused too.
 */
export function checkOfflineAccess(body: Record<string, unknown>): void {
  const scopes = typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : [];
  if (!scopes.includes('offline_access')) return;
  const grants = Array.isArray(body.grant_types) ? body.grant_types : ['authorization_code'];
  if (grants.includes('refresh_token')) return;
  throw new CliError(
    EXIT.USAGE,
    'scope offline_access needs the refresh_token grant, which this client would not have' +
      ` (grant types: ${grants.join(', ')}). Either add --grant-type authorization_code --grant-type refresh_token,` +
      ' or drop offline_access from --scope. Refresh tokens never outlive the Kratos session of the sign-in, offline_access or not (docs/security-model.md).',
  );
}
