import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '@ssohub/cli';
import { freePort, uniquePrefix, waitFor } from '@ssohub/testkit';
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
    for (const id of ['admin.reachable', 'admin.token', 'hub.config', 'kratos.public', 'kratos.admin', 'kratos.version', 'kratos.database', 'kratos.session_cookie', 'hub.store', 'redis.reachable', 'hub.issuer', 'hub.cookies', 'clock.kratos', 'clock.redis']) {
      expect(byId(report.checks, id).verdict, id).toBe('ok');
    }
    expect(byId(report.checks, 'kratos.database').detail).toMatch(/^SQLite file \/.+kratos\.sqlite from file .+site\.yml$/);
    expect(byId(report.checks, 'kratos.version').detail).toBe('Kratos v1.3.1');
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
