import type { Redis } from 'ioredis';
import { type AdapterPayload, epochNow, type ModelStore } from './model-store.ts';

// Marks an artefact consumed only if it still exists, so a late consume never resurrects an
// expired code as a key without a TTL.
const CONSUME_SCRIPT = `if redis.call('exists', KEYS[1]) == 1 then redis.call('hset', KEYS[1], 'consumed', ARGV[1]) end return 0`;

/**
 * Stores one provider model in Redis. Keys (all under the hub's store prefix):
 * - `oidc:<Model>:<id>` hash {payload, consumed?}, expiring with the artefact;
 * - `oidc:grant:<grantId>` set of artefact keys issued under a grant, for revokeByGrantId;
 * - `oidc:<Model>:uid:<uid>` and `oidc:<Model>:userCode:<code>` point to the id.
 * Every instance of the hub sees the same state, which is what lets one instance issue a code
 * and another redeem it.
 */
export class RedisModelStore implements ModelStore {
  readonly name: string;
  private readonly redis: Redis;
  private readonly base: string;
  private readonly grantBase: string;

  constructor(name: string, redis: Redis, prefix: string) {
    this.name = name;
    this.redis = redis;
    this.base = `${prefix}oidc:${name}:`;
    this.grantBase = `${prefix}oidc:grant:`;
  }

  private key(id: string): string {
    return `${this.base}${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const key = this.key(id);
    const ttl = expiresIn && expiresIn > 0 ? Math.ceil(expiresIn) : undefined;
    const multi = this.redis.multi();
    multi.del(key);
    multi.hset(key, 'payload', JSON.stringify(payload));
    if (ttl) multi.expire(key, ttl);
    if (payload.grantId) {
      const grantKey = `${this.grantBase}${payload.grantId}`;
      multi.sadd(grantKey, key);
      // The index lives as long as its longest-lived member.
      if (ttl) multi.expire(grantKey, ttl, 'GT');
      multi.expire(grantKey, ttl ?? 14 * 24 * 3600, 'NX');
    }
    if (payload.uid) {
      multi.set(`${this.base}uid:${payload.uid}`, id, ...((ttl ? ['EX', ttl] : []) as ['EX', number]));
    }
    if (payload.userCode) {
      multi.set(`${this.base}userCode:${payload.userCode}`, id, ...((ttl ? ['EX', ttl] : []) as ['EX', number]));
    }
    await multi.exec();
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    const stored = await this.redis.hgetall(this.key(id));
    if (!stored.payload) return undefined;
    const payload = JSON.parse(stored.payload) as AdapterPayload;
    return stored.consumed ? { ...payload, consumed: Number(stored.consumed) } : payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(`${this.base}uid:${uid}`);
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = await this.redis.get(`${this.base}userCode:${userCode}`);
    return id ? this.find(id) : undefined;
  }

  async consume(id: string): Promise<void> {
    await this.redis.eval(CONSUME_SCRIPT, 1, this.key(id), String(epochNow()));
  }

  async destroy(id: string): Promise<void> {
    const found = await this.find(id);
    const keys = [this.key(id)];
    if (found?.uid) keys.push(`${this.base}uid:${found.uid}`);
    if (found?.userCode) keys.push(`${this.base}userCode:${found.userCode}`);
    await this.redis.del(...keys);
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
