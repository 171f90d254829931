import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig } from './check-config.ts';
import { renderConfigDocs } from './config-docs.ts';
import { schemaOptions } from './config-schema.ts';
import { ENV_OPTIONS, loadConfig, SECRET_FILE_VARIABLES } from './load-config.ts';

const at = (value: unknown, path: string) => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], value);

/** The dotted paths of a checked configuration's values, arrays and scalars alike. */
function leaves(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

// Every option set, none to its default (the redis store holds the most options).
const FULL = {
  mode: 'development',
  publicUrl: 'https://login.example.com',
  listen: { host: '127.0.0.1', port: 9443, tls: { cert: '-----BEGIN CERTIFICATE-----\n', key: '-----BEGIN PRIVATE KEY-----\n' } },
  admin: {
    host: '127.0.0.2',
    port: 9444,
    token: 'a-very-long-admin-token-0123456789',
    trustProxy: ['10.0.0.1'],
    allowedHosts: ['admin.sso.internal'],
    console: { idleTimeoutMs: 600_000, maxAgeMs: 14_400_000 },
  },
  kratos: { publicUrl: 'http://kratos:4433', adminUrl: 'http://kratos:4434', configFiles: ['/etc/kratos/kratos.yml'], sessionCookieName: 'acme_session' },
  store: {
    kind: 'redis',
    url: 'redis://:pw@ignored/2',
    prefix: 'acme:',
    sentinels: ['10.0.0.1:26379'],
    sentinelName: 'mymaster',
    sentinelPassword: 'sentinel-password',
    cluster: [],
    commandTimeoutMs: 1000,
    connectTimeoutMs: 2000,
  },
  allowedReturnOrigins: ['https://app.example.com'],
  trustProxy: 1,
  logLevel: 'warn',
  bridge: {
    path: '/sso',
    cookieKeys: ['cookie-key-0123456789abcdefghijklmnopq'],
    signingKeys: [],
    clients: [],
    ttl: {
      accessToken: 600,
      authorizationCode: 30,
      idToken: 600,
      refreshToken: 86400,
      session: 86400,
      grant: 86400,
      interaction: 600,
      clientCredentials: 300,
      deviceCode: 300,
      backchannelAuthenticationRequest: 300,
    },
    shortcuts: false,
    requireVerifiedEmail: false,
    claims: [{ claim: 'email', trait: 'email', scope: 'email' }],
    backchannel: { retryDelaysMs: [1000], pollIntervalMs: 1000, leaseMs: 10000 },
  },
  guard: {
    enabled: false,
    lockout: {
      mode: 'identifier',
      threshold: 3,
      windowMs: 60000,
      durationMs: 1000,
      growthFactor: 3,
      maxDurationMs: 2000,
      resetMs: 3000,
      identifierThreshold: 4,
      identifierWindowMs: 4000,
      identifierDurationMs: 5000,
      identifierMaxDurationMs: 6000,
    },
    ip: { burst: 1, perMinute: 2, failureThreshold: 3, failureWindowMs: 4000, banMs: 5000 },
    codes: { sendsPerAddress: 1, sendWindowMs: 2000, wrongPerFlow: 3 },
    token: { ipBurst: 1, ipPerMinute: 2, clientBurst: 3, clientPerMinute: 4 },
    pendingTimeoutMs: 5000,
  },
  branding: {
    productName: 'Acme Login',
    logo: 'https://cdn.example.com/acme.svg',
    colors: {
      light: { accent: '#0a7', background: 'rgb(250, 250, 250)', text: '#111111' },
      dark: { accent: 'hsl(160, 80%, 45%)', background: '#000', text: '#eee' },
    },
    // Replaced by a file the test writes: the stylesheet is read at startup.
    stylesheet: 'acme.css',
    footer: [{ text: 'Help', href: 'https://acme.example/help' }],
    // Replaced by a file the test writes, like the stylesheet.
    frameTemplate: 'frame.html',
  },
  passwordPolicy: { minLength: 14 },
  upstreamLogos: [{ provider: 'corp', logo: 'https://idp.corp.example/logo.svg' }],
  shutdown: { drainMs: 100, timeoutMs: 1000 },
};

describe('the configuration schema declares every option once', () => {
  it('a file setting every option loads, and each option set is one the schema declares', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-config-schema-'));
    await writeFile(join(dir, 'acme.css'), '.card{border-radius:0}');
    await writeFile(join(dir, 'frame.html'), '<!doctype html><html lang="{{lang}}"><head>{{head}}</head><body>{{main}}</body></html>');
    await writeFile(
      join(dir, 'hub.json'),
      JSON.stringify({ ...FULL, branding: { ...FULL.branding, stylesheet: join(dir, 'acme.css'), frameTemplate: join(dir, 'frame.html') } }),
    );
    const config = loadConfig({ SSOHUB_CONFIG: join(dir, 'hub.json') });
    expect(config.guard.lockout.mode).toBe('identifier');
    expect(config.store).toMatchObject({ kind: 'redis', sentinelName: 'mymaster', commandTimeoutMs: 1000 });
    expect(leaves(config)).toEqual(schemaOptions().map((o) => o.path));
    expect(leaves(FULL)).toEqual(schemaOptions().map((o) => o.path));
  });

  it("declares the defaults checkConfig fills in, and a description of each option", () => {
    const development = checkConfig({ publicUrl: 'https://login.example.com' });
    const redis = checkConfig({ publicUrl: 'https://login.example.com', store: { kind: 'redis', url: 'redis://127.0.0.1:6379' } });
    for (const { path, schema } of schemaOptions()) {
      expect(schema.description, path).toMatch(/\S/);
      expect(schema.description, path).not.toContain('\n');
      if (schema.default === undefined) continue;
      const filled = path.startsWith('store.') && path !== 'store.kind' ? at(redis, path) : at(development, path);
      expect(filled, path).toEqual(schema.default);
    }
  });

  it('declares the variables the hub has always read', () => {
    expect(ENV_OPTIONS).toEqual({
      SSOHUB_MODE: 'mode',
      SSOHUB_PUBLIC_URL: 'publicUrl',
      SSOHUB_LISTEN_HOST: 'listen.host',
      SSOHUB_LISTEN_PORT: 'listen.port',
      SSOHUB_TLS_CERT_FILE: 'listen.tls.cert',
      SSOHUB_TLS_KEY_FILE: 'listen.tls.key',
      SSOHUB_ADMIN_HOST: 'admin.host',
      SSOHUB_ADMIN_PORT: 'admin.port',
      SSOHUB_ADMIN_TOKEN: 'admin.token',
      SSOHUB_ADMIN_TRUST_PROXY: 'admin.trustProxy',
      SSOHUB_ADMIN_ALLOWED_HOSTS: 'admin.allowedHosts',
      SSOHUB_KRATOS_PUBLIC_URL: 'kratos.publicUrl',
      SSOHUB_KRATOS_ADMIN_URL: 'kratos.adminUrl',
      SSOHUB_KRATOS_CONFIG_FILES: 'kratos.configFiles',
      SSOHUB_KRATOS_SESSION_COOKIE: 'kratos.sessionCookieName',
      SSOHUB_STORE: 'store.kind',
      SSOHUB_REDIS_URL: 'store.url',
      SSOHUB_REDIS_PREFIX: 'store.prefix',
      SSOHUB_REDIS_SENTINELS: 'store.sentinels',
      SSOHUB_REDIS_SENTINEL_NAME: 'store.sentinelName',
      SSOHUB_REDIS_SENTINEL_PASSWORD: 'store.sentinelPassword',
      SSOHUB_REDIS_CLUSTER_NODES: 'store.cluster',
      SSOHUB_REDIS_COMMAND_TIMEOUT_MS: 'store.commandTimeoutMs',
      SSOHUB_REDIS_CONNECT_TIMEOUT_MS: 'store.connectTimeoutMs',
      SSOHUB_ALLOWED_RETURN_ORIGINS: 'allowedReturnOrigins',
      SSOHUB_TRUST_PROXY: 'trustProxy',
      SSOHUB_LOG_LEVEL: 'logLevel',
      SSOHUB_BRANDING_PRODUCT_NAME: 'branding.productName',
      SSOHUB_BRANDING_LOGO: 'branding.logo',
      SSOHUB_BRANDING_STYLESHEET: 'branding.stylesheet',
      SSOHUB_BRANDING_FOOTER: 'branding.footer',
      SSOHUB_BRANDING_FRAME_TEMPLATE: 'branding.frameTemplate',
      SSOHUB_PASSWORD_MIN_LENGTH: 'passwordPolicy.minLength',
      SSOHUB_SHUTDOWN_DRAIN_MS: 'shutdown.drainMs',
      SSOHUB_SHUTDOWN_TIMEOUT_MS: 'shutdown.timeoutMs',
      SSOHUB_COOKIE_KEYS: 'bridge.cookieKeys',
      SSOHUB_SIGNING_KEYS_FILE: 'bridge.signingKeys',
      SSOHUB_CLIENTS_FILE: 'bridge.clients',
    });
    expect(SECRET_FILE_VARIABLES).toEqual({
      SSOHUB_ADMIN_TOKEN_FILE: 'SSOHUB_ADMIN_TOKEN',
      SSOHUB_COOKIE_KEYS_FILE: 'SSOHUB_COOKIE_KEYS',
      SSOHUB_REDIS_URL_FILE: 'SSOHUB_REDIS_URL',
      SSOHUB_REDIS_SENTINEL_PASSWORD_FILE: 'SSOHUB_REDIS_SENTINEL_PASSWORD',
    });
  });

  it('docs/configuration.md lists exactly the options of the schema (npm run docs:config writes its tables)', () => {
    const docs = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
    expect(renderConfigDocs(docs)).toBe(docs);
    for (const { path, schema } of schemaOptions()) {
      const row = docs.split('\n').find((l) => l.startsWith(`| \`${path}\` |`));
      expect(row, path).toBeDefined();
      if (schema.env) expect(row, path).toContain(`\`${schema.env}\``);
    }
  });
});
