import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Schema from 'typebox/schema';
import { describe, expect, it } from 'vitest';
import { checkKeys } from './config-keys.ts';
import { ConfigProblems } from './config-problems.ts';
import { CONFIG_JSON_SCHEMA_ID, configJsonSchema } from './config-json-schema.ts';
import { schemaOptions } from './config-schema.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const committed = JSON.parse(readFileSync(join(root, 'docs/ssohub-config.schema.json'), 'utf8')) as Record<string, unknown>;
const valid = (config: unknown) => Schema.Check(committed, config);
/** Where the schema refuses a config: each error's instance path. */
const refused = (config: unknown) => Schema.Errors(committed, config)[1].map((e) => e.instancePath);

/**
 * The hub config files of the repository's docs and deployment files: the `json` blocks of
 * docs/*.md and the *.json files under docs/ and deploy/ that name this schema in `$schema`.
 */
function exampleConfigs(): { where: string; config: Record<string, unknown> }[] {
  const out: { where: string; config: Record<string, unknown> }[] = [];
  const consider = (where: string, text: string) => {
    let config: unknown;
    try {
      config = JSON.parse(text);
    } catch {
      return;
    }
    const schema = (config as { $schema?: unknown } | null)?.$schema;
    if (typeof schema === 'string' && (schema.endsWith('ssohub-config.schema.json') || schema === CONFIG_JSON_SCHEMA_ID)) {
      out.push({ where, config: config as Record<string, unknown> });
    }
  };
  const scan = (dir: string) => {
    for (const entry of readdirSync(join(root, dir))) {
      const path = join(dir, entry);
      if (statSync(join(root, path)).isDirectory()) scan(path);
      else if (path.endsWith('.json')) consider(path, readFileSync(join(root, path), 'utf8'));
      else if (path.endsWith('.md')) {
        const blocks = readFileSync(join(root, path), 'utf8').matchAll(/^( *)```json\n([\s\S]*?)^\1```$/gm);
        for (const [, , block] of blocks) consider(path, block!);
      }
    }
  };
  scan('docs');
  scan('deploy');
  return out;
}

describe('the JSON Schema of the config file, for editors (docs/ssohub-config.schema.json)', () => {
  it('is what `npm run docs:config` writes from the schema the hub checks against', () => {
    expect(committed).toEqual(configJsonSchema());
  });

  it('is a draft 2020-12 schema with an $id that refuses unknown keys at every depth', () => {
    expect(Schema.Check(Schema.Meta['https://json-schema.org/draft/2020-12/schema'], committed)).toBe(true);
    expect(committed).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', $id: CONFIG_JSON_SCHEMA_ID, additionalProperties: false });
    const objects: string[] = [];
    const visit = (node: Record<string, unknown>, at: string) => {
      if (node.properties) {
        objects.push(at);
        expect(node.additionalProperties, at).toBe(false);
        for (const [key, child] of Object.entries(node.properties as Record<string, Record<string, unknown>>)) visit(child, `${at}.${key}`);
      }
      if (node.items) visit(node.items as Record<string, unknown>, `${at}[]`);
    };
    visit(committed, '');
    expect(objects).toContain('.guard.lockout');
    expect(objects).toContain('.bridge.claims[]');
  });

  it('gives every option its title and description, and its default when it has one', () => {
    for (const { path, schema } of schemaOptions()) {
      const node = path.split('.').reduce<Record<string, unknown>>((n, key) => (n.properties as Record<string, Record<string, unknown>>)[key]!, committed);
      expect(node.title, path).toBe(path);
      expect(node.description, path).toContain(schema.description!.replaceAll('`', '').slice(0, 40));
      if (schema.env) expect(node.description, path).toContain(schema.env);
      expect(node.default, path).toEqual(schema.default);
    }
  });

  it("validates the repository's example config files, which the hub's key check accepts too", () => {
    const examples = exampleConfigs();
    expect(examples.map((e) => e.where)).toContain('docs/configuration.md');
    for (const { where, config } of examples) {
      expect(refused(config), where).toEqual([]);
      const p = new ConfigProblems();
      checkKeys(p, config);
      expect(p.list, where).toEqual([]);
    }
  });

  it('validates a file setting every option', () => {
    const every = {
      mode: 'development',
      publicUrl: 'https://login.example.com',
      listen: { host: '127.0.0.1', port: 9443, tls: { cert: '-----BEGIN CERTIFICATE-----\n', key: '-----BEGIN PRIVATE KEY-----\n' } },
      admin: { host: '127.0.0.2', port: 9444, token: 'a-very-long-admin-token-0123456789' },
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
      trustProxy: ['10.0.0.0/8'],
      logLevel: 'warn',
      bridge: {
        path: '/sso',
        cookieKeys: ['cookie-key-0123456789abcdefghijklmnopq'],
        signingKeys: [{ kid: 'k1', alg: 'RS256', kty: 'RSA', d: '…' }],
        clients: [{ client_id: 'app', redirect_uris: ['https://app.example.com/cb'], ssohub_first_party: true }],
        ttl: { accessToken: 600, authorizationCode: 30, refreshToken: 86400 },
        claims: [{ claim: 'email', trait: 'email', scope: 'email' }],
        backchannel: { retryDelaysMs: [1000], pollIntervalMs: 1000, leaseMs: 10000 },
      },
      guard: { enabled: false, lockout: { mode: 'identifier', growthFactor: 1.5 }, ip: { burst: 1 }, codes: { wrongPerFlow: 3 }, token: { clientBurst: 3 }, pendingTimeoutMs: 5000 },
      shutdown: { drainMs: 100, timeoutMs: 1000 },
    };
    expect(refused(every)).toEqual([]);
    expect(valid({})).toBe(true);
  });

  it('refuses a mistyped key, at the top and nested, and a value of the wrong type', () => {
    expect(refused({ publicUrl: 'https://login.example.com', gaurd: {} })).toContain('/gaurd');
    expect(refused({ kratos: { pubilcUrl: 'http://kratos:4433' } })).toContain('/kratos/pubilcUrl');
    expect(refused({ bridge: { ttl: { acessToken: 5 } } })).toContain('/bridge/ttl/acessToken');
    expect(refused({ bridge: { claims: [{ claim: 'email', trait: 'email', scpoe: 'email' }] } })).toContain('/bridge/claims/0/scpoe');
    expect(refused({ port: 9000 })).toContain('/port');
    expect(refused({ logLevel: 'loud' })).toContain('/logLevel');
    expect(refused({ listen: { port: '8080' } })).toContain('/listen/port');
    expect(refused({ guard: true })).toContain('/guard');
  });
});
