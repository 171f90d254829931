import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { childrenOf, FROM_SOURCE, freePort, type RunningKratos, type SmtpCapture, startKratos, startSmtpCapture, uniquePrefix, waitFor } from '@ssohub/testkit';

// packages/hub/src/cluster.ts as operators run it: a real process, real Kratos and Redis.
const CLUSTER = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'packages/hub/src/cluster.ts');

const ADMIN_TOKEN = 'cluster-test-admin-token-0123456789';
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

interface RunningHub {
  child: ChildProcess;
  url: string;
  adminUrl: string;
  output: () => string;
  stop(): Promise<number | null>;
}

async function startCluster(kratos: RunningKratos, hubUrl: string, port: number, workers: number, extraEnv: Record<string, string> = {}): Promise<RunningHub> {
  const adminPort = await freePort();
  const child = spawn(process.execPath, ['--import', FROM_SOURCE, CLUSTER], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SSOHUB_WORKERS: String(workers),
      SSOHUB_MODE: 'development',
      SSOHUB_PUBLIC_URL: hubUrl,
      SSOHUB_LISTEN_HOST: '127.0.0.1',
      SSOHUB_LISTEN_PORT: String(port),
      SSOHUB_ADMIN_PORT: String(adminPort),
      SSOHUB_ADMIN_TOKEN: ADMIN_TOKEN,
      SSOHUB_KRATOS_PUBLIC_URL: kratos.publicUrl,
      SSOHUB_KRATOS_ADMIN_URL: kratos.adminUrl,
      SSOHUB_REDIS_URL: inject('redisUrl'),
      SSOHUB_REDIS_PREFIX: uniquePrefix('cluster'),
      SSOHUB_LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`the hub (SSOHUB_WORKERS=${workers}) on ${url}`, async () => {
    if (child.exitCode !== null) throw new Error(`the hub exited (${child.exitCode}):\n${out}`);
    return (await fetch(`${url}/health/ready`).catch(() => undefined))?.status === 200 ? true : undefined;
  });
  return {
    child,
    url,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('the hub as a process: packages/hub/src/cluster.ts', () => {
  let smtp: SmtpCapture;
  let kratos: RunningKratos;
  let port: number;
  let hubUrl: string;
  beforeAll(async () => {
    port = await freePort();
    hubUrl = `http://127.0.0.1:${port}`;
    smtp = await startSmtpCapture();
    kratos = await startKratos({ hubUrl, smtpPort: smtp.port, dev: true });
  });
  afterAll(async () => {
    await kratos?.stop();
    await smtp?.stop();
  });

  it('with SSOHUB_WORKERS=2, forks two workers that serve one port with the same keys, and stops them all on SIGTERM', async () => {
    const hub = await startCluster(kratos, hubUrl, port, 2);
    try {
      await waitFor('two workers', async () => (childrenOf(hub.child.pid!).length === 2 ? true : undefined));
      const workers = childrenOf(hub.child.pid!);
      for (const pid of workers) expect(cmdline(pid)).toEqual(expect.arrayContaining(['--max-old-space-size=128', '--max-semi-space-size=8']));
      // Workers only agree on issued tokens if they sign with one key set: the primary generated
      // it (development mode, no keys configured) and said so.
      const jwks = new Set<string>();
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${hub.url}/oidc/jwks`, { headers: { connection: 'close' } });
        expect(res.status).toBe(200);
        jwks.add(await res.text());
      }
      expect(jwks.size).toBe(1);
      expect(hub.output()).toMatch(/cluster primary generated ephemeral keys shared by its workers/);
      // The admin listener runs in one worker only, and it answers. That worker may still be
      // starting when the other one already serves the public port (the readiness probe above).
      const clients = await waitFor('the admin listener of worker 1', async () =>
        fetch(`${hub.adminUrl}/admin/clients`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).catch(() => undefined),
      );
      expect(clients.status).toBe(200);
      expect(await hub.stop()).toBe(0);
      for (const pid of workers) expect(() => readFileSync(`/proc/${pid}/stat`)).toThrow();
    } finally {
      await hub.stop();
    }
  });

  it('with SSOHUB_WORKERS=1, serves from the started process itself (no primary), with the heap capped', async () => {
    const hub = await startCluster(kratos, hubUrl, port, 1);
    try {
      expect(childrenOf(hub.child.pid!)).toEqual([]);
      expect(cmdline(hub.child.pid!)).toEqual(expect.arrayContaining(['--max-old-space-size=128', '--max-semi-space-size=8', CLUSTER]));
      const discovery = (await (await fetch(`${hub.url}/oidc/.well-known/openid-configuration`)).json()) as { issuer: string };
      expect(discovery.issuer).toBe(`${hubUrl}/oidc`);
      expect(hub.output()).not.toMatch(/hub cluster started/);
      expect((await fetch(`${hub.adminUrl}/admin/clients`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
      expect(await hub.stop()).toBe(0);
    } finally {
      await hub.stop();
    }
  });
  it('keeps a heap size the operator chose in NODE_OPTIONS, in either spelling', async () => {
    const hub = await startCluster(kratos, hubUrl, port, 1, { NODE_OPTIONS: '--max_old_space_size=200' });
    try {
      const args = cmdline(hub.child.pid!);
      expect(args).toContain('--max-semi-space-size=8');
      expect(args.some((a) => a.startsWith('--max-old-space-size'))).toBe(false);
      expect(await hub.stop()).toBe(0);
    } finally {
      await hub.stop();
    }
  });
});
