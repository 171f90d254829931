import { AsyncLocalStorage } from 'node:async_hooks';
import type { Adapter, AdapterPayload } from 'oidc-provider';

type Reads = Map<string, Promise<AdapterPayload | undefined>>;

const current = new AsyncLocalStorage<Reads>();

/**
 * Runs `fn` (one provider request) with its own memory of artefacts read by id, so that reading
 * the same artefact twice in one request costs one store round trip. At `/auth` the hub's Kratos
 * re-check and oidc-provider's session middleware each load the provider session: one Redis round
 * trip and one reply parse per SSO hop (docs/benchmarks.md).
 */
export function withRequestScopedReads<T>(fn: () => Promise<T>): Promise<T> {
  return current.run(new Map(), fn);
}

/**
 * Wraps a model's adapter so that, inside withRequestScopedReads, `find(id)` is asked of the store
 * once per request and id. Every write through this adapter (upsert, consume, destroy,
 * revokeByGrantId) forgets what the request read, so a request always sees its own writes. Each
 * caller gets its own copy: oidc-provider's models take the payload as their own object.
 * Outside a request scope it is the bare store.
 */
export function requestScopedReads(store: Adapter): Adapter {
  const forget = () => current.getStore()?.clear();
  return {
    async find(id) {
      const reads = current.getStore();
      if (!reads) return store.find(id);
      let read = reads.get(id);
      if (!read) {
        const fresh = store.find(id) as Promise<AdapterPayload | undefined>;
        reads.set(id, fresh);
        // A failed read is not remembered: the next caller asks the store again.
        fresh.catch(() => {
          if (reads.get(id) === fresh) reads.delete(id);
        });
        read = fresh;
      }
      const found = await read;
      return found === undefined ? undefined : structuredClone(found);
    },
    findByUid: (uid) => store.findByUid(uid),
    findByUserCode: (code) => store.findByUserCode(code),
    async upsert(id, payload, expiresIn) {
      forget();
      try {
        return await store.upsert(id, payload, expiresIn);
      } finally {
        forget();
      }
    },
    async consume(id) {
      forget();
      try {
        return await store.consume(id);
      } finally {
        forget();
      }
    },
    async destroy(id) {
      forget();
      try {
        return await store.destroy(id);
      } finally {
        forget();
      }
    },
    async revokeByGrantId(grantId) {
      forget();
      try {
        return await store.revokeByGrantId(grantId);
      } finally {
        forget();
      }
    },
  };
}
