import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KratosClient, type KratosReadiness } from '../kratos/kratos-client.ts';
import { checkKratosAdmin, checkKratosMigrations, migrateCommand } from './check-kratos-readiness.ts';

const FILES = ['/etc/kratos/kratos.yml', '/etc/kratos/site.yml'];
const where = { adminUrl: 'http://127.0.0.1:4434', configFiles: FILES };
const PENDING = 'migrations have not yet been fully applied';

/** Kratos' readiness as the doctor reads it (KratosClient.readinessReport), from the admin API at `adminUrl`. */
async function probeKratosReadiness(adminUrl: string, timeoutMs: number): Promise<KratosReadiness> {
  const kratos = new KratosClient({ publicUrl: adminUrl, adminUrl });
  try {
    return await kratos.readinessReport(timeoutMs);
  } finally {
    await kratos.close();
  }
}

describe('reading Kratos readiness', () => {
  // A stand-in for Kratos' admin listener, answering what each path says.
  const answers: Record<string, { status: number; body: string }> = {
    // What Kratos v1.3.1 answers (seen against a database with its newest migration missing).
    '/v131/admin/health/ready': { status: 503, body: JSON.stringify({ error: { code: 500, status: 'Internal Server Error', message: PENDING } }) },
    '/map/admin/health/ready': { status: 503, body: JSON.stringify({ errors: { database: 'ok?', migrations: PENDING } }) },
    '/ready/admin/health/ready': { status: 200, body: '{"status":"ok"}' },
    '/plain/admin/health/ready': { status: 502, body: 'Bad Gateway' },
  };
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer = answers[req.url ?? ''] ?? { status: 404, body: '{}' };
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("reads Kratos v1.3.1's error message, an errors map, a ready answer and a body that is not JSON", async () => {
    expect(await probeKratosReadiness(`${base}/v131`, 1_000)).toEqual({ answered: true, ready: false, status: 503, reason: PENDING });
    expect(await probeKratosReadiness(`${base}/map`, 1_000)).toEqual({ answered: true, ready: false, status: 503, reason: `database: ok?; migrations: ${PENDING}` });
    expect(await probeKratosReadiness(`${base}/ready`, 1_000)).toEqual({ answered: true, ready: true });
    expect(await probeKratosReadiness(`${base}/plain`, 1_000)).toEqual({ answered: true, ready: false, status: 502, reason: 'readiness answered 502' });
  });

  it('says that nothing answered, and why', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await probeKratosReadiness(`http://127.0.0.1:${port}`, 1_000)).toEqual({ answered: false, error: 'ECONNREFUSED' });
  });
});

describe('the kratos.migrations and kratos.admin checks', () => {
  const notReady = (reason: string): KratosReadiness => ({ answered: true, ready: false, status: 503, reason });

  it('says applied when Kratos is ready', () => {
    expect(checkKratosMigrations({ answered: true, ready: true }, where)).toEqual({ id: 'kratos.migrations', verdict: 'ok', detail: 'applied' });
    expect(checkKratosAdmin({ answered: true, ready: true }, where)).toEqual({ id: 'kratos.admin', verdict: 'ok', detail: 'reachable at http://127.0.0.1:4434; Kratos is ready' });
  });

  it('fails with the migrate command for the files Kratos runs with when Kratos says migrations are pending', () => {
    const command = 'kratos migrate sql -e --yes -c /etc/kratos/kratos.yml -c /etc/kratos/site.yml';
    expect(checkKratosMigrations(notReady(PENDING), where)).toEqual({
      id: 'kratos.migrations',
      verdict: 'fail',
      detail: `not applied: Kratos says "${PENDING}"`,
      fix: `back up the database, then run \`${command}\` with Kratos' DSN`,
    });
    expect(checkKratosAdmin(notReady(PENDING), where)).toMatchObject({ verdict: 'fail', detail: `Kratos is not ready: ${PENDING}`, fix: expect.stringContaining(command) });
    expect(migrateCommand([])).toBe('kratos migrate sql -e --yes -c <Kratos config files>');
  });

  it('cannot tell when Kratos does not answer or is not ready for another reason', () => {
    const down = checkKratosMigrations({ answered: false, error: 'ECONNREFUSED' }, where);
    expect(down).toMatchObject({ verdict: 'warn', detail: "unknown: Kratos' admin API does not answer at http://127.0.0.1:4434 (ECONNREFUSED)" });
    expect(down.fix).toMatch(/Unable to determine network, retrying.*kratos migrate sql -e --yes -c \/etc\/kratos\/kratos\.yml/);
    expect(checkKratosAdmin({ answered: false, error: 'ECONNREFUSED' }, where)).toMatchObject({ verdict: 'fail', fix: expect.stringMatching(/SSOHUB_KRATOS_ADMIN_URL/) });
    const dbDown = 'dial tcp 10.0.0.5:5432: connect: connection refused';
    expect(checkKratosMigrations(notReady(dbDown), where)).toMatchObject({ verdict: 'warn', detail: `unknown: Kratos is not ready for another reason (${dbDown})` });
    expect(checkKratosAdmin(notReady(dbDown), where)).toMatchObject({ verdict: 'fail', fix: expect.stringMatching(/database in Kratos' DSN/) });
  });
});
