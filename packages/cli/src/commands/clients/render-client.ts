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
  has_secret: boolean;
  source: 'config' | 'api';
  created_at?: string;
  updated_at?: string;
}

/** A client as `key: value` lines, and the secret with a warning when it is shown (once). */
export function renderClient(client: ClientView, secret?: string | null): string {
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
    access_token_ttl: client.ssohub_access_token_ttl,
    refresh_token_ttl: client.ssohub_refresh_token_ttl,
    secret: client.has_secret ? 'set (never shown again after creation or rotation)' : 'none (public client)',
    created_at: client.created_at,
    updated_at: client.updated_at,
  });
  return secret ? `${text}\nclient_secret: ${secret}\nStore this secret now; it is shown only once.\n` : text;
}
