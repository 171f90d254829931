import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitFor } from '@ssohub/testkit';
import { type NativeProcess, startProcess } from '../deploy/support/native-process.ts';
import type { ChaosRedis } from './stack.ts';

/**
 * One redis-server with AOF (fsync every second), as compose runs it: killing it loses at most
 * the last second of writes, and a restart replays the log.
 */
export async function startPersistentRedis(): Promise<ChaosRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-chaos-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];
  let server: NativeProcess = startProcess('redis', 'redis-server', args, {});
  const url = `redis://127.0.0.1:${port}`;
  const ready = async () => {
    await waitFor('redis', async () => {
      const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => {});
      try {
        await c.connect();
        return (await c.ping()) === 'PONG' ? true : undefined;
      } finally {
        c.disconnect();
      }
    }, { timeoutMs: 10_000 });
  };
  await ready();
  return {
    hubEnv: { SSOHUB_REDIS_URL: url, SSOHUB_REDIS_PREFIX: '{ssohub}:' },
    description: `redis-server with AOF on 127.0.0.1:${port}`,
    async killPrimary() {
      server.child.kill('SIGKILL');
    },
    async freeze() {
      server.child.kill('SIGSTOP');
    },
    async thaw() {
      server.child.kill('SIGCONT');
    },
    async heal() {
      if (server.child.exitCode === null && server.child.signalCode === null) return;
      server = startProcess('redis', 'redis-server', args, {});
      await ready();
    },
    async stop() {
      server.child.kill('SIGCONT');
      await server.stop(2_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The Redis the chaos suite runs the hubs on. */
export const startChaosRedis = startPersistentRedis;
