import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { problemsOf } from '../../test/helpers/problems-of.ts';
import { checkConfig } from './check-config.ts';
import { closest, editDistance, hubVariables, unknownVariables } from './config-keys.ts';
import { loadConfig } from './load-config.ts';

async function configFile(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-config-keys-'));
  const file = join(dir, 'hub.json');
  await writeFile(file, JSON.stringify(content));
  return file;
}

describe('a key or variable the hub does not know is refused, with the option probably meant', () => {
  it('names each mistyped key of the file by its full path (issue 19: typos used to start the hub with defaults)', async () => {
    const file = await configFile({
      publicUrl: 'https://login.example.com',
      kratos: { pubilcUrl: 'http://kratos:4433' },
      gaurd: { enabled: false },
      bridge: { ttl: { acessToken: 5 } },
    });
    expect(problemsOf(() => loadConfig({ SSOHUB_CONFIG: file }))).toEqual([
      'kratos.pubilcUrl is not an option; did you mean kratos.publicUrl?',
      'gaurd is not an option; did you mean guard?',
      'bridge.ttl.acessToken is not an option; did you mean bridge.ttl.accessToken?',
    ]);
  });

  it('lists unknown keys with the value problems, all at once', () => {
    const problems = problemsOf(() =>
      checkConfig({ publicUrl: 'https://login.example.com', listen: { port: 70000, Host: '::' }, logLevel: 'loud' } as never),
    );
    expect(problems).toEqual([
      'listen.Host is not an option; did you mean listen.host?',
      'listen.port must be an integer >= 0 and <= 65535 (got 70000)',
      'logLevel must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (got "loud")',
    ]);
  });

  it('suggests the option of that name elsewhere, or lists the keys it would take', () => {
    const problems = problemsOf(() =>
      checkConfig({
        publicUrl: 'https://login.example.com',
        port: 9000,
        guard: { lockout: { treshold: 3, maxTries: 3 } },
        bridge: { claims: [{ claim: 'email', trait: 'email', scope: 'email', scpoe: 'x' }] },
      } as never),
    );
    expect(problems).toEqual([
      'port is not an option here; did you mean listen.port or admin.port?',
      'guard.lockout.treshold is not an option; did you mean guard.lockout.threshold?',
      'guard.lockout.maxTries is not an option (guard.lockout takes mode, threshold, windowMs, durationMs, growthFactor, maxDurationMs, resetMs, identifierThreshold, identifierWindowMs, identifierDurationMs, identifierMaxDurationMs)',
      'bridge.claims[0].scpoe is not an option; did you mean bridge.claims[0].scope?',
    ]);
  });

  it('refuses a value where an object of options belongs, which would be ignored as well', () => {
    expect(problemsOf(() => checkConfig({ publicUrl: 'https://login.example.com', guard: false, bridge: { ttl: [] } } as never))).toEqual([
      'guard must be an object (got false)',
      'bridge.ttl must be an object (got [])',
    ]);
  });

  it('accepts $schema at the top, null for an absent section, and leaves JWKs and client metadata to their own checks', async () => {
    const file = await configFile({
      $schema: './hub.schema.json',
      publicUrl: 'https://login.example.com',
      listen: { tls: null },
      bridge: { clients: [{ client_id: 'app', anything: true }] },
    });
    expect(loadConfig({ SSOHUB_CONFIG: file }).listen.tls).toBeUndefined();
  });

  it('refuses a file that is not an object of options', async () => {
    const file = await configFile([{ publicUrl: 'https://login.example.com' }]);
    expect(problemsOf(() => loadConfig({ SSOHUB_CONFIG: file }))).toEqual([`SSOHUB_CONFIG (${file}) must hold a JSON object of options (got an array)`]);
  });

  it('warns about each SSOHUB_* variable the hub does not read, with the one probably meant, and still starts', () => {
    const base = { SSOHUB_PUBLIC_URL: 'https://login.example.com' };
    const warned = (env: Record<string, string>) => {
      const messages: string[] = [];
      loadConfig({ ...base, ...env }, { warn: (m) => messages.push(m) });
      return messages;
    };
    expect(warned({ SSOHUB_LISTEN_PROT: '9000' })).toEqual(['SSOHUB_LISTEN_PROT is not a variable the hub reads; did you mean SSOHUB_LISTEN_PORT?']);
    expect(warned({ ssohub_log_level: 'debug' })).toEqual(['ssohub_log_level is not a variable the hub reads; did you mean SSOHUB_LOG_LEVEL?']);
    expect(warned({ SSOHUB_PUBLIC_URL_FILE: '/run/secrets/url' })).toEqual([
      'SSOHUB_PUBLIC_URL_FILE is not a variable the hub reads: only SSOHUB_ADMIN_TOKEN, SSOHUB_REDIS_URL, SSOHUB_REDIS_SENTINEL_PASSWORD, SSOHUB_COOKIE_KEYS can be given as <VARIABLE>_FILE; set SSOHUB_PUBLIC_URL itself',
    ]);
    expect(warned({ SSOHUB_TLS_CERT: '/etc/hub/cert.pem' })).toEqual(['SSOHUB_TLS_CERT is not a variable the hub reads; did you mean SSOHUB_TLS_CERT_FILE?']);
    expect(warned({ SSOHUB_FAVOURITE_COLOUR: 'green' })).toEqual(['SSOHUB_FAVOURITE_COLOUR is not a variable the hub reads (docs/configuration.md lists them)']);
    // What Kubernetes injects for a Service named ssohub-hub (service links): warned, not fatal.
    expect(warned({ SSOHUB_HUB_SERVICE_HOST: '10.0.0.7', SSOHUB_HUB_PORT: 'tcp://10.0.0.7:8080' })).toHaveLength(2);
    // A bad value next to an unknown variable is still refused.
    expect(problemsOf(() => loadConfig({ ...base, ssohub_log_level: 'debug', SSOHUB_ADMIN_PORT: 'eighty' }, { warn: () => {} }))).toEqual([
      'admin.port (SSOHUB_ADMIN_PORT) must be an integer >= 0 and <= 65535 (got "eighty")',
    ]);
  });

  it("accepts the hub's own variables and those of the CLI, the deployment files and the tests", () => {
    const config = loadConfig({
      SSOHUB_PUBLIC_URL: 'https://login.example.com',
      SSOHUB_WORKERS: '2',
      SSOHUB_WORKER_INDEX: '1',
      SSOHUB_ADMIN_URL: 'http://127.0.0.1:8081',
      SSOHUB_DOMAIN: 'login.example.com',
      SSOHUB_APP_ORIGINS: 'https://app.example.com',
      SSOHUB_TEST_REDIS_URL: 'redis://127.0.0.1:6379',
      SSOHUB_UNSET: undefined,
    });
    expect(config.publicUrl).toBe('https://login.example.com');
  });

  it('accepts every SSOHUB_* variable that the docs and deployment files name', () => {
    const root = fileURLToPath(new URL('../../../../', import.meta.url));
    const names = new Set<string>();
    const read = (path: string) => {
      // Not the docs' own example of a refused variable.
      const lines = readFileSync(join(root, path), 'utf8').split('\n').filter((l) => !l.includes('is not a variable the hub reads'));
      for (const m of lines.join('\n').matchAll(/\bSSOHUB_[A-Z0-9_]*[A-Z0-9]\b/g)) names.add(m[0]);
    };
    const scan = (dir: string) => {
      for (const entry of readdirSync(join(root, dir))) {
        const path = join(dir, entry);
        if (statSync(join(root, path)).isDirectory()) scan(path);
        else read(path);
      }
    };
    scan('docs');
    scan('deploy');
    read('packages/hub/README.md');
    read('packages/cli/README.md');
    // Error codes, not variables.
    const variables = [...names].filter((n) => !/^SSOHUB_(ERR|CLIENT_ERR|CLI)_/.test(n));
    expect(variables.length).toBeGreaterThan(30);
    expect(unknownVariables(Object.fromEntries(variables.map((v) => [v, 'x'])))).toEqual([]);
  });

  it('with `only`, reports just the unknown keys and variables of the options the caller depends on', async () => {
    const file = await configFile({ publicUrl: 'https://login.example.com', kratos: { adminURL: 'http://kratos:4434' }, gaurd: {} });
    const env = { SSOHUB_CONFIG: file, SSOHUB_KRATOS_PUBLIC_UR: 'http://kratos:4433', SSOHUB_LISTEN_PROT: '1', SSOHUB_NOTES: 'x' };
    const warned: string[] = [];
    expect(problemsOf(() => loadConfig(env, { only: ['kratos'], warn: (m) => warned.push(m) }))).toEqual(['kratos.adminURL is not an option; did you mean kratos.adminUrl?']);
    expect(warned).toEqual(['SSOHUB_KRATOS_PUBLIC_UR is not a variable the hub reads; did you mean SSOHUB_KRATOS_PUBLIC_URL?']);
    expect(loadConfig({ SSOHUB_CONFIG: file, SSOHUB_LISTEN_PROT: '1' }, { only: ['publicUrl'], warn: () => {} }).publicUrl).toBe('https://login.example.com');
  });

  it('matches within two edits or but for case, and short names only within one', () => {
    expect(editDistance('pubilcurl', 'publicurl')).toBe(1);
    expect(editDistance('gaurd', 'guard')).toBe(1);
    expect(editDistance('acesstoken', 'accesstoken')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closest('PUBLICURL', ['publicUrl', 'adminUrl'])).toBe('publicUrl');
    expect(closest('x', ['ip', 'token'])).toBeUndefined();
    expect(closest('tl', ['ttl', 'path'])).toBe('ttl');
    expect(closest('enabledd', ['enabled'])).toBe('enabled');
    expect(closest('completely', ['enabled'])).toBeUndefined();
    expect(hubVariables().has('SSOHUB_ADMIN_TOKEN_FILE')).toBe(true);
  });
});
