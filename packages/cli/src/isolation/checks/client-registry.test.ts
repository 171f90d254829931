import { describe, expect, it } from 'vitest';
import { Findings } from '../audit-context.ts';
import { checkClientRegistry } from './client-registry.ts';

describe('client registry checks', () => {
  it('skips the user-session checks for a service client, saying why, and still judges its authentication', () => {
    const f = new Findings();
    checkClientRegistry(f, [
      { client_id: 'orders-sync', redirect_uris: [], grant_types: ['client_credentials'], resources: ['https://orders.api.example'], token_endpoint_auth_method: 'client_secret_post' },
    ]);
    const byId = Object.fromEntries(f.checks.map((c) => [c.id, c]));
    for (const id of ['client.redirect-uris', 'client.backchannel-logout', 'client.post-logout-uris', 'client.scopes']) {
      expect(byId[id]).toMatchObject({ verdict: 'skipped', detail: 'service client (client_credentials only), tokens for https://orders.api.example' });
    }
    expect(byId['client.auth-method']).toMatchObject({ verdict: 'fail', severity: 'low' });
  });

  it('still fails an app that signs users in without a back-channel logout URI', () => {
    const f = new Findings();
    checkClientRegistry(f, [{ client_id: 'app', redirect_uris: ['https://app.example/cb'], grant_types: ['authorization_code', 'client_credentials'] }]);
    expect(f.checks.find((c) => c.id === 'client.backchannel-logout')).toMatchObject({ verdict: 'fail' });
  });
});
