/**
 * Owns the provider's models in Redis: the keys each artefact is stored under and the scripts
 * that change them. Every hub instance sees the same state, which is what lets one instance
 * issue a code and another redeem it.
 */
import type { StoreClient } from '../../storage/redis-client.ts';
import { RedisScript } from '../../storage/redis-script.ts';
import { StoreUnavailableError } from '../../storage/store-unavailable.ts';
import { ACCOUNT_INDEXED_MODEL, type AdapterPayload, CLIENT_INDEXED_MODEL, COUNTED_MODELS, epochNow, type ModelStore } from './model-store.ts';

// Marks an artefact consumed only if it still exists, so a late consume never resurrects an
// expired code as a key without a TTL; and only before ARGV[2] (ms since the epoch, 0: no
// deadline), the moment the hub stops waiting for the answer. A consume Redis runs later (it was
// frozen, or a client re-sent it after a failover) belongs to a request the hub has already
// answered 503: the app still holds the code or refresh token, which must stay usable, or its
// retry would read as a replay and revoke the grant. Returns 1 when consumed, -1 when too late.
export const CONSUME_SCRIPT = `
local deadline = tonumber(ARGV[2])
if deadline > 0 then
  local t = redis.call('time')
  if tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) > deadline then return -1 end
end
if redis.call('exists', KEYS[1]) == 1 then redis.call('hset', KEYS[1], 'consumed', ARGV[1]) end
return 1`;

// One round trip and one reply per artefact instead of a MULTI of up to seven commands: this is
// on every authorization, code and token (docs/benchmarks.md). KEYS: the artefact, then the grant
// index, uid, userCode, client index, account index and live index keys that apply (ARGV[3..5],
// ARGV[8], ARGV[10] and ARGV[11] say which). ARGV: payload, ttl (0 = none), has grant, has uid,
// has userCode, id, default grant-index ttl, has client, now (epoch seconds), has account, is
// counted. The client and account indexes (Grant only) and the live index (COUNTED_MODELS) are
// sorted sets of ids scored by their expiry: each upsert drops the members already expired, so a
// client signing users in for months keeps a set no larger than its live grants. A client or
// account index lives as long as its longest-lived grant (one key per owner: an idle owner's must
// go); the live index is one key for the whole model, pruned at each save, and needs no TTL. The
// live index is what the sessions gauge counts (countLive): kept here, in the script every session
// save runs anyway, it costs two commands and no round trip, and cannot drift from the artefacts.
export const UPSERT_SCRIPT = `
local key = KEYS[1]
local ttl = tonumber(ARGV[2])
redis.call('del', key)
redis.call('hset', key, 'payload', ARGV[1])
if ttl > 0 then redis.call('expire', key, ttl) end
local i = 2
if ARGV[3] == '1' then
  redis.call('sadd', KEYS[i], key)
  if ttl > 0 then redis.call('expire', KEYS[i], ttl, 'GT') end
  redis.call('expire', KEYS[i], ttl > 0 and ttl or tonumber(ARGV[7]), 'NX')
  i = i + 1
end
if ARGV[4] == '1' then
  if ttl > 0 then redis.call('set', KEYS[i], ARGV[6], 'EX', ttl) else redis.call('set', KEYS[i], ARGV[6]) end
  i = i + 1
end
if ARGV[5] == '1' then
  if ttl > 0 then redis.call('set', KEYS[i], ARGV[6], 'EX', ttl) else redis.call('set', KEYS[i], ARGV[6]) end
  i = i + 1
end
local function indexByExpiry(index)
  local now = tonumber(ARGV[9])
  redis.call('zadd', index, ttl > 0 and tostring(now + ttl) or '+inf', ARGV[6])
  redis.call('zremrangebyscore', index, '-inf', now)
  if ttl > 0 then
    redis.call('expire', index, ttl, 'GT')
    redis.call('expire', index, ttl, 'NX')
  else
    redis.call('persist', index)
  end
end
if ARGV[8] == '1' then
  indexByExpiry(KEYS[i])
  i = i + 1
end
if ARGV[10] == '1' then
  indexByExpiry(KEYS[i])
  i = i + 1
end
if ARGV[11] == '1' then
  local now = tonumber(ARGV[9])
  redis.call('zadd', KEYS[i], ttl > 0 and tostring(now + ttl) or '+inf', ARGV[6])
  redis.call('zremrangebyscore', KEYS[i], '-inf', now)
end
return 0`;

