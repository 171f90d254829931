import { describe, expect, it } from 'vitest';
import { checkConfig } from './check-config.ts';
import { schemaOptions } from './config-schema.ts';
import { defaultsFromSchema } from './defaults-from-schema.ts';

const at = (value: unknown, path: string) => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], value);

/** A valid value other than the default, for the options whose type alone does not give one. */
const OTHER_VALUE: Record<string, unknown> = {
  'listen.host': '::',
  'admin.host': '::1',
  'admin.allowedHosts': ['admin.sso.internal'],
  'kratos.publicUrl': 'http://kratos:4433',
  'kratos.adminUrl': 'http://kratos:4434',
  'kratos.configFiles': ['/etc/kratos/kratos.yml'],
  'kratos.sessionCookieName': 'acme_session',
  'store.prefix': 'acme:',
  'store.sentinels': ['10.0.0.1:26379'],
  'store.cluster': ['10.0.0.1:7000'],
  allowedReturnOrigins: ['https://app.example.com'],
  'bridge.path': '/sso',
  'bridge.cookieKeys': ['cookie-key-0123456789abcdefghijklmnopq'],
  'bridge.signingKeys': [{ kid: 'k1', alg: 'RS256', d: 'private' }],
  'bridge.clients': [{ client_id: 'app' }],
  upstreamLogos: [{ provider: 'corp', logo: 'https://idp.corp.example/logo.svg' }],
  'bridge.claims': [{ claim: 'nickname', trait: 'nick', scope: 'profile' }],
  'bridge.backchannel.retryDelaysMs': [1000, 2000],
  'branding.productName': 'Acme Login',
};

/** Another valid value of the option: from the table, else the next number, the other boolean or another allowed word. */
function otherValue(path: string, schema: { default?: unknown; anyOf?: unknown }): unknown {
  if (path in OTHER_VALUE) return OTHER_VALUE[path];
  if (typeof schema.default === 'number') return schema.default + 1;
  if (typeof schema.default === 'boolean') return !schema.default;
  const words = ((schema.anyOf as { const?: unknown }[] | undefined) ?? []).map((b) => b.const);
  const other = words.find((w) => w !== undefined && w !== schema.default);
  if (other === undefined) throw new Error(`defaults-from-schema.test: give ${path} another value in OTHER_VALUE`);
  return other;
}

describe('the schema is the one place defaults are written', () => {
  it('fills every absent option with the default the schema declares, so changing it there changes what the hub uses', () => {
    const withDefault = schemaOptions().filter((o) => o.schema.default !== undefined);
    expect(withDefault.length).toBeGreaterThan(60);
    for (const { path, schema } of withDefault) {
      const declared = schema.default;
      const other = otherValue(path, schema);
      expect(other, path).not.toEqual(declared);
      // The store's options other than its kind are only read for Redis.
      const store = path.startsWith('store.') && path !== 'store.kind' ? { kind: 'redis' as const, url: 'redis://127.0.0.1:6379' } : undefined;
      schema.default = other;
      try {
        expect(at(checkConfig({ publicUrl: 'https://login.example.com', store }, { only: [path] }), path), path).toEqual(other);
      } finally {
        schema.default = declared;
      }
    }
  });

  it('gives the defaults of an option or a section of options, as a fresh copy each time', () => {
    expect(defaultsFromSchema('listen.port')).toBe(8080);
    expect(defaultsFromSchema('guard.codes')).toEqual({ sendsPerAddress: 5, sendWindowMs: 3_600_000, wrongPerFlow: 5 });
    // No default for either key, so no `tls` unless it is configured.
    expect(defaultsFromSchema('listen.tls')).toBeUndefined();
    expect(defaultsFromSchema('listen')).toEqual({ host: '0.0.0.0', port: 8080 });
    const claims = defaultsFromSchema('bridge.claims') as unknown[];
    claims.pop();
    expect(defaultsFromSchema('bridge.claims')).toHaveLength(2);
    expect(Object.isFrozen(checkConfig({ publicUrl: 'https://login.example.com' }).bridge.claims)).toBe(true);
    expect(Object.isFrozen(defaultsFromSchema('bridge.claims'))).toBe(false);
  });

  it('refuses a path the schema does not declare', () => {
    expect(() => defaultsFromSchema('guard.lockout.treshold')).toThrow('config-schema: no option guard.lockout.treshold');
    expect(() => defaultsFromSchema('listen.port.value')).toThrow('config-schema: no option listen.port.value');
  });
});
