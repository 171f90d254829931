import { currentHubRequest, type HubRequest, runHubRequest } from '../request/hub-request.ts';
import { SpanKind, startChildSpan } from '../tracing/hub-spans.ts';
import type { StoreClient } from './redis-client.ts';
import { isStoreUnavailable, StoreUnavailableError } from './store-unavailable.ts';

/**
 * Runs `fn` (one request's work) in a store scope of its own: a HubRequest
 * (request/hub-request.ts) that remembers when a store command of the request failed for want of
 * Redis (timed out, connection closed or refused; see isStoreUnavailable), so the request's later
 * commands fail at once instead of each waiting out its own command timeout. The hub's listeners
 * give every request one at the edge (http/register-hub-request.ts); this is for work outside them.
 *
 * Why per request and not for the whole client: a request that touches a frozen Redis twice in a
 * row would otherwise answer after two timeouts (3 s with the defaults), past the 2 s the error
 * path promises. A client-wide "refuse for a while" switch did the same for every request, but it
 * also refused the requests that arrive after Redis is back and, sitting inside ioredis'
 * sendCommand, the Cluster client's own retries (decision 0010). Here nothing changes for a
 * request that has not seen the store fail, and ioredis' internals never see the scope.
 */
export function runInStoreScope<T>(fn: () => T): T {
  return runHubRequest(fn);
}

// Client methods that are not Redis commands, or must reach Redis whatever a request saw.
const PASS_THROUGH = new Set<PropertyKey>(['quit', 'connect', 'disconnect', 'duplicate']);

interface Execable {
  exec(...args: unknown[]): Promise<unknown>;
}

export interface ScopedClientOptions {
  /**
   * A hard bound on every command and MULTI/pipeline, counted from the moment the hub's code
   * issues it, whatever the client does meanwhile. ioredis' own `commandTimeout` starts only when
   * a command is written, and it is not always written at once:
   * - with auto-pipelining, a command waits until the previous pipeline to the same node has
   *   been answered; against a frozen Redis that is that pipeline's whole timeout, so a command
   *   issued 0.1 s after the freeze failed after ~3 s, and one issued later waited until the
   *   thaw (measured by the chaos suite: 2.5–3 s with a 1.5 s command timeout);
   * - under Cluster, when a master dies, the client re-sends the commands it had sent it to
   *   another node and again after refreshing its slot map, re-arming their timeouts each time
   *   (2.2–2.7 s measured with a one-second node timeout).
   * ioredis' timeout still ends the command itself; this bound ends the hub's wait for it.
   */
  deadlineMs?: number;
  now?: () => number;
  /**
   * Where the hub's metrics take every command's latency and outcome from (`current`, set once
   * they exist): a holder, so the client can be built before the metrics. Commands are counted by
   * name; a MULTI or pipeline as one `multi`/`pipeline` (its exec).
   */
  observer?: { current?: StoreCommandObserver };
}

/** Told of a store command once it settled: its name, whether it failed, and its seconds. */
export type StoreCommandObserver = (command: string, failed: boolean, seconds: number) => void;

/**
 * Wraps the store client the hub's code uses so that every command honours the calling
 * request's store scope (see runInStoreScope). A command outside any scope, or in a scope that
 * has not seen a failure within the last `windowMs`, goes to Redis unchanged. The window bounds
 * what a scope can refuse: work that inherited a request's scope by accident (a timer set while
 * handling it) only loses commands for one command timeout.
 */
export function scopedStoreClient(client: StoreClient, windowMs: number, { deadlineMs, now = Date.now, observer }: ScopedClientOptions = {}): StoreClient {
  const commands = new Set<PropertyKey>([...client.getBuiltinCommands(), 'call', 'callBuffer', 'evalsha', 'eval']);
  for (const name of PASS_THROUGH) commands.delete(name);
  const wrappers = new Map<PropertyKey, (...args: unknown[]) => unknown>();

  const refusal = (state: HubRequest | undefined, what: string): Promise<never> | undefined => {
    if (state?.storeFailedAt === undefined || now() - state.storeFailedAt >= windowMs) return undefined;
    return Promise.reject(new StoreUnavailableError(`Redis failed earlier in this request; ${what} not sent`));
  };
  // The deadline and the timing share one settle handler: a second `then` per command measured
  // ~0.3 µs (npm run bench:store-scope).
  const bounded = <T>(result: T, name: string, state: HubRequest | undefined): T => {
    const observe = observer?.current;
    // A traced request's commands are child spans of its span: the command's name only, never
    // its keys or arguments (tokens and ids are in them).
    const span = state?.trace?.span.isRecording() ? startChildSpan(`redis ${name}`, SpanKind.CLIENT, { 'db.system.name': 'redis', 'db.operation.name': name }) : undefined;
    if ((deadlineMs === undefined && !observe && !span) || !(result instanceof Promise)) {
      span?.end();
      return result;
    }
    const started = observe ? performance.now() : 0;
    const settled = (failed: boolean, err?: unknown) => {
      observe?.(name, failed, (performance.now() - started) / 1000);
      span?.end(failed ? (isStoreUnavailable(err) ? 'store unavailable' : 'command failed') : undefined);
    };
    if (deadlineMs === undefined) {
      result.then(
        () => settled(false),
        (err: unknown) => settled(true, err),
      );
      return result;
    }
    // One promise the command or the deadline settles, whichever comes first: a separate
    // deadline promise and Promise.race allocated two more promises and two more reactions per
    // command (docs/benchmarks.md, 2026-12-06).
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    const timer = setTimeout(() => reject(new StoreUnavailableError(`Redis did not answer within ${deadlineMs} ms`)), deadlineMs);
    result.then(
      (value: unknown) => {
        clearTimeout(timer);
        settled(false);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        settled(true, err);
        reject(err);
      },
    );
    return promise as T;
  };
  const watch = <T>(state: HubRequest | undefined, raw: T, name: string): T => {
    const result = bounded(raw, name, state);
    if (state && result instanceof Promise) {
      // A second handler, so the caller still sees the rejection and nothing is left unhandled.
      result.then(undefined, (err: unknown) => {
        if (isStoreUnavailable(err)) state.storeFailedAt = now();
      });
    }
    return result;
  };
  const guardExec = (batch: Execable, name: string): Execable =>
    new Proxy(batch, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop !== 'exec' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const state = currentHubRequest();
          return refusal(state, 'MULTI/pipeline') ?? watch(state, (value as Execable['exec']).apply(target, args), name);
        };
      },
    });

  return new Proxy(client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const isCommand = commands.has(prop);
      const isBatch = prop === 'multi' || prop === 'pipeline';
      if (!isCommand && !isBatch) return value;
      let wrapper = wrappers.get(prop);
      if (!wrapper) {
        const method = value as (...args: unknown[]) => unknown;
        wrapper = isBatch
          ? (...args) => guardExec(method.apply(target, args) as Execable, String(prop))
          : (...args) => {
              const state = currentHubRequest();
              return refusal(state, String(prop).toUpperCase()) ?? watch(state, method.apply(target, args), String(prop));
            };
        wrappers.set(prop, wrapper);
      }
      return wrapper;
    },
  });
}
