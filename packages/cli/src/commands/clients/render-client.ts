import { renderFields } from '../../output/render-table.ts';

export interface ClientView {
  client_id: string;
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  backchannel_logout_uri?: string;
  token_endpoint_auth_method?: string;
  id_token_signed_response_alg?: string;
  scope?: string;
  grant_types?: string[];
  ssohub_first_party?: boolean;
  ssohub_access_token_ttl?: number;
  ssohub_refresh_token_ttl?: number;
  resources?: string[];
  has_secret: boolean;
  source: 'config' | 'api';
  created_at?: string;
  updated_at?: string;
}

/**
 * A client as `key: value` lines, and the secret with a warning when it is shown (once). For a
 * service client just created (`tokenEndpoint` given), how to get a token, as a curl command.
 */
export function renderClient(client: ClientView, secret?: string | null, tokenEndpoint?: string): string {
  const text = renderFields({
    client_id: client.client_id,
    name: client.client_name,
    client_uri: client.client_uri,
    logo_uri: client.logo_uri,
    policy_uri: client.policy_uri,
    tos_uri: client.tos_uri,
    source: client.source === 'config' ? 'config (read-only here; change the clients file)' : 'api',
    first_party: client.ssohub_first_party === true,
    redirect_uris: client.redirect_uris,
    post_logout_uris: client.post_logout_redirect_uris,
    backchannel_logout_uri: client.backchannel_logout_uri,
    auth_method: client.token_endpoint_auth_method ?? 'client_secret_basic',
    // Shown because an app whose OpenID Connect library verifies RS256 only must ask for it.
    id_token_alg: client.id_token_signed_response_alg ?? 'RS256',
    scope: client.scope,
    grant_types: client.grant_types,
    resources: client.resources,
    access_token_ttl: client.ssohub_access_token_ttl,
    refresh_token_ttl: client.ssohub_refresh_token_ttl,
    secret: client.has_secret ? 'set (never shown again after creation or rotation)' : 'none (public client)',
    created_at: client.created_at,
    updated_at: client.updated_at,
  });
  const shown = secret ? `${text}\nclient_secret: ${secret}\nStore this secret now; it is shown only once.\n` : text;
  return tokenEndpoint ? `${shown}\n${tokenRequestExample(client, tokenEndpoint)}` : shown;
}

/**
 * The token request of a service client (RFC 6749 4.4 with an RFC 8707 resource), with the
 * secret as a variable: the example must not put it in the shell history.
 */
function tokenRequestExample(client: ClientView, tokenEndpoint: string): string {
  const resource = client.resources?.[0] ?? 'https://api.example.com';
  const auth =
    client.token_endpoint_auth_method === 'private_key_jwt'
      ? `  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer -d client_assertion="$CLIENT_ASSERTION" \\\n  -d client_id=${client.client_id} \\\n`
      : client.token_endpoint_auth_method === 'client_secret_post'
        ? `  -d client_id=${client.client_id} -d client_secret="$CLIENT_SECRET" \\\n`
        : `  -u "${client.client_id}:$CLIENT_SECRET" \\\n`;
  return [
    'Get a token for an API (resource: one of the resources above; the token is a JWT whose aud is that resource):',
    `  curl -s ${tokenEndpoint} \\`,
    `${auth}  -d grant_type=client_credentials -d resource=${resource}`,
    '',
  ].join('\n');
}
