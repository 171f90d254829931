import { describe, expect, it } from 'vitest';
import { ReplyError } from 'ioredis';
import { isStoreUnavailable, StoreUnavailableError } from './store-unavailable.ts';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('isStoreUnavailable', () => {
  it.each([
    ['command timeout', new Error('Command timed out')],
    ['closed connection', new Error('Connection is closed.')],
    ['connect timeout', withCode('connect ETIMEDOUT', 'ETIMEDOUT')],
    ['refused connection', withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')],
    ['max retries', Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' })],
    ['no sentinel', new Error('All sentinels are unreachable. Retrying from scratch after 10ms.')],
    ['no cluster node', new Error('None of startup nodes is available')],
    ['slots cache', Object.assign(new Error('Failed to refresh slots cache.'), { name: 'ClusterAllFailedError' })],
    ['cluster down reply', new ReplyError('CLUSTERDOWN The cluster is down')],
    ['read-only replica after failover', new ReplyError("READONLY You can't write against a read only replica.")],
    ['loading', new ReplyError('LOADING Redis is loading the dataset in memory')],
    ['the hub’s own', new StoreUnavailableError('store down')],
    ['wrapped in cause', new Error('while saving the session', { cause: new Error('Command timed out') })],
    ['inside an AggregateError', new AggregateError([withCode('connect ECONNREFUSED ::1:6379', 'ECONNREFUSED')], 'connect failed')],
  ])('recognises %s', (_, err) => {
    expect(isStoreUnavailable(err)).toBe(true);
  });

  it.each([
    ['a script error', new ReplyError('ERR Error running script')],
    ['a wrong type', new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a fetch to Kratos that was refused', new TypeError('fetch failed', { cause: withCode('connect ECONNREFUSED 127.0.0.1:4433', 'ECONNREFUSED') })],
    ['not an error', 'Command timed out'],
    ['null', null],
  ])('does not count %s', (_, err) => {
    expect(isStoreUnavailable(err)).toBe(false);
  });

  it('stops on a cyclic cause', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isStoreUnavailable(a)).toBe(false);
  });
});
