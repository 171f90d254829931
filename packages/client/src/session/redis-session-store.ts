import type { Redis } from 'ioredis';
import type { SessionRecord } from './session-record.ts';
import type { SessionStore } from './session-store.ts';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /** An ioredis client (standalone, Sentinel or Cluster). The store never closes it. */
  redis: Redis;
  /** The client app whose sessions this store holds; part of every key. */
  clientId: string;
  /**
   * The start of every key, before the client id. Default `ssohub:client:`, so keys read
   * `ssohub:client:<clientId>:session:<id>`. Tests use a unique prefix each.
   */
  keyPrefix?: string;
}

// Writes the session and both indexes in one step, so back-channel logout can never miss a
// session that exists. Index sets live as long as their longest-lived member.
// ARGV: record JSON, session TTL, session id, index TTL (until the absolute end, because reads
// extend the session key's TTL without touching the indexes), onlyIfExists flag.
const SET_SCRIPT = `
if ARGV[5] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[3])
  if redis.call('TTL', KEYS[i]) < tonumber(ARGV[4]) then redis.call('EXPIRE', KEYS[i], ARGV[4]) end
end
return 1`;

// Reads the record to learn its index keys, then removes all three at once.
const DESTROY_SCRIPT = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local record = cjson.decode(raw)
redis.call('DEL', KEYS[1])
if type(record.sid) == 'string' then redis.call('SREM', ARGV[1] .. 'sid:' .. record.sid, ARGV[2]) end
if type(record.claims) == 'table' and type(record.claims.sub) == 'string' then
  redis.call('SREM', ARGV[1] .. 'sub:' .. record.claims.sub, ARGV[2])
end
return 1`;

// Lists an index and prunes members whose session already expired.
const MEMBERS_SCRIPT = `
local live = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'session:' .. id) == 1 then table.insert(live, id)
  else redis.call('SREM', KEYS[1], id) end
end
return live`;

/**
 * RedisSessionStore keeps the sessions of one client app in Redis (ioredis), each key under
 * `ssohub:client:<clientId>:` and with a TTL, so several app instances share sessions and
 * nothing outlives its session.
 *
 * Keys: `session:<id>` (JSON record), `sid:<sid>` and `sub:<sub>` (sets of session ids),
 * `claim:<key>` (one-shot markers).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * const store = new RedisSessionStore({ redis: new Redis(process.env.REDIS_URL!), clientId: 'app-a' });
 * ```
 */
export class RedisSessionStore implements SessionStore {
  readonly clientId: string;
  readonly description: string;
  readonly volatile = false;
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(options: RedisSessionStoreOptions) {
    if (!options?.redis || typeof options.redis.eval !== 'function') {
      throw new TypeError('RedisSessionStoreOptions.redis must be an ioredis client');
    }
    if (typeof options.clientId !== 'string' || options.clientId === '') {
      throw new TypeError('RedisSessionStoreOptions.clientId must be a non-empty string');
    }
    this.clientId = options.clientId;
    this.#redis = options.redis;
    this.#prefix = `${options.keyPrefix ?? 'ssohub:client:'}${options.clientId}:`;
    const { host, port, db } = options.redis.options ?? {};
    // Host, port and db only: the URL's password must never reach a log line.
    this.description = `redis: ${host ?? '?'}:${port ?? '?'}/${db ?? 0} keys ${this.#prefix}*`;
  }

  async get(id: string, touchTtl?: number): Promise<SessionRecord | undefined> {
    const key = this.#key('session', id);
    const raw = touchTtl === undefined ? await this.#redis.get(key) : await this.#redis.getex(key, 'EX', Math.max(1, Math.ceil(touchTtl)));
    return raw === null ? undefined : (JSON.parse(raw) as SessionRecord);
  }

  async set(record: SessionRecord, ttlSeconds: number, options: { onlyIfExists?: boolean } = {}): Promise<boolean> {
    const keys = [this.#key('session', record.id)];
    if (record.sid) keys.push(this.#key('sid', record.sid));
    keys.push(this.#key('sub', record.claims.sub));
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    const indexTtl = Math.max(ttl, Math.ceil(record.expiresAt - Date.now() / 1000));
    const written = await this.#redis.eval(SET_SCRIPT, keys.length, ...keys, JSON.stringify(record), ttl, record.id, indexTtl, options.onlyIfExists ? '1' : '0');
    return written === 1;
  }

  async destroy(id: string): Promise<void> {
    await this.#redis.eval(DESTROY_SCRIPT, 1, this.#key('session', id), this.#prefix, id);
  }

  async findBySid(sid: string): Promise<string[]> {
    return (await this.#redis.eval(MEMBERS_SCRIPT, 1, this.#key('sid', sid), this.#prefix)) as string[];
  }

  async findBySub(sub: string): Promise<string[]> {
    return (await this.#redis.eval(MEMBERS_SCRIPT, 1, this.#key('sub', sub), this.#prefix)) as string[];
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const ok = await this.#redis.set(this.#key('claim', key), '1', 'EX', Math.max(1, Math.ceil(ttlSeconds)), 'NX');
    return ok === 'OK';
  }

  async release(key: string): Promise<void> {
    await this.#redis.del(this.#key('claim', key));
  }

  #key(kind: 'session' | 'sid' | 'sub' | 'claim', id: string): string {
    return `${this.#prefix}${kind}:${id}`;
  }
}
