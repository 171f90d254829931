/**
 * Says whether an error means "the store (Redis) cannot answer right now" rather than "the
 * request or the hub is wrong": the error path answers those with 503 and Retry-After, since
 * the same request succeeds once Redis is back, has failed over or the cluster has healed.
 */

/** Thrown by the hub itself when it knows the store cannot serve a request. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

// Messages ioredis (5.x) produces on its own, without a Redis reply: command/connect timeouts,
// a closed or unwritable connection, Sentinel and Cluster topologies with no usable node.
const CLIENT_MESSAGES = [
  /^Command timed out/,
  /^Connection is closed/,
  /^connect ETIMEDOUT/,
  /^Reached the max retries per request limit/,
  /^Stream isn't writeable/,
  /^All sentinels are unreachable/,
  /^None of startup nodes is available/,
  /^Failed to refresh slots cache/,
  /^Cluster is disconnected/,
  /^Too many Cluster redirections/,
];

// Redis replies that only happen while a primary, replica or cluster is changing state
// (failover, restart, resharding); the same command succeeds shortly after.
const TRANSIENT_REPLIES = /^(READONLY|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY|NOREPLICAS|UNBLOCKED|NOMASTERLINK)\b/;

const CLIENT_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError', 'StoreUnavailableError']);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when `err` (or an error it wraps through `cause`, `lastNodeError` or an AggregateError)
 * is a store outage: a timeout, a closed or refused connection, exhausted retries, no reachable
 * Sentinel or Cluster node, or a transient failover reply such as READONLY or CLUSTERDOWN.
 */
export function isStoreUnavailable(err: unknown): boolean {
  return check(err, 0);
}

function check(err: unknown, depth: number): boolean {
  // Wrappers nest a few levels at most; the bound keeps a cyclic `cause` from looping.
  if (depth > 5 || typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown; lastNodeError?: unknown; errors?: unknown };
  if (err instanceof StoreUnavailableError) return true;
  // The global fetch (the provider's calls to apps) wraps its socket error (ECONNREFUSED…) the same way: not the store.
  if (err instanceof TypeError && e.message === 'fetch failed') return false;
  if (typeof e.name === 'string' && CLIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (typeof e.message === 'string') {
    if (CLIENT_MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
    if (TRANSIENT_REPLIES.test(e.message)) return true;
  }
  if (Array.isArray(e.errors) && e.errors.some((inner) => check(inner, depth + 1))) return true;
  return check(e.lastNodeError, depth + 1) || check(e.cause, depth + 1);
}
