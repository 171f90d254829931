import { describe, expect, it } from 'vitest';
import { buildKratosSiteConfig } from './kratos-site-config.ts';

const input = (hubUrl: string) => ({
  hubUrl,
  publicListen: { host: '127.0.0.1', port: 4433 },
  adminListen: { host: '127.0.0.1', port: 4434 },
  adminBaseUrl: 'http://127.0.0.1:4434',
  dsn: 'memory',
  allowedReturnOrigins: [],
  smtp: { connectionUri: 'smtp://127.0.0.1:25', fromAddress: 'no-reply@example.com' },
  secrets: { cookie: ['c'.repeat(32)], cipher: ['k'.repeat(32)] },
  identitySchemaUrl: 'file:///etc/kratos/identity.schema.json',
});

describe('the site file: passkeys and security keys', () => {
  it("binds both to the hub's host and origin (the relying party); kratos.yml enables them and names it", () => {
    const site = buildKratosSiteConfig(input('https://login.example.com:8443/')) as { selfservice: { methods: Record<string, unknown> } };
    const rp = { id: 'login.example.com', origins: ['https://login.example.com:8443'] };
    expect(site.selfservice.methods).toEqual({ passkey: { config: { rp } }, webauthn: { config: { rp } } });
  });
});
