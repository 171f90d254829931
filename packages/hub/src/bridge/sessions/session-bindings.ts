/**
 * Owns the record of which provider sessions each Kratos session signed in, and of the Kratos
 * check a code exchange may reuse (noteVerified); in Redis or in memory.
 */
import type { Identity } from '../../kratos/kratos-client.ts';
import { deepFreeze } from '../../deep-freeze.ts';
import type { Storage } from '../../storage/storage.ts';
import { RedisScript } from '../../storage/redis-script.ts';
import { scopedRead, scopedWrite } from '../adapter/request-scope.ts';

// A binding in one round trip instead of HGETALL then MULTI (after every sign-in, beside the
// provider's own writes), and atomic: a concurrent bind of the same uid cannot leave it listed
// under a Kratos session it no longer belongs to. KEYS: uid hash, the Kratos session's set of
// uids, the identity's set of Kratos sessions. ARGV: Kratos session id, account id, ttl, the
// key base (the previous Kratos session's set is built here: every key shares the prefix's hash
// tag, see redis-model-store.ts), uid.
const BIND = new RedisScript(`
local previous = redis.call('hget', KEYS[1], 'k')
if previous and previous ~= ARGV[1] then redis.call('srem', ARGV[4] .. 'kratos:' .. previous, ARGV[5]) end
redis.call('hset', KEYS[1], 'k', ARGV[1], 'a', ARGV[2])
redis.call('expire', KEYS[1], ARGV[3])
redis.call('sadd', KEYS[2], ARGV[5])
redis.call('expire', KEYS[2], ARGV[3])
redis.call('sadd', KEYS[3], ARGV[1])
redis.call('expire', KEYS[3], ARGV[3])
return 0`);

/** The identity as Kratos showed it when a provider session was last checked against it. */
export interface VerifiedIdentity {
  accountId: string;
  identity: Pick<Identity, 'id' | 'state' | 'traits' | 'verifiable_addresses'>;
  /** When the Kratos session that was checked expires (ms epoch): the snapshot never outlives it. */
  sessionExpiresAt: number | undefined;
}

/** Binding ties one provider session (by uid) to the Kratos session that signed it in. */
export interface Binding {
  uid: string;
  kratosSessionId: string;
  accountId: string;
}

/**
 * SessionBindings keeps each binding both ways (a provider session's Kratos session, a Kratos
 * session's provider sessions, an identity's Kratos sessions), so a provider session can be
 * checked against (and ended with) its Kratos session, and the sessions of an identity can be
 * listed. Redis keys, under the store prefix: `bridge:binding:uid:<uid>` hash {k, a};
 * `bridge:binding:kratos:<kratosSessionId>` set of uids; `bridge:binding:identity:<identityId>`
 * set of Kratos session ids. All expire with the session.
 */
export interface SessionBindings {
  bind(binding: Binding, ttlSeconds: number): Promise<void>;
  find(uid: string): Promise<Binding | undefined>;
  uidsOf(kratosSessionId: string): Promise<string[]>;
  kratosSessionsOf(identityId: string): Promise<string[]>;
  unbind(uid: string): Promise<void>;
  /** Forgets a Kratos session and every uid bound to it. */
  forgetKratosSession(kratosSessionId: string, identityId: string | undefined): Promise<void>;
  /**
   * Remembers, for `ttlSeconds` (the authorization code's lifetime), that the provider session
   * `uid` was just checked against its live Kratos session and which identity Kratos showed, so
   * redeeming the code it issued needs no second round trip to Kratos.
   */
  noteVerified(uid: string, verified: VerifiedIdentity, ttlSeconds: number): Promise<void>;
  recentlyVerified(uid: string): Promise<VerifiedIdentity | undefined>;
}

export function createSessionBindings(storage: Storage): SessionBindings {
  return requestScopedBindings(sessionBindingStore(storage));
}

/**
 * Bindings in request scopes (request-scope.ts): one read per request and uid, so reading ahead
 * from a token (SessionChecks.readAhead) saves the round trip the provider's account lookup would
 * make. What is read is frozen: every caller sees the same object.
 */
export function requestScopedBindings(store: SessionBindings): SessionBindings {
  return {
    find: (uid) => scopedRead(`binding:${uid}`, async () => deepFreeze(await store.find(uid))),
    recentlyVerified: (uid) => scopedRead(`verified:${uid}`, async () => deepFreeze(await store.recentlyVerified(uid))),
    uidsOf: (id) => store.uidsOf(id),
    kratosSessionsOf: (id) => store.kratosSessionsOf(id),
    bind: (binding, ttl) => scopedWrite(() => store.bind(binding, ttl), [`binding:${binding.uid}`]),
    unbind: (uid) => scopedWrite(() => store.unbind(uid), [`binding:${uid}`, `verified:${uid}`]),
    // Which uids it touches is only known to the store: forget everything.
    forgetKratosSession: (id, identityId) => scopedWrite(() => store.forgetKratosSession(id, identityId)),
    noteVerified: (uid, verified, ttl) => scopedWrite(() => store.noteVerified(uid, verified, ttl), [`verified:${uid}`]),
  };
}

