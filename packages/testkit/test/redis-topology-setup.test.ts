import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { SetupError, startRedisCluster, startRedisSentinel } from '../src/index.ts';

const path = process.env.PATH;
afterEach(() => {
  process.env.PATH = path;
});

const redisDirs = async () => (await readdir(tmpdir())).filter((d) => d.startsWith('ssohub-redis-'));

describe('Redis topologies without the Redis binaries', () => {
  it.each([
    ['Sentinel', startRedisSentinel],
    ['Cluster', startRedisCluster],
  ])('%s: says what to install and leaves no temp dir behind', async (_, start) => {
    const before = await redisDirs();
    process.env.PATH = '/nonexistent';
    const err = await start().catch((e: unknown) => e);
    process.env.PATH = path;
    expect(err).toBeInstanceOf(SetupError);
    expect((err as Error).message).toMatch(/`redis-server` could not be started .*apt-get install -y redis-server/);
    expect((await redisDirs()).filter((d) => !before.includes(d))).toEqual([]);
  });
});
