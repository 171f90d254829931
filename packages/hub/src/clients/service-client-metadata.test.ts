import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Storage } from '../storage/storage.ts';
import { findClientProblems, isServiceClient, MAX_RESOURCES } from './check-client-metadata.ts';
import { createClientRegistry } from './create-client-registry.ts';

const service = { client_id: 'svc-orders', grant_types: ['client_credentials'], resources: ['https://orders.api.test'] };
const prod = { mode: 'production' as const, secretGenerated: true };
const problemsWith = (changes: Record<string, unknown>, options: Parameters<typeof findClientProblems>[1] = prod) =>
  findClientProblems({ ...service, ...changes }, options);

/** Service clients (decision 0019): client_credentials only, resources named, nothing about a user. */
describe('service client definitions', () => {
  it('accepts a service client with resources and no redirect URIs', () => {
    expect(findClientProblems(service, prod)).toEqual([]);
    expect(problemsWith({ resources: ['https://orders.api.test', 'https://billing.api.test/v1'], token_endpoint_auth_method: 'client_secret_post' })).toEqual([]);
    // What the registry stores for it (empty lists) is valid too.
    expect(problemsWith({ redirect_uris: [], response_types: [], ssohub_access_token_ttl: 300, id_token_signed_response_alg: 'ES256' })).toEqual([]);
  });

  it('accepts private_key_jwt with a key set', () => {
    expect(problemsWith({ token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] } })).toEqual([]);
  });

  it('accepts http://localhost resources in development only', () => {
    expect(problemsWith({ resources: ['http://localhost:8080'] }, { ...prod, mode: 'development' })).toEqual([]);
    expect(problemsWith({ resources: ['http://localhost:8080'] })).toEqual([expect.stringMatching(/^resources\[0\] must use https in production/)]);
  });

  it.each([
    ['case=no resources', { resources: undefined }, /^resources must list the APIs a service client may get tokens for/],
    ['case=empty resources', { resources: [] }, /^resources must list the APIs/],
    ['case=resources not an array', { resources: 'https://orders.api.test' }, /^resources must list the APIs/],
    ['case=resource with a fragment (RFC 8707)', { resources: ['https://orders.api.test/#x'] }, /^resources\[0\] must not contain a fragment/],
    ['case=relative resource', { resources: ['/orders'] }, /^resources\[0\] must be an absolute URI/],
    ['case=duplicate resource', { resources: ['https://a.test', 'https://a.test'] }, /^resources\[1\] duplicates/],
    ['case=too many resources', { resources: Array.from({ length: MAX_RESOURCES + 1 }, (_, i) => `https://api${i}.test/`) }, /^resources must list at most 20 APIs/],
    ['case=client_credentials with authorization_code', { grant_types: ['client_credentials', 'authorization_code'] }, /^grant_types must be exactly \["client_credentials"\] for a service client/],
    ['case=client_credentials with refresh_token', { grant_types: ['refresh_token', 'client_credentials'] }, /^grant_types must be exactly \["client_credentials"\]/],
    ['case=redirect URIs', { redirect_uris: ['https://svc.test/cb'] }, /^redirect_uris must be left out for a service client/],
    ['case=response type code', { response_types: ['code'] }, /^response_types must be left out for a service client: it cannot use the authorization endpoint/],
    ['case=post-logout URIs', { post_logout_redirect_uris: ['https://svc.test/'] }, /^post_logout_redirect_uris must be left out for a service client/],
    ['case=back-channel logout', { backchannel_logout_uri: 'https://svc.test/bc' }, /^backchannel_logout_uri must be left out for a service client/],
    ['case=first party', { ssohub_first_party: true }, /^ssohub_first_party must be left out for a service client/],
    ['case=refresh token lifetime', { ssohub_refresh_token_ttl: 3600 }, /^ssohub_refresh_token_ttl must be left out for a service client/],
    ['case=user scopes', { scope: 'openid email' }, /^scope must be left out for a service client/],
    ['case=public client', { token_endpoint_auth_method: 'none' }, /^token_endpoint_auth_method must be client_secret_basic, client_secret_post or private_key_jwt for a service client/],
    ['case=access token lifetime out of range', { ssohub_access_token_ttl: 10 }, /^ssohub_access_token_ttl must be a whole number of seconds between 60/],
  ])('%s: refused, naming the field', (_case, changes, problem) => {
    const problems = problemsWith(changes);
    expect(problems).toContainEqual(expect.stringMatching(problem));
  });

  it('refuses resources on a client that signs users in', () => {
    const regular = { client_id: 'app-a', redirect_uris: ['https://app-a.test/cb'], resources: ['https://orders.api.test'] };
    expect(findClientProblems(regular, prod)).toEqual([expect.stringMatching(/^resources is only for service clients \(grant_types \["client_credentials"\]\)/)]);
  });

  it('names static clients by their place in the configuration', () => {
    expect(findClientProblems({ ...service, resources: [] }, { ...prod, path: 'bridge.clients[2].' })).toEqual([expect.stringMatching(/^bridge\.clients\[2\]\.resources must list/)]);
  });

  it('tells a service client by its grant', () => {
    expect(isServiceClient(service)).toBe(true);
    expect(isServiceClient({ grant_types: ['authorization_code'] })).toBe(false);
    expect(isServiceClient({})).toBe(false);
    expect(isServiceClient({ grant_types: 'client_credentials' })).toBe(false);
  });
});

describe('service clients in the registry', () => {
  const memory: Storage = { kind: 'memory', description: 'memory', close: async () => {} };
  const audit: AuditLog = { record: () => {}, tail: async () => [] };

  it('stores an onboarded service client as the provider must see it: no redirect URIs, no response types, a secret', async () => {
    const registry = createClientRegistry({ staticClients: [], storage: memory, audit, idTokenAlgs: ['RS256', 'ES256'] });
    const created = await registry.create({ ...service, redirect_uris: undefined as never }, 'admin');
    expect(created.metadata).toMatchObject({ grant_types: ['client_credentials'], redirect_uris: [], response_types: [], id_token_signed_response_alg: 'ES256' });
    expect(created.metadata.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await registry.find('svc-orders'))?.metadata.client_secret).toMatch(/^sha256:/);
    // A change keeps the shape; a redirect URI is refused, naming the field.
    const updated = await registry.update('svc-orders', { resources: ['https://billing.api.test'] }, 'admin');
    expect(updated.metadata).toMatchObject({ resources: ['https://billing.api.test'], redirect_uris: [], response_types: [] });
    await expect(registry.update('svc-orders', { redirect_uris: ['https://svc.test/cb'] }, 'admin')).rejects.toThrow(/redirect_uris must be left out for a service client/);
  });

  it('gives a static service client the same shape, and refuses a bad one at startup', async () => {
    const registry = createClientRegistry({ staticClients: [{ ...service, client_secret: 's'.repeat(40) } as never], storage: memory, audit });
    expect((await registry.find('svc-orders'))?.metadata).toMatchObject({ redirect_uris: [], response_types: [] });
    expect((await registry.list())[0]?.metadata).toMatchObject({ redirect_uris: [], response_types: [] });
    expect(() => createClientRegistry({ staticClients: [{ ...service, resources: [] } as never], storage: memory, audit })).toThrow(/bridge\.clients\[0\]\.resources must list/);
  });
});