/** The store itself, without request scopes (createSessionBindings adds them). */
export function sessionBindingStore(storage: Storage): SessionBindings {
  if (storage.kind === 'redis') {
    const { redis } = storage;
    const base = `${storage.prefix}bridge:binding:`;
    const uidKey = (uid: string) => `${base}uid:${uid}`;
    const kratosKey = (id: string) => `${base}kratos:${id}`;
    const identityKey = (id: string) => `${base}identity:${id}`;
    const verifiedKey = (uid: string) => `${base}verified:${uid}`;
    return {
      async bind({ uid, kratosSessionId, accountId }, ttl) {
        await BIND.run(redis, [uidKey(uid), kratosKey(kratosSessionId), identityKey(accountId)], [kratosSessionId, accountId, ttl, base, uid]);
      },
      async find(uid) {
        const h = await redis.hgetall(uidKey(uid));
        return h.k && h.a ? { uid, kratosSessionId: h.k, accountId: h.a } : undefined;
      },
      async uidsOf(kratosSessionId) {
        return redis.smembers(kratosKey(kratosSessionId));
      },
      async kratosSessionsOf(identityId) {
        return redis.smembers(identityKey(identityId));
      },
      async unbind(uid) {
        const h = await redis.hgetall(uidKey(uid));
        const multi = redis.multi();
        multi.del(uidKey(uid));
        multi.del(verifiedKey(uid));
        if (h.k) multi.srem(kratosKey(h.k), uid);
        await multi.exec();
      },
      async forgetKratosSession(kratosSessionId, identityId) {
        const uids = await redis.smembers(kratosKey(kratosSessionId));
        const multi = redis.multi();
        for (const uid of uids) multi.del(uidKey(uid));
        multi.del(kratosKey(kratosSessionId));
        if (identityId) multi.srem(identityKey(identityId), kratosSessionId);
        for (const uid of uids) multi.del(verifiedKey(uid));
        await multi.exec();
      },
      async noteVerified(uid, verified, ttl) {
        await redis.set(verifiedKey(uid), JSON.stringify(verified), 'EX', Math.max(1, ttl));
      },
      async recentlyVerified(uid) {
        const raw = await redis.get(verifiedKey(uid));
        return raw ? (JSON.parse(raw) as VerifiedIdentity) : undefined;
      },
    };
  }

  const byUid = new Map<string, Binding & { exp: number }>();
  const byKratos = new Map<string, Set<string>>();
  const byIdentity = new Map<string, Set<string>>();
  const verifiedByUid = new Map<string, VerifiedIdentity & { exp: number }>();
  const live = (uid: string) => {
    const b = byUid.get(uid);
    if (b && b.exp <= Date.now()) {
      byUid.delete(uid);
      return undefined;
    }
    return b;
  };
  return {
    async bind(binding, ttl) {
      const previous = byUid.get(binding.uid);
      if (previous && previous.kratosSessionId !== binding.kratosSessionId) byKratos.get(previous.kratosSessionId)?.delete(binding.uid);
      byUid.set(binding.uid, { ...binding, exp: Date.now() + ttl * 1000 });
      byKratos.set(binding.kratosSessionId, (byKratos.get(binding.kratosSessionId) ?? new Set()).add(binding.uid));
      byIdentity.set(binding.accountId, (byIdentity.get(binding.accountId) ?? new Set()).add(binding.kratosSessionId));
    },
    async find(uid) {
      const b = live(uid);
      return b ? { uid: b.uid, kratosSessionId: b.kratosSessionId, accountId: b.accountId } : undefined;
    },
    async uidsOf(kratosSessionId) {
      return [...(byKratos.get(kratosSessionId) ?? [])].filter((uid) => live(uid));
    },
    async kratosSessionsOf(identityId) {
      return [...(byIdentity.get(identityId) ?? [])];
    },
    async unbind(uid) {
      const b = byUid.get(uid);
      byUid.delete(uid);
      verifiedByUid.delete(uid);
      if (b) byKratos.get(b.kratosSessionId)?.delete(uid);
    },
    async forgetKratosSession(kratosSessionId, identityId) {
      for (const uid of byKratos.get(kratosSessionId) ?? []) {
        byUid.delete(uid);
        verifiedByUid.delete(uid);
      }
      byKratos.delete(kratosSessionId);
      if (identityId) byIdentity.get(identityId)?.delete(kratosSessionId);
    },
    async noteVerified(uid, verified, ttl) {
      if (verifiedByUid.size > 100_000) verifiedByUid.clear();
      verifiedByUid.set(uid, { ...verified, exp: Date.now() + ttl * 1000 });
    },
    async recentlyVerified(uid) {
      const v = verifiedByUid.get(uid);
      if (!v || v.exp <= Date.now()) return undefined;
      return { accountId: v.accountId, identity: v.identity, sessionExpiresAt: v.sessionExpiresAt };
    },
  };
}
