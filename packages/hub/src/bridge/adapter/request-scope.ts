/**
 * Owns the bridge's part of a request (BridgeFacts on the HubRequest, request/hub-request.ts):
 * reads shared within one provider request, writes deferred to its end, and the fallback to the
 * plain path when the shortcuts are off (bridge.shortcuts).
 */
import { type BridgeFacts, currentHubRequest, HubRequest, runHubRequest } from '../../request/hub-request.ts';

/** A store write the request deferred failed: the request must not answer as if it had succeeded. */
export class DeferredWriteError extends Error {
  constructor(cause: unknown) {
    super('a store write deferred to the end of the request failed', { cause });
    this.name = 'DeferredWriteError';
  }
}

/**
 * Runs `fn` (one provider request) in a request scope:
 * - reads by key (scopedRead) go to the store once per request, so the same artefact read twice
 *   costs one round trip (at /auth the hub's re-check and oidc-provider each load the session);
 * - with `deferWrites`, writes (scopedWrite) are sent at once but not waited for one by one: they
 *   are awaited together when `fn` is done, before anything is answered, and the first failure
 *   rejects with DeferredWriteError. At the token endpoint oidc-provider awaits consume, then the
 *   new refresh token, then the access token: three Redis round trips in a row become one
 *   (docs/benchmarks.md).
 *
 * A read through scopedRead that starts after a deferred write waits for the request's pending
 * writes first, so a request still sees its own writes. Connection order alone would not do:
 * some writes are a read, then a write (destroy, revokeByGrantId), and a script Redis forgot is
 * sent again after its NOSCRIPT answer.
 */
export async function withRequestScope<T>(
  fn: () => Promise<T>,
  { deferWrites = false, shortcuts = true }: { deferWrites?: boolean; shortcuts?: boolean } = {},
): Promise<T> {
  // Shortcuts off: nothing shared, nothing deferred, every read and write goes to the store.
  const scope: BridgeFacts = { shortcuts, reads: shortcuts ? new Map() : undefined, deferWrites: shortcuts && deferWrites, pending: [], kratos: { kind: 'unchecked' } };
  let out: T;
  try {
    out = await inBridgeRequest(scope, fn);
  } catch (err) {
    // Nothing the request started may still be writing when its error is answered.
    await Promise.allSettled(scope.pending);
    throw err;
  } finally {
    scope.reads = undefined;
  }
  if (scope.pending.length === 0) return out;
  const settled = await Promise.allSettled(scope.pending);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw new DeferredWriteError(failed.reason);
  return out;
}

/**
 * Runs `fn` with `facts` as the bridge's part of the current HubRequest. A request reaches the
 * bridge once (a provider route or an interaction page); work outside any request (unit tests,
 * the CLI) or a second bridge scope within one gets a HubRequest of its own, which starts from
 * what the outer request knew of the store.
 */
function inBridgeRequest<T>(facts: BridgeFacts, fn: () => Promise<T>): Promise<T> {
  const request = currentHubRequest();
  if (request && !request.bridge) {
    request.bridge = facts;
    return fn();
  }
  const own = new HubRequest();
  own.storeFailedAt = request?.storeFailedAt;
  own.bridge = facts;
  return runHubRequest(fn, own);
}

/** The bridge's part of the current request, if the request is in the bridge's hands. */
export function currentBridgeFacts(): BridgeFacts | undefined {
  return currentHubRequest()?.bridge;
}

/**
 * `read()` once per request and key; outside a request scope, every time. A failed read is not
 * remembered. Callers share the value: they must not change it (or copy it first). After a
 * deferred write it waits for the request's pending writes before reading.
 */
export function scopedRead<T>(key: string, read: () => Promise<T>): Promise<T> {
  const scope = currentBridgeFacts();
  const reads = scope?.reads;
  if (!scope || !reads) return read();
  const known = reads.get(key) as Promise<T> | undefined;
  if (known) return known;
  const fresh = scope.pending.length ? Promise.allSettled(scope.pending).then(read) : read();
  reads.set(key, fresh);
  fresh.catch(() => {
    if (reads.get(key) === fresh) reads.delete(key);
  });
  return fresh;
}

/**
 * Runs a store write. It forgets what the request read (the `keys` it changes, or everything),
 * before (a read that starts meanwhile must not be kept) and after (one in flight may have seen
 * the old state), so a request always sees its own writes. In a scope that defers writes it
 * resolves as soon as the write is sent.
 */
export async function scopedWrite(write: () => Promise<unknown>, keys?: readonly string[]): Promise<void> {
  const scope = currentBridgeFacts();
  const forget = () => {
    if (!scope?.reads) return;
    if (!keys) scope.reads.clear();
    else for (const k of keys) scope.reads.delete(k);
  };
  forget();
  if (scope?.reads && scope.deferWrites) {
    const sent = write();
    // Reported by withRequestScope; without this, Node would call it unhandled meanwhile.
    sent.catch(() => {});
    scope.pending.push(sent);
    // Reads from now on wait for it (scopedRead): nothing to forget afterwards.
    return;
  }
  try {
    await write();
  } finally {
    forget();
  }
}
