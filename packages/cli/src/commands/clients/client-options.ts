import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
const seconds = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new CliError(EXIT.USAGE, `${name} must be a whole number of seconds (got "${value}")`);
  return Number(value);
};

/** Adds the options that describe a client (shared by `clients create` and `clients update`). */
export function addClientOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'display name (client_name), shown on the sign-in and consent pages')
    .option('--client-uri <uri>', "the app's home page (client_uri); its name links there on the sign-in and consent pages")
    .option('--logo-uri <uri>', "the app's logo (logo_uri, https), shown beside its name on the sign-in and consent pages")
    .option('--policy-uri <uri>', "the app's privacy policy (policy_uri), linked from the sign-in and consent pages")
    .option('--tos-uri <uri>', "the app's terms of service (tos_uri), linked from the sign-in and consent pages")
    .option('--redirect-uri <uri>', 'redirect URI, matched exactly; repeat for several', collect)
    .option('--post-logout-uri <uri>', 'allowed post_logout_redirect_uri; repeat for several', collect)
    .option('--backchannel-logout-uri <uri>', 'where the hub POSTs logout tokens')
    .option('--first-party', 'trusted app: no consent screen')
    .option('--no-first-party', 'third-party app: users see a consent screen')
    .option('--scope <scopes>', 'allowed scopes, space-separated (openid email profile offline_access)')
    .addOption(new Option('--auth-method <method>', 'token endpoint authentication').choices(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']))
    .addOption(
      new Option('--id-token-alg <alg>', 'ID token signature: ES256 (default when the hub holds an ES256 key: smaller tokens, far cheaper to sign) or RS256 (for OpenID Connect libraries that verify RS256 only)').choices(['RS256', 'ES256']),
    )
    .option('--grant-type <type>', 'authorization_code or refresh_token; repeat for several (a service client: --service)', collect)
    .option('--resource <uri>', 'service clients: an API (https URI) the client may get tokens for, the tokens\' aud; repeat for several', collect)
    .option('--access-token-ttl <seconds>', 'access token lifetime for this client', seconds('--access-token-ttl'))
    .option('--refresh-token-ttl <seconds>', 'refresh token lifetime for this client', seconds('--refresh-token-ttl'))
    .option('--file <path>', 'read the client definition (JSON, RFC 7591 names) from a file; flags override it');
}

export interface ClientFlags {
  name?: string;
  clientUri?: string;
  logoUri?: string;
  policyUri?: string;
  tosUri?: string;
  redirectUri?: string[];
  postLogoutUri?: string[];
  backchannelLogoutUri?: string;
  firstParty?: boolean;
  scope?: string;
  authMethod?: string;
  idTokenAlg?: string;
  grantType?: string[];
  accessTokenTtl?: number;
  refreshTokenTtl?: number;
  resource?: string[];
  file?: string;
}

/** Turns the flags (and --file) into client metadata with RFC 7591 names; unset flags are left out. */
export function clientFromFlags(flags: ClientFlags): Record<string, unknown> {
  let base: Record<string, unknown> = {};
  if (flags.file) {
    try {
      base = JSON.parse(readFileSync(flags.file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new CliError(EXIT.USAGE, `cannot read --file ${flags.file} as JSON: ${(err as Error).message}`);
    }
  }
  const set: Record<string, unknown> = {
    client_name: flags.name,
    client_uri: flags.clientUri,
    logo_uri: flags.logoUri,
    policy_uri: flags.policyUri,
    tos_uri: flags.tosUri,
    redirect_uris: flags.redirectUri,
    post_logout_redirect_uris: flags.postLogoutUri,
    backchannel_logout_uri: flags.backchannelLogoutUri,
    backchannel_logout_session_required: flags.backchannelLogoutUri ? true : undefined,
    ssohub_first_party: flags.firstParty,
    scope: flags.scope,
    token_endpoint_auth_method: flags.authMethod,
    id_token_signed_response_alg: flags.idTokenAlg,
    grant_types: flags.grantType,
    ssohub_access_token_ttl: flags.accessTokenTtl,
    ssohub_refresh_token_ttl: flags.refreshTokenTtl,
    resources: flags.resource,
  };
  for (const [k, v] of Object.entries(set)) if (v !== undefined) base[k] = v;
  return base;
}
