import type { KoaContextWithOIDC } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { serviceClientResources } from './service-client-resources.ts';

const ctx = {} as KoaContextWithOIDC;
const service = { clientId: 'svc', grantTypes: ['client_credentials'], resources: ['https://orders.api.test'], idTokenSignedResponseAlg: 'ES256' };
const regular = { clientId: 'app', grantTypes: ['authorization_code', 'refresh_token'] };
// biome-ignore lint/suspicious/noExplicitAny: the provider's Client type, as far as these functions read it
const config = serviceClientResources(600) as any;

describe('resource indicators (decision 0019)', () => {
  it("gives a service client a JWT for one of its resources, as aud, signed with its algorithm", async () => {
    expect(await config.getResourceServerInfo(ctx, 'https://orders.api.test', service)).toEqual({
      audience: 'https://orders.api.test',
      scope: '',
      accessTokenFormat: 'jwt',
      accessTokenTTL: 600,
      jwt: { sign: { alg: 'ES256' } },
    });
    const rs256 = await config.getResourceServerInfo(ctx, 'https://orders.api.test', { ...service, idTokenSignedResponseAlg: undefined, ssohub_access_token_ttl: 120 });
    expect(rs256).toMatchObject({ accessTokenTTL: 120, jwt: { sign: { alg: 'RS256' } } });
  });

  it('refuses with invalid_target another resource, a missing one, and any resource of a client signing users in', async () => {
    await expect(config.getResourceServerInfo(ctx, 'https://billing.api.test', service)).rejects.toMatchObject({ error: 'invalid_target' });
    await expect(config.defaultResource(ctx, service)).rejects.toMatchObject({ error: 'invalid_target', error_description: expect.stringMatching(/resource is required/) });
    await expect(config.getResourceServerInfo(ctx, 'https://orders.api.test', regular)).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it("keeps the user flows' tokens: no default resource, never the granted one", async () => {
    expect(await config.defaultResource(ctx, regular)).toBeUndefined();
    expect(await config.defaultResource(ctx, service, ['https://orders.api.test'])).toEqual(['https://orders.api.test']);
    expect(await config.useGrantedResource(ctx, {})).toBe(false);
  });
});
