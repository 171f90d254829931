import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SsoClient } from '../src/index.ts';
import { makeClient, signIn } from './helpers/test-client.ts';
import { startTestHub, type TestHub } from './helpers/test-hub.ts';

// A confidential client without a shared secret: it proves itself at the token endpoint with a
// JWT signed by its own key (RFC 7523), which the hub checks against the client's registered JWKS.
describe('private_key_jwt client authentication', () => {
  let hub: TestHub;
  let client: SsoClient;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    hub = await startTestHub({
      extraClients: [
        {
          client_id: 'jwt-app',
          redirect_uris: ['http://jwt-app.localhost/auth/callback'],
          post_logout_redirect_uris: ['http://jwt-app.localhost/'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'ES256',
          jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'jwt-app-1', alg: 'ES256', use: 'sig' }] },
        },
      ],
    });
    client = await makeClient(hub, {
      clientId: 'jwt-app',
      tokenEndpointAuthMethod: 'private_key_jwt',
      privateKey: { key: privateKey, kid: 'jwt-app-1' },
    });
  });
  afterAll(() => hub.close());

  it('signs in and refreshes with a client assertion instead of a secret', async () => {
    hub.next = { accountId: 'carol' };
    const { session } = await signIn(hub, client, '/');
    expect(session.claims.sub).toBe('carol');
    expect(session.tokens.refreshToken).toBeTruthy();
    const refreshed = await client.refreshSession(session);
    expect(refreshed.tokens.accessToken).not.toBe(session.tokens.accessToken);
  });

  it('is refused by the hub when the assertion is signed with another key', async () => {
    const { privateKey: stranger } = await generateKeyPair('ES256');
    const impostor = await makeClient(hub, { clientId: 'jwt-app', tokenEndpointAuthMethod: 'private_key_jwt', privateKey: { key: stranger, kid: 'jwt-app-1' } });
    hub.next = { accountId: 'carol' };
    const err = await signIn(hub, impostor, '/').catch((e: Error & { code?: string }) => e);
    expect((err as { code?: string }).code).toBe('SSOHUB_CLIENT_ERR_CODE_REJECTED');
  });
});
