import { describe, expect, it } from 'vitest';
import { problemsOf } from '../../test/helpers/problems-of.ts';
import { checkConfig } from './check-config.ts';
import { loadConfig } from './load-config.ts';

const base = { SSOHUB_PUBLIC_URL: 'https://login.example.com' };
const check = (store: Record<string, unknown>) => checkConfig({ publicUrl: 'https://login.example.com', store }, { only: ['store'] });

describe('store configuration: topologies and timeouts', () => {
  it('gives a standalone Redis timeouts by default', () => {
    const config = loadConfig({ ...base, SSOHUB_REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.store).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379',
      prefix: 'ssohub:',
      sentinels: [],
      sentinelName: '',
      sentinelPassword: undefined,
      cluster: [],
      commandTimeoutMs: 1500,
      connectTimeoutMs: 3000,
    });
  });

  it('reads Sentinel from variables, with credentials from the URL and timeouts as numbers', () => {
    const config = loadConfig({
      ...base,
      SSOHUB_REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379,10.0.0.3:26379',
      SSOHUB_REDIS_SENTINEL_NAME: 'mymaster',
      SSOHUB_REDIS_URL: 'redis://:pw@ignored/2',
      SSOHUB_REDIS_COMMAND_TIMEOUT_MS: '1000',
      SSOHUB_REDIS_CONNECT_TIMEOUT_MS: '2000',
    });
    expect(config.store).toMatchObject({
      kind: 'redis',
      sentinels: ['10.0.0.1:26379', '10.0.0.2:26379', '10.0.0.3:26379'],
      sentinelName: 'mymaster',
      url: 'redis://:pw@ignored/2',
      commandTimeoutMs: 1000,
      connectTimeoutMs: 2000,
    });
  });

  it('makes SSOHUB_REDIS_CLUSTER_NODES alone select Redis, with a hash-tagged prefix by default', () => {
    const config = loadConfig({ ...base, SSOHUB_REDIS_CLUSTER_NODES: 'redis://10.0.0.1:7000,10.0.0.2:7000' });
    expect(config.store).toMatchObject({ kind: 'redis', url: '', cluster: ['redis://10.0.0.1:7000', '10.0.0.2:7000'], prefix: '{ssohub}:' });
  });

  it('requires a hash-tagged prefix with Cluster and says why', () => {
    const problems = problemsOf(() => loadConfig({ ...base, SSOHUB_REDIS_CLUSTER_NODES: '10.0.0.1:7000', SSOHUB_REDIS_PREFIX: 'ssohub:' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^store\.prefix \(SSOHUB_REDIS_PREFIX\) must contain a hash tag with Redis Cluster, e.g. "\{ssohub\}:".*Lua scripts/);
    for (const bad of ['{}ssohub:', 'ssohub{:', 'ssohub}:{']) {
      expect(problemsOf(() => check({ kind: 'redis', cluster: ['10.0.0.1:7000'], prefix: bad }))[0]).toMatch(/^store\.prefix must contain a hash tag/);
    }
    expect(check({ kind: 'redis', cluster: ['10.0.0.1:7000'], prefix: 'app:{ssohub}:' }).store).toMatchObject({ prefix: 'app:{ssohub}:' });
  });

  it('names each bad option', () => {
    expect(problemsOf(() => loadConfig({ ...base, SSOHUB_REDIS_SENTINELS: '10.0.0.1' }))).toEqual([
      'store.sentinels[0] (SSOHUB_REDIS_SENTINELS) must be host:port of a Sentinel, e.g. 10.0.0.5:26379 (got "10.0.0.1")',
      'store.sentinelName (SSOHUB_REDIS_SENTINEL_NAME) is required with store.sentinels: the name Sentinel monitors the primary under (sentinel monitor <name> …), e.g. mymaster',
    ]);
    expect(problemsOf(() => check({ kind: 'redis', sentinels: ['a:1'], sentinelName: 'm', cluster: ['b:2'] }))).toEqual([
      'store.cluster cannot be combined with store.sentinels: Redis is either a Cluster or a primary found through Sentinel',
    ]);
    expect(problemsOf(() => check({ kind: 'redis', url: 'redis://h:1', sentinelName: 'm' }))).toEqual([
      'store.sentinelName is set but store.sentinels is empty: give the Sentinel addresses too',
    ]);
    expect(problemsOf(() => check({ kind: 'redis', cluster: ['http://h:1'] }))[0]).toMatch(/^store\.cluster\[0\] must be host:port or redis:\/\/host:port/);
    expect(problemsOf(() => check({ kind: 'redis' }))).toEqual(['store.url must be a non-empty string (got nothing)']);
    expect(problemsOf(() => loadConfig({ ...base, SSOHUB_REDIS_URL: 'redis://h:1', SSOHUB_REDIS_COMMAND_TIMEOUT_MS: '0' }))).toEqual([
      'store.commandTimeoutMs (SSOHUB_REDIS_COMMAND_TIMEOUT_MS) must be an integer >= 50 and <= 60000 (got 0)',
    ]);
    expect(problemsOf(() => loadConfig({ ...base, SSOHUB_REDIS_URL: 'redis://h:1', SSOHUB_REDIS_CONNECT_TIMEOUT_MS: 'soon' }))).toEqual([
      'store.connectTimeoutMs (SSOHUB_REDIS_CONNECT_TIMEOUT_MS) must be an integer >= 100 and <= 60000 (got "soon")',
    ]);
  });

  it('refuses Redis options beside the memory store, naming each, instead of ignoring them', () => {
    const why = 'is a Redis option but store.kind is "memory", which would ignore it: set store.kind to "redis" to use Redis, or remove';
    expect(problemsOf(() => check({ kind: 'memory', url: 'redis://cache:6379', prefix: 'acme:' }))).toEqual([
      `store.url ${why} store.url`,
      `store.prefix ${why} store.prefix`,
    ]);
    expect(problemsOf(() => check({ kind: 'memory', sentinels: ['10.0.0.1:26379'], sentinelName: 'mymaster', commandTimeoutMs: 1000 }))).toEqual([
      `store.sentinels ${why} store.sentinels`,
      `store.sentinelName ${why} store.sentinelName`,
      `store.commandTimeoutMs ${why} store.commandTimeoutMs`,
    ]);
    // From the environment too, with the variable that set each option.
    expect(problemsOf(() => loadConfig({ ...base, SSOHUB_STORE: 'memory', SSOHUB_REDIS_URL: 'redis://cache:6379' }))).toEqual([
      `store.url (SSOHUB_REDIS_URL) ${why} store.url`,
    ]);
    expect(problemsOf(() => loadConfig({ ...base, SSOHUB_REDIS_PREFIX: 'acme:' }))).toEqual([`store.prefix (SSOHUB_REDIS_PREFIX) ${why} store.prefix`]);
    // In the file, only store.kind selects Redis.
    expect(problemsOf(() => check({ url: 'redis://cache:6379' }))).toEqual([`store.url ${why} store.url`]);
    // Absent (or null, as for any option) is not set.
    expect(check({ kind: 'memory', url: null, cluster: undefined }).store).toEqual({ kind: 'memory' });
    expect(loadConfig({ ...base, SSOHUB_STORE: 'memory', SSOHUB_REDIS_URL: '' }).store).toEqual({ kind: 'memory' });
  });

  it('still reads the Redis options once store.kind is "redis", and needs its location', () => {
    expect(check({ kind: 'redis', url: 'redis://cache:6379', prefix: 'acme:' }).store).toMatchObject({ kind: 'redis', prefix: 'acme:' });
    expect(problemsOf(() => loadConfig({ ...base, SSOHUB_STORE: 'redis' }))).toEqual(['store.url (SSOHUB_REDIS_URL) must be a non-empty string (got nothing)']);
  });
});
