import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '@ssohub/cli';
import { createTestDatabase, freePort, type RunningKratos, startKratos, type TestDatabase, uniquePrefix, waitFor } from '@ssohub/testkit';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';
import { runCli } from './cli-run.ts';

interface Check {
  id: string;
  verdict: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}
const byId = (checks: Check[], id: string) => {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${checks.map((c) => c.id).join(', ')}`);
  return found;
};
const oneLine = (fix: string | undefined) => expect(fix).toMatch(/^[^\n]{10,}$/);

describe('ssohub doctor on a healthy hub (Kratos on SQLite, shared Redis)', () => {
  let stack: HubStack;
  let env: Record<string, string>;
  beforeAll(async () => {
    stack = await startHubStack();
    env = { SSOHUB_ADMIN_URL: stack.adminUrl, SSOHUB_ADMIN_TOKEN: adminTokenForTests };
  });
  afterAll(async () => stack?.stop());

  it('passes: every part reachable, Kratos ready on its SQLite file, clocks agree; exit 0', async () => {
    const res = await runCli(['doctor', '--json'], env);
    expect(res.code, res.stdout).toBe(EXIT.OK);
    const report = res.json();
    expect(report.checks.filter((c: Check) => c.verdict === 'fail')).toEqual([]);
    for (const id of ['admin.reachable', 'admin.token', 'hub.config', 'kratos.public', 'kratos.admin', 'kratos.migrations', 'kratos.version', 'kratos.database', 'kratos.session_cookie', 'kratos.base_url', 'hub.store', 'redis.reachable', 'hub.issuer', 'hub.cookies', 'clock.kratos', 'clock.redis']) {
      expect(byId(report.checks, id).verdict, id).toBe('ok');
    }
    expect(byId(report.checks, 'kratos.migrations').detail).toBe('applied');
    expect(byId(report.checks, 'kratos.base_url').detail).toMatch(new RegExp(`^Kratos' serve\\.public\\.base_url is ${stack.hubUrl}/ \\(file .+site\\.yml\\), the hub's publicUrl$`));
    expect(byId(report.checks, 'kratos.database').detail).toMatch(/^SQLite file \/.+kratos\.sqlite from file .+site\.yml$/);
    expect(byId(report.checks, 'kratos.version').detail).toBe('Kratos v1.3.1');
    // The verified-address policy (decision 0016): on by default, and Kratos verifies by code.
    expect(byId(report.checks, 'bridge.verified_email')).toMatchObject({ verdict: 'ok', detail: expect.stringMatching(/^on: .*email_verified true$/) });
    expect(report.config.bridge.requireVerifiedEmail).toBe(true);
    expect(report.kratosDatabase.files.map((f: { dsn?: string }) => f.dsn)).toEqual([undefined, expect.stringMatching(/^sqlite:\/\//)]);
    // Development mode without configured signing keys: warned about, with the fix.
    expect(byId(report.checks, 'bridge.signing_keys')).toMatchObject({ verdict: 'warn', fix: expect.stringMatching(/SSOHUB_SIGNING_KEYS_FILE/) });
    expect(res.stdout).not.toContain(adminTokenForTests);
  });

  it('prints a verdict per line and a fix under each problem for people', async () => {
    const res = await runCli(['doctor'], env);
    expect(res.stdout).toMatch(/^ok +kratos\.database +SQLite file/m);
    expect(res.stdout).toMatch(/^WARN {2}bridge\.signing_keys .+\n +fix: generate keys/m);
    expect(res.stdout).toMatch(/^(All checks passed|Passed with warnings) \(\d+ ok, \d+ warn, 0 fail\)\.$/m);
    expect((await runCli(['doctor', '--strict'], env)).code).toBe(EXIT.CHECK_FAILED);
  });

  it('shows a DSN variable overriding the config file, and which one wins', async () => {
    const res = await runCli(['doctor', '--json'], { ...env, DSN: 'postgres://kratos:hunter2@db.internal:5432/kratos?sslmode=require' });
    const check = byId(res.json().checks, 'kratos.database');
    expect(check.verdict).toBe('ok');
    expect(check.detail).toMatch(/^PostgreSQL database "kratos" on db\.internal:5432 from environment variable DSN \(overrides file .+site\.yml: sqlite:\/\/.+\)$/);
    expect(res.json().kratosDatabase).toMatchObject({ env: 'postgres://kratos:***@db.internal:5432/kratos?sslmode=require', effective: { source: 'environment variable DSN' } });
    expect(res.stdout).not.toContain('hunter2');
  });

  it("fails when Kratos' SESSION_COOKIE_NAME names a cookie the hub does not look for; exit 1", async () => {
    const res = await runCli(['doctor', '--json'], { ...env, SESSION_COOKIE_NAME: 'acme_session' });
    expect(res.code).toBe(EXIT.CHECK_FAILED);
    const check = byId(res.json().checks, 'kratos.session_cookie');
    expect(check).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/"acme_session" \(environment variable SESSION_COOKIE_NAME\) but the hub looks for "ory_kratos_session"/) });
    oneLine(check.fix);
  });

  it("fails when Kratos' SERVE_PUBLIC_BASE_URL variable, which beats its files, is not the hub; exit 1", async () => {
    const res = await runCli(['doctor', '--json'], { ...env, SERVE_PUBLIC_BASE_URL: 'http://127.0.0.1:4433/' });
    expect(res.code).toBe(EXIT.CHECK_FAILED);
    const check = byId(res.json().checks, 'kratos.base_url');
    expect(check).toMatchObject({
      verdict: 'fail',
      detail: `Kratos' serve.public.base_url is http://127.0.0.1:4433/ (environment variable SERVE_PUBLIC_BASE_URL) but the hub's publicUrl (SSOHUB_PUBLIC_URL) is ${stack.hubUrl}/: Kratos' redirects and cookies miss the hub, so sign-ins loop back to the login page`,
      fix: expect.stringMatching(new RegExp(`^set Kratos' SERVE_PUBLIC_BASE_URL variable to ${stack.hubUrl}/ and restart Kratos`)),
    });
    oneLine(check.fix);
  });

  it('fails a malformed DSN (no database name) with a one-line fix; exit 1', async () => {
    const res = await runCli(['doctor', '--json', '--kratos-dsn', 'postgres://kratos:hunter2@db.internal:5432/'], env);
    expect(res.code).toBe(EXIT.CHECK_FAILED);
    const check = byId(res.json().checks, 'kratos.database');
    expect(check).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/malformed DSN .*names no database/) });
    oneLine(check.fix);
    expect(res.stdout).not.toContain('hunter2');
  });

  it('fails on a wrong admin token with the fix; exit 4', async () => {
    const res = await runCli(['doctor', '--json'], { ...env, SSOHUB_ADMIN_TOKEN: 'wrong-token-0123456789abcdefgh' });
    expect(res.code).toBe(EXIT.AUTH);
    expect(res.json().verdict).toBe('fail');
    expect(byId(res.json().checks, 'admin.reachable').verdict).toBe('ok');
    const token = byId(res.json().checks, 'admin.token');
    expect(token).toMatchObject({ verdict: 'fail', fix: expect.stringMatching(/SSOHUB_ADMIN_TOKEN/) });
    oneLine(token.fix);
  });

  it('fails when the admin API does not answer; exit 5', async () => {
    const res = await runCli(['doctor', '--json'], { ...env, SSOHUB_ADMIN_URL: 'http://127.0.0.1:3' });
    expect(res.code).toBe(EXIT.UNREACHABLE);
    expect(byId(res.json().checks, 'admin.reachable')).toMatchObject({ verdict: 'fail', fix: expect.stringMatching(/SSOHUB_ADMIN_URL/) });
  });
});