// An artefact through its uid or userCode index in one round trip instead of GET then HGETALL:
// the session lookup by uid is on every code exchange and refresh (oidc-provider's session
// binding check). KEYS: the index key. ARGV: the model's key base. The artefact's key is built
// here, which Redis Cluster accepts because every hub key shares the prefix's hash tag
// (docs/configuration.md, store.prefix).
export const FIND_BY_INDEX_SCRIPT = `local id = redis.call('get', KEYS[1]) if not id then return false end return redis.call('hgetall', ARGV[1] .. id)`;

// Destroy in one round trip instead of HGETALL then DEL (every resume destroys its interaction,
// every logout its session): the artefact's uid and userCode indexes are found in its payload
// here, and removed only while they still point to this artefact; a grant also leaves its
// client's index (ARGV[3] = '1') and its account's (ARGV[4] = '1'). KEYS: the artefact, then the
// live index for a counted model (ARGV[5] = '1'; left even when the artefact has expired, which the
// index's own expiry score already tells). ARGV: the model's key base, the id, whether the model is
// indexed by client, by account, is counted. Other index keys are built here, as in
// FIND_BY_INDEX_SCRIPT.
const DESTROY_SCRIPT = `
local payload = redis.call('hget', KEYS[1], 'payload')
redis.call('del', KEYS[1])
if ARGV[5] == '1' then redis.call('zrem', KEYS[2], ARGV[2]) end
if not payload then return 0 end
local ok, decoded = pcall(cjson.decode, payload)
if not ok or type(decoded) ~= 'table' then return 0 end
for _, index in ipairs({ 'uid', 'userCode' }) do
  local value = decoded[index]
  if type(value) == 'string' then
    local indexKey = ARGV[1] .. index .. ':' .. value
    if redis.call('get', indexKey) == ARGV[2] then redis.call('del', indexKey) end
  end
end
if ARGV[3] == '1' and type(decoded.clientId) == 'string' then redis.call('zrem', ARGV[1] .. 'client:' .. decoded.clientId, ARGV[2]) end
if ARGV[4] == '1' and type(decoded.accountId) == 'string' then redis.call('zrem', ARGV[1] .. 'account:' .. decoded.accountId, ARGV[2]) end
return 0`;

const UPSERT = new RedisScript(UPSERT_SCRIPT);
const DESTROY = new RedisScript(DESTROY_SCRIPT);
const FIND_BY_INDEX = new RedisScript(FIND_BY_INDEX_SCRIPT);
const CONSUME = new RedisScript(CONSUME_SCRIPT);

/**
 * Stores one provider model in Redis. Keys (all under the hub's store prefix):
 * - `oidc:<Model>:<id>` hash {payload, consumed?}, expiring with the artefact;
 * - `oidc:grant:<grantId>` set of artefact keys issued under a grant, for revokeByGrantId;
 * - `oidc:<Model>:uid:<uid>` and `oidc:<Model>:userCode:<code>` point to the id;
 * - `oidc:Grant:client:<clientId>` sorted set of the client's grant ids, scored by expiry;
 * - `oidc:Grant:account:<accountId>` sorted set of the account's grant ids, scored by expiry;
 * - `oidc:live:<Model>` sorted set of the ids of a counted model (COUNTED_MODELS: `Session`),
 *   scored by expiry, for countLive.
 */
export class RedisModelStore implements ModelStore {
  readonly name: string;
  private readonly redis: StoreClient;
  private readonly base: string;
  private readonly grantBase: string;
  private readonly consumeWithinMs: number | undefined;
  private readonly clientIndexed: boolean;
  private readonly accountIndexed: boolean;
  /** The live index key, for a counted model. */
  private readonly liveKey: string | undefined;

  /**
   * `consumeWithinMs`: how long the hub waits for a Redis command (store.commandTimeoutMs); a
   * consume that reaches Redis later than that after it was issued is not applied (see
   * CONSUME_SCRIPT). Undefined: always applied.
   */
  constructor(name: string, redis: StoreClient, prefix: string, { consumeWithinMs }: { consumeWithinMs?: number } = {}) {
    this.name = name;
    this.redis = redis;
    this.consumeWithinMs = consumeWithinMs;
    this.base = `${prefix}oidc:${name}:`;
    this.grantBase = `${prefix}oidc:grant:`;
    this.clientIndexed = name === CLIENT_INDEXED_MODEL;
    this.accountIndexed = name === ACCOUNT_INDEXED_MODEL;
    // Not under `oidc:<Model>:`, where an artefact id could take the name.
    this.liveKey = COUNTED_MODELS.has(name) ? `${prefix}oidc:live:${name}` : undefined;
  }

