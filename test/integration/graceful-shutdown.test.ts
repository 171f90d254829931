import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FROM_SOURCE, freePort, type RunningKratos, type SmtpCapture, startKratos, startSmtpCapture, uniquePrefix, waitFor } from '@ssohub/testkit';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// The hub as operators run it (server.ts, and cluster.ts with workers), stopped with SIGTERM while
// a client keeps kept-alive connections busy: docs/runbook.md, "Stopping a hub".
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRIES = { server: join(ROOT, 'packages/hub/src/server.ts'), cluster: join(ROOT, 'packages/hub/src/cluster.ts') };

interface RunningHub {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; at: number }>;
  stop(): Promise<number | null>;
}

/** The environment of a development hub on `port` with this suite's Kratos and Redis. */
async function hubEnv(kratos: RunningKratos, port: number, env: Record<string, string>): Promise<Record<string, string | undefined>> {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SSOHUB_MODE: 'development',
    SSOHUB_PUBLIC_URL: `http://127.0.0.1:${port}`,
    SSOHUB_LISTEN_HOST: '127.0.0.1',
    SSOHUB_LISTEN_PORT: String(port),
    SSOHUB_ADMIN_PORT: String(await freePort()),
    SSOHUB_KRATOS_PUBLIC_URL: kratos.publicUrl,
    SSOHUB_KRATOS_ADMIN_URL: kratos.adminUrl,
    SSOHUB_REDIS_URL: inject('redisUrl'),
    SSOHUB_REDIS_PREFIX: uniquePrefix('shutdown'),
    SSOHUB_LOG_LEVEL: 'info',
    ...env,
  };
}

async function startHub(entry: keyof typeof ENTRIES, kratos: RunningKratos, port: number, env: Record<string, string>): Promise<RunningHub> {
  const child = spawn(process.execPath, ['--import', FROM_SOURCE, ENTRIES[entry]], { env: await hubEnv(kratos, port, env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; at: number }>((r) => child.once('exit', (code) => r({ code, at: Date.now() })));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`the hub (${entry}) on ${url}`, async () => {
    if (child.exitCode !== null) throw new Error(`the hub exited (${child.exitCode}):\n${out}`);
    return (await fetch(`${url}/health/ready`).catch(() => undefined))?.status === 200 ? true : undefined;
  });
  return {
    child,
    url,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return (await exited).code;
    },
  };
}

interface Outcome {
  startedAt: number;
  path: string;
  status?: number;
  connection?: string;
  error?: string;
}

// Paths served by Fastify itself and by the mounted provider (which writes to the Node response).
const PATHS = ['/health/alive', '/oidc/.well-known/openid-configuration', '/oidc/jwks'];

/**
 * `loops` clients, each sending one request after another on kept-alive connections, at most
 * `max` requests each, until `stop()` says so (or `until`). Like a reverse proxy, which keeps
 * sending to an instance until its health check sees readiness fail (Caddy: health_interval),
 * and then sends new requests elsewhere.
 */
async function steadyLoad(url: string, loops: number, max: number, until: number, stop: () => boolean): Promise<Outcome[]> {
  const agent = new Agent({ connections: loops, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      for (let i = 0; i < max && Date.now() < until && !stop(); i++) {
        const path = PATHS[(i + loop) % PATHS.length]!;
        const outcome: Outcome = { startedAt: Date.now(), path };
        outcomes.push(outcome);
        try {
          const res = await request(`${url}${path}`, { dispatcher: agent, headersTimeout: 10_000, bodyTimeout: 10_000 });
          await res.body.text();
          outcome.status = res.statusCode;
          outcome.connection = String(res.headers.connection ?? '');
        } catch (err) {
          const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
          outcome.error = e.code === 'ECONNREFUSED' || e.cause?.code === 'ECONNREFUSED' ? 'ECONNREFUSED' : `${e.code ?? ''} ${e.message}`;
          if (outcome.error === 'ECONNREFUSED') return;
        }
      }
    }),
  );
  await agent.close().catch(() => {});
  return outcomes;
}

interface Probe {
  at: number;
  status: number;
  body: string;
}

