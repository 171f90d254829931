/**
 * Owns copying what the store read before each reader of a request gets it (request-scoped-reads.ts).
 */

/**
 * A deep copy of a stored artefact's payload. Payloads are JSON-shaped (the Redis store parses
 * them from JSON; the memory store keeps what oidc-provider gave it): plain objects, arrays,
 * strings, numbers, booleans, null, undefined. Those are copied by hand, which is several times
 * cheaper than `structuredClone` for objects this small (the refresh profile showed
 * structuredClone at ~1.5% of the hub's time, every find and findByUid copying once;
 * docs/benchmarks.md 2026-12-06). Anything else (a Date, a Buffer, a class instance) goes to
 * `structuredClone`, so the result never shares a mutable object with its source.
 */
export function copyPayload<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyPayload(value[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyPayload((value as Record<string, unknown>)[key]);
  return out as T;
}
