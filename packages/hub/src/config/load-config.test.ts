import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { problemsOf } from '../../test/helpers/problems-of.ts';
import { checkConfig } from './check-config.ts';
import { loadConfig } from './load-config.ts';

describe('configuration is validated at startup', () => {
  it('fills defaults for a minimal development configuration and freezes it', () => {
    const config = checkConfig({ publicUrl: 'http://login.localhost:4000' });
    expect(config.mode).toBe('development');
    expect(config.store).toEqual({ kind: 'memory' });
    expect(config.admin.host).toBe('127.0.0.1');
    expect(config.bridge.path).toBe('/oidc');
    expect(config.kratos.sessionCookieName).toBe('ory_kratos_session');
    expect(Object.isFrozen(config.kratos)).toBe(true);
  });

  it("takes Kratos' session cookie name from SSOHUB_KRATOS_SESSION_COOKIE and refuses one no browser would send", () => {
    expect(loadConfig({ SSOHUB_PUBLIC_URL: 'http://login.localhost:4000', SSOHUB_KRATOS_SESSION_COOKIE: 'acme_session' }).kratos.sessionCookieName).toBe('acme_session');
    const problems = problemsOf(() => loadConfig({ SSOHUB_PUBLIC_URL: 'http://login.localhost:4000', SSOHUB_KRATOS_SESSION_COOKIE: 'acme session;' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^kratos\.sessionCookieName \(SSOHUB_KRATOS_SESSION_COOKIE\) must be a cookie name .*\(got "acme session;"\)$/);
  });

  it('names every bad option at once by its dotted path', () => {
    const problems = problemsOf(() =>
      checkConfig({
        publicUrl: 'https://login.example.com/sso',
        listen: { port: 70000 },
        store: { kind: 'redis', url: 'http://cache:6379', prefix: 'x:' },
        logLevel: 'loud' as 'info',
        allowedReturnOrigins: ['ftp://app.example.com'],
      }),
    );
    expect(problems).toEqual([
      'publicUrl must be an origin only, without path, query, fragment or credentials (got "https://login.example.com/sso")',
      'listen.port must be an integer >= 0 and <= 65535 (got 70000)',
      'store.url must be a redis:// or rediss:// URL',
      'allowedReturnOrigins[0] must use https (or http in development)',
      'logLevel must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent" (got "loud")',
    ]);
  });

  it('refuses the memory store, http URLs and missing secrets in production', () => {
    const problems = problemsOf(() => checkConfig({ mode: 'production', publicUrl: 'http://login.example.com' }));
    expect(problems).toContain('publicUrl must use https in production');
    expect(problems).toContain('admin.token is required in production (the admin API refuses every request without it)');
    expect(problems.find((p) => p.startsWith('store.kind'))).toMatch(/must be "redis" in production/);
    expect(problems).toContain('bridge.cookieKeys must hold at least one key in production');
    expect(problems).toContain('bridge.signingKeys must hold at least one private JWK in production');
  });

  it('reads SSOHUB_* variables over the SSOHUB_CONFIG file and names the variable in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-config-'));
    const file = join(dir, 'hub.json');
    await writeFile(file, JSON.stringify({ publicUrl: 'https://login.example.com', listen: { port: 9000 } }));
    const config = loadConfig({ SSOHUB_CONFIG: file, SSOHUB_LISTEN_PORT: '9443', SSOHUB_REDIS_URL: 'redis://127.0.0.1:6379/2' });
    expect(config.listen.port).toBe(9443);
    expect(config.store).toMatchObject({ kind: 'redis', url: 'redis://127.0.0.1:6379/2', prefix: 'ssohub:', sentinels: [], cluster: [] });

    const problems = problemsOf(() => loadConfig({ SSOHUB_PUBLIC_URL: 'https://login.example.com', SSOHUB_ADMIN_PORT: 'eighty' }));
    expect(problems).toEqual(['admin.port (SSOHUB_ADMIN_PORT) must be an integer >= 0 and <= 65535 (got "eighty")']);
  });

  it('reports an unreadable config file instead of starting with defaults', () => {
    const problems = problemsOf(() => loadConfig({ SSOHUB_CONFIG: '/nonexistent/hub.json' }));
    expect(problems[0]).toMatch(/^SSOHUB_CONFIG \(\/nonexistent\/hub\.json\) could not be read as JSON: ENOENT/);
  });

  it('never echoes a short secret back in the error', () => {
    const problems = problemsOf(() => checkConfig({ publicUrl: 'https://login.example.com', admin: { token: 'hunter2' } }));
    expect(problems).toEqual(['admin.token must be at least 24 characters long']);
    expect(problems.join(' ')).not.toContain('hunter2');
  });

  it('reads secrets from <VARIABLE>_FILE (container and systemd secrets) and names that variable in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-config-'));
    await writeFile(join(dir, 'admin_token'), 'a-very-long-admin-token-0123456789\n');
    await writeFile(join(dir, 'cookie_keys'), 'new-cookie-key-0123456789abcdefghijklmn\nold-cookie-key-0123456789abcdefghijklmn\n');
    await writeFile(join(dir, 'redis_url'), 'redis://:pw@127.0.0.1:6379/3\n');
    await writeFile(join(dir, 'short'), 'hunter2\n');
    await writeFile(join(dir, 'empty'), '\n');
    const base = { SSOHUB_PUBLIC_URL: 'https://login.example.com' };
    const config = loadConfig({
      ...base,
      SSOHUB_ADMIN_TOKEN_FILE: join(dir, 'admin_token'),
      SSOHUB_COOKIE_KEYS_FILE: join(dir, 'cookie_keys'),
      SSOHUB_REDIS_URL_FILE: join(dir, 'redis_url'),
    });
    expect(config.admin.token).toBe('a-very-long-admin-token-0123456789');
    expect(config.bridge.cookieKeys).toEqual(['new-cookie-key-0123456789abcdefghijklmn', 'old-cookie-key-0123456789abcdefghijklmn']);
    expect(config.store).toMatchObject({ kind: 'redis', url: 'redis://:pw@127.0.0.1:6379/3', prefix: 'ssohub:' });

    expect(problemsOf(() => loadConfig({ ...base, SSOHUB_ADMIN_TOKEN_FILE: join(dir, 'short') }))).toEqual([
      'admin.token (SSOHUB_ADMIN_TOKEN_FILE) must be at least 24 characters long',
    ]);
    expect(problemsOf(() => loadConfig({ ...base, SSOHUB_ADMIN_TOKEN_FILE: join(dir, 'empty') }))).toEqual([
      `admin.token (from SSOHUB_ADMIN_TOKEN_FILE=${join(dir, 'empty')}) is an empty file`,
    ]);
    expect(problemsOf(() => loadConfig({ ...base, SSOHUB_ADMIN_TOKEN_FILE: join(dir, 'missing') }))).toEqual([
      `admin.token (from SSOHUB_ADMIN_TOKEN_FILE=${join(dir, 'missing')}) could not be read: ENOENT`,
    ]);
    const twice = problemsOf(() => loadConfig({ ...base, SSOHUB_ADMIN_TOKEN: 'x'.repeat(30), SSOHUB_ADMIN_TOKEN_FILE: join(dir, 'admin_token') }));
    expect(twice).toEqual(['admin.token is set twice: by SSOHUB_ADMIN_TOKEN and by SSOHUB_ADMIN_TOKEN_FILE; keep one']);
    expect(twice.join(' ')).not.toContain('a-very-long-admin-token');
  });

  it('with `only`, reads and reports just the options a generator depends on, never the secret files', () => {
    const env = {
      SSOHUB_MODE: 'production',
      SSOHUB_PUBLIC_URL: 'https://login.example.com',
      SSOHUB_KRATOS_PUBLIC_URL: 'http://kratos:4433',
      SSOHUB_ADMIN_TOKEN_FILE: '/run/secrets/admin_token',
      SSOHUB_SIGNING_KEYS_FILE: '/run/secrets/jwks.json',
    };
    const only = ['mode', 'publicUrl', 'kratos', 'allowedReturnOrigins'];
    const config = loadConfig(env, { only });
    expect(config.mode).toBe('production');
    expect(config.kratos.publicUrl).toBe('http://kratos:4433');
    // Everything the hub itself needs is still refused without `only`.
    expect(problemsOf(() => loadConfig(env)).join('\n')).toMatch(/admin\.token \(from SSOHUB_ADMIN_TOKEN_FILE=\/run\/secrets\/admin_token\) could not be read: ENOENT/);
    // A problem in an option the generator uses is still reported, with its variable.
    expect(problemsOf(() => loadConfig({ ...env, SSOHUB_ALLOWED_RETURN_ORIGINS: 'http://app.example.com' }, { only }))).toEqual([
      'allowedReturnOrigins[0] (SSOHUB_ALLOWED_RETURN_ORIGINS) must use https in production',
    ]);
  });
});