/** Polls readiness like a proxy's active health check, and records what it answered when. */
function pollReadiness(url: string, until: () => boolean, onProbe: (probe: Probe) => void): Promise<Probe[]> {
  return (async () => {
    const seen: Probe[] = [];
    for (let i = 0; i < 400 && !until(); i++) {
      const res = await fetch(`${url}/health/ready`, { headers: { connection: 'close' }, signal: AbortSignal.timeout(3_000) }).catch(() => undefined);
      if (res) {
        const probe = { at: Date.now(), status: res.status, body: await res.text() };
        seen.push(probe);
        onProbe(probe);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return seen;
  })();
}

describe('graceful shutdown of the hub process', () => {
  let smtp: SmtpCapture;
  let kratos: RunningKratos;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    kratos = await startKratos({ smtpPort: smtp.port, dev: true });
  });
  afterAll(async () => {
    await kratos?.stop();
    await smtp?.stop();
  });

  for (const [entry, env] of [
    ['server', {}],
    ['cluster', { SSOHUB_WORKERS: '2' }],
  ] as const) {
    it(`${entry}.ts${entry === 'cluster' ? ' (two workers)' : ''}: SIGTERM under keep-alive load turns readiness 503, serves every request that arrives, tells clients to close, and exits 0`, async () => {
      const drainMs = 1_500;
      const timeoutMs = 8_000;
      const hub = await startHub(entry, kratos, await freePort(), { ...env, SSOHUB_SHUTDOWN_DRAIN_MS: String(drainMs), SSOHUB_SHUTDOWN_TIMEOUT_MS: String(timeoutMs) });
      try {
        let done = false;
        let flippedAt: number | undefined;
        const readiness = pollReadiness(hub.url, () => done, (probe) => {
          if (probe.status !== 200) flippedAt ??= probe.at;
        });
        // The client notices the 503 half a drain late, as a proxy between two health checks does;
        // until then it keeps sending on the hub, on kept-alive and on new connections.
        const noticeMs = drainMs / 2;
        const load = steadyLoad(hub.url, 6, 5_000, Date.now() + 20_000, () => flippedAt !== undefined && Date.now() > flippedAt + noticeMs);
        await new Promise((r) => setTimeout(r, 700));
        const signalledAt = Date.now();
        hub.child.kill('SIGTERM');
        const exit = await Promise.race([hub.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), timeoutMs + 4_000))]);
        const outcomes = await load;
        done = true;
        const probes = await readiness;

        // No reset, no refused connection, no bare 503: every request was served.
        const failed = outcomes.filter((o) => o.error !== undefined || o.status !== 200);
        expect(failed.map(({ path, status, error }) => ({ path, status, error })).slice(0, 5), `${failed.length} of ${outcomes.length} failed`).toEqual([]);

        // The process stopped by itself, cleanly, after the drain and within the deadline.
        expect(exit, hub.output()).toBeDefined();
        expect(exit!.code, hub.output()).toBe(0);
        expect(exit!.at - signalledAt).toBeGreaterThanOrEqual(drainMs);
        expect(exit!.at - signalledAt).toBeLessThan(timeoutMs);
        expect(hub.output()).toMatch(/shutting down: readiness answers 503, draining/);

        // Readiness turned 503 before the listener closed, so a proxy had time to look elsewhere.
        const flip = probes.find((p) => p.status !== 200);
        expect(flip, JSON.stringify(probes.slice(-5))).toMatchObject({ status: 503, body: '{"status":"shutting-down"}' });
        expect(probes.filter((p) => p.at > flip!.at).every((p) => p.status === 503)).toBe(true);

        // During the drain requests kept being served, each told to close its connection.
        const afterFlip = outcomes.filter((o) => o.startedAt > flip!.at && o.status === 200);
        expect(afterFlip.length).toBeGreaterThan(10);
        expect(afterFlip.filter((o) => o.connection !== 'close')).toEqual([]);
        expect(outcomes.filter((o) => o.startedAt < signalledAt && o.status === 200).length).toBeGreaterThan(10);
      } finally {
        await hub.stop();
      }
    });
  }

  for (const [entry, env] of [
    ['server', {}],
    ['cluster', { SSOHUB_WORKERS: '2' }],
  ] as const) {
    it(`${entry}.ts${entry === 'cluster' ? ' (two workers)' : ''}: a shutdown that passes shutdown.timeoutMs exits 1 and says so`, async () => {
      const hub = await startHub(entry, kratos, await freePort(), { ...env, SSOHUB_SHUTDOWN_DRAIN_MS: '0', SSOHUB_SHUTDOWN_TIMEOUT_MS: '1500' });
      // A client that never finishes its request headers keeps its connection, so closing waits.
      const sockets = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const socket = connect(Number(new URL(hub.url).port), '127.0.0.1');
          socket.on('error', () => {});
          await new Promise((r) => socket.once('connect', r));
          socket.write('GET /health/alive HTTP/1.1\r\nHost: 127.0.0.1\r\n');
          return socket;
        }),
      );
      try {
        await new Promise((r) => setTimeout(r, 300));
        const signalledAt = Date.now();
        hub.child.kill('SIGTERM');
        const exit = await Promise.race([hub.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 6_000))]);
        expect(exit, hub.output()).toBeDefined();
        expect(exit!.code).toBe(1);
        expect(exit!.at - signalledAt).toBeGreaterThanOrEqual(1_400);
        expect(hub.output()).toMatch(/"timeoutMs":1500.*hub did not shut down within shutdown.timeoutMs; exiting with status 1/);
      } finally {
        for (const socket of sockets) socket.destroy();
        await hub.stop();
      }
    });
  }

  it('cluster.ts (two workers): a SIGTERM while the workers are still starting stops them and exits 0', async () => {
    // A rollout may stop a pod whose workers are still loading: they have served nothing, so the
    // stop is clean (a worker installs its graceful shutdown once it serves, and dies of the
    // SIGTERM before that).
    const port = await freePort();
    // Not startHub: it waits for readiness, which this test must not.
    const child = spawn(process.execPath, ['--import', FROM_SOURCE, ENTRIES.cluster], {
      env: await hubEnv(kratos, port, { SSOHUB_WORKERS: '2' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor('the primary to fork its workers', async () => (out.includes('hub cluster started') ? true : undefined));
      // The workers import the whole hub from its sources: far longer than this.
      expect(out).not.toMatch(/Server listening/);
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
      expect(code, out).toBe(0);
      expect(out.match(/hub worker stopped before it served/g)?.length, out).toBe(2);
      expect(out).not.toMatch(/starting a new one/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('/health/ready answers 503 naming Redis within 2 s while Redis is frozen, and 200 again once it thaws', async () => {
    const redisPort = await freePort();
    const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await new Promise((resolve, reject) => {
      redis.once('spawn', resolve);
      redis.once('error', reject);
    });
    let hub: RunningHub | undefined;
    try {
      const running = await startHub('server', kratos, await freePort(), { SSOHUB_REDIS_URL: `redis://127.0.0.1:${redisPort}` });
      hub = running;
      redis.kill('SIGSTOP');
      for (let i = 0; i < 2; i++) {
        const startedAt = Date.now();
        const res = await fetch(`${running.url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
        const elapsed = Date.now() - startedAt;
        const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> };
        expect(res.status).toBe(503);
        expect(elapsed).toBeLessThan(2_000);
        expect(body.status).toBe('unavailable');
        expect(body.checks.store).toMatchObject({ ok: false, error: 'Redis did not answer within 1000 ms' });
        expect(body.checks.kratosPublic).toEqual({ ok: true });
        expect(body.checks.kratosAdmin).toEqual({ ok: true });
      }
      // Liveness does not depend on Redis: a frozen Redis must not get the hub restarted.
      expect((await fetch(`${running.url}/health/alive`, { signal: AbortSignal.timeout(2_000) })).status).toBe(200);
      redis.kill('SIGCONT');
      await waitFor('readiness after Redis thaws', async () => ((await fetch(`${running.url}/health/ready`)).status === 200 ? true : undefined), { timeoutMs: 10_000 });
    } finally {
      redis.kill('SIGCONT');
      await hub?.stop();
      redis.kill('SIGKILL');
    }
  });
});