describe('ssohub doctor on Kratos with a memory DSN and a Redis that persists nothing, then goes down', () => {
  let stack: HubStack;
  let env: Record<string, string>;
  let redis: ChildProcess;
  let redisPort: number;
  const startRedis = async () => {
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor('private redis-server', async () => {
      const { Redis } = await import('ioredis');
      const c = new Redis(`redis://127.0.0.1:${redisPort}`, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => {});
      try {
        await c.connect();
        return (await c.ping()) === 'PONG' ? true : undefined;
      } catch {
        return undefined;
      } finally {
        c.disconnect();
      }
    }, { timeoutMs: 10_000 });
  };
  const stopRedis = async () => {
    const exited = new Promise((r) => redis.once('exit', r));
    redis.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    redisPort = await freePort();
    await startRedis();
    stack = await startHubStack({
      database: { kind: 'memory' },
      config: { store: { kind: 'redis', url: `redis://127.0.0.1:${redisPort}`, prefix: uniquePrefix('doctor') } },
    });
    env = { SSOHUB_ADMIN_URL: stack.adminUrl, SSOHUB_ADMIN_TOKEN: adminTokenForTests };
  });
  afterAll(async () => {
    if (redis && redis.exitCode === null && redis.signalCode === null) await stack?.stop();
    else {
      // Bring Redis back so the hub closes its connection cleanly, then stop everything.
      await startRedis();
      await stack?.stop();
    }
    if (redis && redis.exitCode === null) await stopRedis();
  });

  it('warns loudly that Kratos keeps everything in memory and that Redis persists nothing', async () => {
    const res = await runCli(['doctor', '--json'], env);
    const report = res.json();
    const db = byId(report.checks, 'kratos.database');
    expect(db).toMatchObject({ verdict: 'warn', detail: expect.stringMatching(/^Kratos runs in memory: in-memory SQLite \(`memory`\).+from file .+site\.yml$/) });
    expect(db.fix).toMatch(/postgres:\/\//);
    oneLine(db.fix);
    expect(report.kratosDatabase.effective.classification.kind).toBe('memory');
    const persistence = byId(report.checks, 'redis.persistence');
    expect(persistence).toMatchObject({ verdict: 'warn', detail: expect.stringMatching(/NOTHING IS PERSISTED/), fix: expect.stringMatching(/appendonly yes/) });
    expect(res.code).toBe(EXIT.OK);
  });

  it('fails when Redis is down, with the fix; exit 1', async () => {
    await stopRedis();
    const started = Date.now();
    const res = await runCli(['doctor', '--json'], env);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(res.code).toBe(EXIT.CHECK_FAILED);
    const check = byId(res.json().checks, 'redis.reachable');
    expect(check).toMatchObject({ verdict: 'fail', fix: expect.stringMatching(/SSOHUB_REDIS_URL/) });
    oneLine(check.fix);
    expect(byId(res.json().checks, 'kratos.admin').verdict).toBe('ok');
  });
});