  private key(id: string): string {
    return `${this.base}${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    const ttl = expiresIn && expiresIn > 0 ? Math.ceil(expiresIn) : 0;
    const keys = [key];
    if (payload.grantId) keys.push(`${this.grantBase}${payload.grantId}`);
    if (payload.uid) keys.push(`${this.base}uid:${payload.uid}`);
    if (payload.userCode) keys.push(`${this.base}userCode:${payload.userCode}`);
    const byClient = this.clientIndexed && typeof payload.clientId === 'string';
    if (byClient) keys.push(this.clientKey(payload.clientId as string));
    const byAccount = this.accountIndexed && typeof payload.accountId === 'string';
    if (byAccount) keys.push(this.accountKey(payload.accountId as string));
    if (this.liveKey) keys.push(this.liveKey);
    const flag = (v: unknown) => (v ? '1' : '0');
    await UPSERT.run(this.redis, keys, [
      JSON.stringify(payload),
      ttl,
      flag(payload.grantId),
      flag(payload.uid),
      flag(payload.userCode),
      id,
      14 * 24 * 3600,
      flag(byClient),
      epochNow(),
      flag(byAccount),
      flag(this.liveKey),
    ]);
  }

  private clientKey(clientId: string): string {
    return `${this.base}client:${clientId}`;
  }

  async grantsOfClient(clientId: string): Promise<string[]> {
    if (!this.clientIndexed) return [];
    return this.redis.zrangebyscore(this.clientKey(clientId), `(${epochNow()}`, '+inf');
  }

  private accountKey(accountId: string): string {
    return `${this.base}account:${accountId}`;
  }

  async grantsOfAccount(accountId: string): Promise<string[]> {
    if (!this.accountIndexed) return [];
    return this.redis.zrangebyscore(this.accountKey(accountId), `(${epochNow()}`, '+inf');
  }

  async countLive(): Promise<number> {
    if (!this.liveKey) return 0;
    return this.redis.zcount(this.liveKey, `(${epochNow()}`, '+inf');
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return fromHash(await this.redis.hgetall(this.key(id)));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findByIndex(`${this.base}uid:${uid}`);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findByIndex(`${this.base}userCode:${userCode}`);
  }

  private async findByIndex(indexKey: string): Promise<AdapterPayload | undefined> {
    const flat = await FIND_BY_INDEX.run<string[] | null>(this.redis, [indexKey], [this.base]);
    if (!flat) return undefined;
    const stored: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) stored[flat[i]!] = flat[i + 1]!;
    return fromHash(stored);
  }

  async consume(id: string): Promise<void> {
    const deadline = this.consumeWithinMs === undefined ? 0 : Date.now() + this.consumeWithinMs;
    const applied = await CONSUME.run<number>(this.redis, [this.key(id)], [String(epochNow()), String(deadline)]);
    if (applied === -1) throw new StoreUnavailableError(`Redis ran the consume of a ${this.name} after the hub had stopped waiting for it; it was not applied`);
  }

  async destroy(id: string): Promise<void> {
    const keys = this.liveKey ? [this.key(id), this.liveKey] : [this.key(id)];
    await DESTROY.run(this.redis, keys, [this.base, id, this.clientIndexed ? '1' : '0', this.accountIndexed ? '1' : '0', this.liveKey ? '1' : '0']);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    const grantKey = `${this.grantBase}${grantId}`;
    const keys = await this.redis.smembers(grantKey);
    // Only this model's members: the provider calls revokeByGrantId once per model.
    const mine = keys.filter((k) => k.startsWith(this.base));
    if (mine.length === 0) return;
    const multi = this.redis.multi();
    multi.del(...mine);
    multi.srem(grantKey, ...mine);
    await multi.exec();
  }
}

function fromHash(stored: Record<string, string>): AdapterPayload | undefined {
  if (!stored.payload) return undefined;
  const payload = JSON.parse(stored.payload) as AdapterPayload;
  return stored.consumed ? { ...payload, consumed: Number(stored.consumed) } : payload;
}
