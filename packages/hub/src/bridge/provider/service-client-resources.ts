/**
 * Owns the resource indicators (RFC 8707) of the provider: which API a service client's
 * client_credentials token is for (decision 0019), and that nothing changes for the clients that
 * sign users in.
 */
import { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';

/** The provider's view of a client, as far as resources go (metadata from the client registry). */
type ResourceClient = { clientId: string; grantTypes?: string[]; resources?: unknown; idTokenSignedResponseAlg?: string; ssohub_access_token_ttl?: number };

const SERVICE_GRANT = 'client_credentials';

function isService(client: unknown): client is ResourceClient {
  return (client as ResourceClient | undefined)?.grantTypes?.includes(SERVICE_GRANT) === true;
}

function resourcesOf(client: ResourceClient): readonly string[] {
  return Array.isArray(client.resources) ? (client.resources as string[]) : [];
}

/**
 * `features.resourceIndicators`:
 * - a service client names, with `resource`, one of the APIs in its `resources`; its token is a
 *   JWT with that API as `aud`, signed with the client's algorithm (ES256 for onboarded clients,
 *   decision 0008), no scope, living `ttl` seconds (bridge.ttl.clientCredentials, or the client's
 *   ssohub_access_token_ttl). Without `resource`, or with another one: `invalid_target`;
 * - a client signing users in names no resource: its access tokens stay what they were before
 *   resource indicators were on (opaque, for the hub's userinfo endpoint and introspection by the
 *   client itself). No default resource, never the granted one; a `resource` it sends anyway is
 *   refused with `invalid_target` rather than ignored, so no app believes it holds a token
 *   restricted to an API when it does not.
 */
export function serviceClientResources(ttl: number): NonNullable<Configuration['features']>['resourceIndicators'] {
  return {
    enabled: true,
    async defaultResource(_ctx: KoaContextWithOIDC, client: unknown, oneOf?: readonly string[]) {
      if (oneOf) return oneOf;
      if (isService(client)) {
        throw new errors.InvalidTarget(
          `resource is required: name the API the token is for, one of the resources of client "${client.clientId}" (RFC 8707)`,
        );
      }
      return undefined;
    },
    // The user flows keep today's tokens: a refresh never turns into a token for an API.
    useGrantedResource: async () => false,
    async getResourceServerInfo(_ctx: KoaContextWithOIDC, resource: string, client: unknown) {
      if (!isService(client)) {
        throw new errors.InvalidTarget('resource indicators are only for service clients (client_credentials); leave resource out');
      }
      if (!resourcesOf(client).includes(resource)) {
        throw new errors.InvalidTarget(`resource is not one of the resources of client "${client.clientId}"`);
      }
      const alg = client.idTokenSignedResponseAlg === 'ES256' ? 'ES256' : 'RS256';
      const lifetime = client.ssohub_access_token_ttl ?? ttl;
      return { audience: resource, scope: '', accessTokenFormat: 'jwt', accessTokenTTL: lifetime, jwt: { sign: { alg } } };
    },
  };
}
