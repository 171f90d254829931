import { AsyncLocalStorage } from 'node:async_hooks';
import type { Adapter, AdapterPayload } from 'oidc-provider';

type Reads = Map<string, Promise<AdapterPayload | undefined>>;

// undefined once the request is over: work it started that outlives it (a timer, a retry)
// still runs in its async context and must read the store, not what the request saw.
const current = new AsyncLocalStorage<{ reads: Reads | undefined }>();

/**
 * Runs `fn` (one provider request) with its own memory of artefacts read by id, so that reading
 * the same artefact twice in one request costs one store round trip. At `/auth` the hub's Kratos
 * re-check and oidc-provider's session middleware each load the provider session: one Redis round
 * trip and one reply parse per SSO hop (docs/benchmarks.md).
 */
export async function withRequestScopedReads<T>(fn: () => Promise<T>): Promise<T> {
  const scope = { reads: new Map() as Reads | undefined };
  try {
    return await current.run(scope, fn);
  } finally {
    scope.reads = undefined;
  }
}

/**
 * Wraps a model's adapter so that, inside withRequestScopedReads, `find(id)` is asked of the store
 * once per request and id. Every write through this adapter (upsert, consume, destroy,
 * revokeByGrantId) forgets what the request read, so a request always sees its own writes. Each
 * caller gets its own copy: oidc-provider's models take the payload as their own object.
 * Outside a request scope it is the bare store.
 */
export function requestScopedReads(store: Adapter): Adapter {
  const forget = () => current.getStore()?.reads?.clear();
  // Forgets before (a read that starts meanwhile must not be kept) and after (one that was in
  // flight may have seen the old state).
  const writing =
    <A extends unknown[]>(write: (...args: A) => Promise<unknown>) =>
    async (...args: A): Promise<void> => {
      forget();
      try {
        await write(...args);
      } finally {
        forget();
      }
    };
  return {
    async find(id) {
      const reads = current.getStore()?.reads;
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
    upsert: writing((id, payload, expiresIn) => store.upsert(id, payload, expiresIn)),
    consume: writing((id) => store.consume(id)),
    destroy: writing((id) => store.destroy(id)),
    revokeByGrantId: writing((grantId) => store.revokeByGrantId(grantId)),
  };
}