describe("ssohub doctor when Kratos' config files give another base_url than the hub's", () => {
  let stack: HubStack;
  beforeAll(async () => {
    stack = await startHubStack({ store: 'memory', kratosOverrides: { serve: { public: { base_url: 'https://old-login.sso.test/' } } } });
  });
  afterAll(async () => stack?.stop());

  it('fails kratos.base_url, saying both values and where each comes from; exit 1', async () => {
    const res = await runCli(['doctor', '--json'], { SSOHUB_ADMIN_URL: stack.adminUrl, SSOHUB_ADMIN_TOKEN: adminTokenForTests });
    expect(res.code).toBe(EXIT.CHECK_FAILED);
    const check = byId(res.json().checks, 'kratos.base_url');
    const site = stack.kratos.configFiles.at(-1)!;
    expect(check).toEqual({
      id: 'kratos.base_url',
      verdict: 'fail',
      detail: `Kratos' serve.public.base_url is https://old-login.sso.test/ (file ${site}) but the hub's publicUrl (SSOHUB_PUBLIC_URL) is ${stack.hubUrl}/: Kratos' redirects and cookies miss the hub, so sign-ins loop back to the login page`,
      fix: `set serve.public.base_url in ${site} to ${stack.hubUrl}/ and restart Kratos (or, if the hub's URL is the wrong one, fix SSOHUB_PUBLIC_URL)`,
    });
    // Everything else about this Kratos is fine.
    expect(byId(res.json().checks, 'kratos.admin').verdict).toBe('ok');
    const res2 = await runCli(['doctor'], { SSOHUB_ADMIN_URL: stack.adminUrl, SSOHUB_ADMIN_TOKEN: adminTokenForTests });
    expect(res2.stdout).toMatch(/^FAIL +kratos\.base_url +Kratos' serve\.public\.base_url is https:\/\/old-login\.sso\.test\/ .+\n +fix: set serve\.public\.base_url in /m);
  });
});

describe('ssohub doctor on a Kratos whose PostgreSQL database is not migrated', () => {
  let db: TestDatabase;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const stop of cleanup.reverse()) await stop();
    await db?.drop();
  });

  /** Kratos on the test database as it is, without migrating it or waiting for it. */
  async function unmigratedKratos(): Promise<{ kratos: RunningKratos; log: string[] }> {
    const log: string[] = [];
    const kratos = await startKratos({ smtpPort: await freePort(), database: { kind: 'postgres', dsn: db.dsn }, migrate: false, log: (line) => log.push(line) });
    cleanup.push(() => kratos.stop());
    return { kratos, log };
  }

  /** A hub in front of `kratos`, and the doctor run against it. */
  async function doctorAgainst(kratos: RunningKratos) {
    const stack = await startHubStack({ store: 'memory', config: { kratos: { publicUrl: kratos.publicUrl, adminUrl: kratos.adminUrl, configFiles: kratos.configFiles } } });
    cleanup.push(() => stack.stop());
    return runCli(['doctor', '--json'], { SSOHUB_ADMIN_URL: stack.adminUrl, SSOHUB_ADMIN_TOKEN: adminTokenForTests });
  }

  it('fresh database: Kratos v1.3.1 opens no port until its tables exist, so the doctor cannot tell, and says what to look for', async () => {
    const { kratos, log } = await unmigratedKratos();
    await waitFor('Kratos retrying on its empty database', async () => (log.some((l) => l.includes('Unable to determine network, retrying')) ? true : undefined));
    const res = await doctorAgainst(kratos);
    expect(res.code).toBe(EXIT.CHECK_FAILED);
    const migrations = byId(res.json().checks, 'kratos.migrations');
    expect(migrations).toMatchObject({ verdict: 'warn', detail: `unknown: Kratos' admin API does not answer at ${kratos.adminUrl} (ECONNREFUSED)` });
    expect(migrations.fix).toBe(`start Kratos; if its log repeats "Unable to determine network, retrying", its database has no tables yet: run \`kratos migrate sql -e --yes ${kratos.configFiles.map((f) => `-c ${f}`).join(' ')}\` with Kratos' DSN`);
    oneLine(migrations.fix);
    expect(byId(res.json().checks, 'kratos.admin').verdict).toBe('fail');
    // Stopped now: once the next test migrates the database, it would start answering.
    await kratos.stop();
  });

  it('migrations pending (Kratos upgraded, newest migration not applied): "not applied" with the migrate command; exit 1', async () => {
    // Migrates the database (the test kit does before starting Kratos), then forgets the newest
    // migration, as a database looks to a newer Kratos before `kratos migrate sql`.
    const migrated = await startKratos({ smtpPort: await freePort(), database: { kind: 'postgres', dsn: db.dsn } });
    await migrated.stop();
    const client = new pg.Client({ connectionString: db.dsn });
    await client.connect();
    try {
      const { rowCount } = await client.query('DELETE FROM schema_migration WHERE version = (SELECT max(version) FROM schema_migration)');
      expect(rowCount).toBe(1);
    } finally {
      await client.end();
    }
    const { kratos } = await unmigratedKratos();
    await waitFor('Kratos admin API', async () => ((await fetch(`${kratos.adminUrl}/admin/health/alive`)).ok ? true : undefined));
    const res = await doctorAgainst(kratos);
    expect(res.code).toBe(EXIT.CHECK_FAILED);
    const migrations = byId(res.json().checks, 'kratos.migrations');
    const command = `kratos migrate sql -e --yes ${kratos.configFiles.map((f) => `-c ${f}`).join(' ')}`;
    expect(migrations).toEqual({
      id: 'kratos.migrations',
      verdict: 'fail',
      detail: 'not applied: Kratos says "migrations have not yet been fully applied"',
      fix: `back up the database, then run \`${command}\` with Kratos' DSN`,
    });
    expect(byId(res.json().checks, 'kratos.admin')).toMatchObject({ verdict: 'fail', detail: 'Kratos is not ready: migrations have not yet been fully applied' });
    expect(byId(res.json().checks, 'kratos.database').detail).toMatch(/^PostgreSQL database "ssohub_test_\w+" on 127\.0\.0\.1:5432 from file .+site\.yml$/);
  });
});
