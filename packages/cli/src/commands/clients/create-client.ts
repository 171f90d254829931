import type { Command } from 'commander';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { print } from '../../output/output.ts';
import { addClientOptions, type ClientFlags, clientFromFlags } from './client-options.ts';
import { librarySettings, renderLibrarySettings } from './library-settings.ts';
import { type ClientView, renderClient } from './render-client.ts';

/**
 * ssohub clients create --id <id> --redirect-uri <uri> ...: onboards a client, prints its secret once.
 * With --service --resource <uri>: a service client (client_credentials only, decision 0019), and
 * how to ask the token endpoint for a token. A client that signs users in gets the settings its
 * OpenID Connect library needs (`library` in --json), which no library finds in discovery.
 */
export function registerCreateClient(clients: Command, ctx: CommandContext): void {
  addClientOptions(
    clients
      .command('create')
      .description('onboard a client app; prints its secret once')
      .option('--id <client_id>', 'client id (letters, digits, . _ -)')
      .option('--service', 'a service client: gets tokens for an API (--resource) with client_credentials, never signs a user in'),
  ).action(async (flags: ClientFlags & { id?: string; service?: boolean }, cmd: Command) => {
    const body: Record<string, unknown> = { ...clientFromFlags(flags), ...(flags.id ? { client_id: flags.id } : {}) };
    if (flags.service) {
      checkServiceFlags(flags);
      body.grant_types = ['client_credentials'];
    }
    checkOfflineAccess(body);
    const result = await ctx.admin(cmd).request<{ client: ClientView; client_secret: string | null; token_endpoint?: string }>('POST', '/admin/clients', body);
    const library = librarySettings(result.client);
    print(ctx.io, ctx.settings(cmd).json, library ? { ...result, library } : result, () => {
      const text = renderClient(result.client, result.client_secret, result.token_endpoint);
      return library ? `${text}\n${renderLibrarySettings(result.client, library)}` : text;
    });
  });
}

/**
 * A service client never meets a browser or a user: the options about either are refused here
 * with the way out, before the hub answers with the field names.
 */
export function checkServiceFlags(flags: ClientFlags): void {
  if (!flags.resource?.length) {
    throw new CliError(EXIT.USAGE, '--service needs at least one --resource <uri>: the API the client gets tokens for, e.g. --resource https://api.example.com');
  }
  const userFlags: [string, unknown][] = [
    ['--redirect-uri', flags.redirectUri],
    ['--post-logout-uri', flags.postLogoutUri],
    ['--backchannel-logout-uri', flags.backchannelLogoutUri],
    ['--first-party/--no-first-party', flags.firstParty],
    ['--scope', flags.scope],
    ['--grant-type', flags.grantType],
    ['--refresh-token-ttl', flags.refreshTokenTtl],
  ];
  const given = userFlags.filter(([, v]) => v !== undefined).map(([name]) => name);
  if (given.length > 0) {
    throw new CliError(EXIT.USAGE, `--service cannot take ${given.join(', ')}: a service client has no user, no browser and no refresh token (it only gets tokens for its --resource APIs)`);
  }
  if (flags.authMethod === 'none') {
    throw new CliError(EXIT.USAGE, '--service needs a confidential client: --auth-method client_secret_basic (default), client_secret_post or private_key_jwt');
  }
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
