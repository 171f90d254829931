import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * HubMetrics is one hub instance's Prometheus registry and the counters the hub's parts update.
 * A registry per instance (not prom-client's global one) lets several instances live in one
 * process, as in the multi-instance tests. Served on the admin listener at /metrics.
 */
export interface HubMetrics {
  registry: Registry;
  guard: {
    /** Refused requests, by `kind` (ip, ip_failures, identifier, code_send, code_flow, token_ip, token_client). */
    throttled: Counter<'kind'>;
    /** Locks set, by `scope` (identifier_ip, identifier, ip). */
    locked: Counter<'scope'>;
    /** Locks removed by an admin. */
    unlocked: Counter;
    /** Failed sign-in or code attempts seen in Kratos' answers, by `kind` (password, code). */
    failures: Counter<'kind'>;
    /** Store errors; the guard then refuses the request rather than let it through unchecked. */
    errors: Counter;
  };
  backchannel: {
    /** Back-channel logout attempts by `outcome` (delivered, failed, abandoned; ADR 0009). */
    deliveries: Counter<'outcome'>;
    /** Deliveries stored (leased or waiting for a retry), read from the store at each scrape. */
    queueDepth: Gauge;
    /** Where `queueDepth` reads from; the bridge sets it once its queue exists. */
    readQueueDepth?: () => Promise<number>;
  };
}

let processRegistry: Registry | undefined;

/**
 * The Node process metrics (resident memory, heap spaces, event-loop delay, GC time): what an
 * operator sizing the hub (docs/benchmarks.md) or chasing latency needs first. One registry per
 * process, created on first use: prom-client's collectors (an event-loop histogram, a GC
 * observer) are never stopped, so one per hub instance would pile up where several hubs share a
 * process (the multi-instance tests).
 */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    processRegistry.setDefaultLabels({ service: 'ssohub-hub' });
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createHubMetrics(): HubMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'ssohub-hub' });
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const backchannel: HubMetrics['backchannel'] = {
    deliveries: counter('ssohub_backchannel_deliveries_total', 'Back-channel logout delivery attempts, by outcome (delivered, failed, abandoned).', ['outcome']),
    queueDepth: new Gauge({
      name: 'ssohub_backchannel_queue_depth',
      help: 'Back-channel logout deliveries stored: in an attempt or waiting for a retry.',
      registers: [registry],
      async collect() {
        // A store that cannot answer leaves the last value rather than failing the whole scrape.
        const depth = await backchannel.readQueueDepth?.().catch(() => undefined);
        if (depth !== undefined) this.set(depth);
      },
    }),
  };
  return {
    registry,
    backchannel,
    guard: {
      throttled: counter('ssohub_guard_throttled_total', 'Requests refused by the guard (429), by kind.', ['kind']),
      locked: counter('ssohub_guard_locked_total', 'Lockouts set by the guard, by scope.', ['scope']),
      unlocked: counter('ssohub_guard_unlocked_total', 'Lockouts cleared by an admin.'),
      failures: counter('ssohub_guard_failures_total', 'Failed sign-in and code attempts counted by the guard, by kind.', ['kind']),
      errors: counter('ssohub_guard_store_errors_total', 'Guard store errors (the request is refused).'),
    },
  };
}
