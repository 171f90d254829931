/**
 * ClientMetadata is an OIDC client as oidc-provider understands it (RFC 7591 names), plus the
 * hub's own `ssohub_first_party` flag.
 */
export interface ClientMetadata {
  client_id: string;
  /**
   * Clients onboarded through the admin API: the digest `sha256:...` of the secret the hub
   * generated (client-secret.ts, decision 0012); the secret itself is in the answer to create
   * and rotate-secret only. Static clients: as the configuration file gives it.
   */
  client_secret?: string;
  client_name?: string;
  /** Empty for a service client (it never sends a browser to the hub). */
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  backchannel_logout_uri?: string;
  backchannel_logout_session_required?: boolean;
  grant_types?: string[];
  response_types?: string[];
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  /** RS256 (default, what every client verifies) or ES256 (about 17x cheaper to sign). */
  id_token_signed_response_alg?: 'RS256' | 'ES256';
  jwks?: { keys: Record<string, unknown>[] };
  jwks_uri?: string;
  scope?: string;
  /** First-party clients get their grant without a consent screen. */
  ssohub_first_party?: boolean;
  /**
   * Service clients only (grant_types ["client_credentials"], decision 0019): the APIs (RFC 8707
   * resource indicators) it may get access tokens for; each token names one as its `aud`.
   */
  resources?: string[];
  /** Lifetimes in seconds, overriding the hub's defaults for this client. */
  ssohub_access_token_ttl?: number;
  ssohub_refresh_token_ttl?: number;
  [key: string]: unknown;
}

export interface RegisteredClient {
  metadata: ClientMetadata;
  /** `config` clients come from the hub's configuration and cannot be changed through the API. */
  source: 'config' | 'api';
  createdAt: string | undefined;
  updatedAt: string | undefined;
}

/**
 * ClientRegistry is where the bridge finds clients (oidc-provider's `Client` model reads through
 * it) and where the admin API onboards them. Static clients from configuration and clients
 * created through the API coexist; ids are unique across both.
 */
export interface ClientRegistry {
  /** find and list give `client_secret` as stored: a digest for API clients. */
  find(clientId: string): Promise<RegisteredClient | undefined>;
  list(): Promise<RegisteredClient[]>;
  /** The answer carries the generated secret in clear in `metadata.client_secret`; the store only its digest. */
  create(metadata: ClientMetadata, actor: string): Promise<RegisteredClient>;
  /** Like create when the change mints a secret (public to confidential); otherwise the digest. */
  update(clientId: string, changes: Partial<ClientMetadata>, actor: string): Promise<RegisteredClient>;
  /** The answer carries the new secret in clear; the store only its digest. */
  rotateSecret(clientId: string, actor: string): Promise<RegisteredClient>;
  delete(clientId: string, actor: string): Promise<void>;
}
