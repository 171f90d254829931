import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { LightHistogram } from './light-histogram.ts';

/**
 * HubMetrics is one hub instance's Prometheus registry and the counters the hub's parts update.
 * A registry per instance (not prom-client's global one) lets several instances live in one
 * process, as in the multi-instance tests. Served on the admin listener at /metrics.
 */
export interface HubMetrics {
  registry: Registry;
  http: {
    /** Every answered request of both listeners, by `route` (the route's pattern, never the raw URL), `method`, `status_class` (2xx…5xx). */
    duration: Histogram<'route' | 'method' | 'status_class'>;
  };
  kratos: {
    /** Calls to Kratos by `operation` (method and path pattern) and `outcome` (a status class, or `unreachable`). */
    duration: Histogram<'operation' | 'outcome'>;
  };
  /** First-factor sign-ins the guard saw Kratos answer, by `method` (password, code) and `outcome` (success, failure). */
  signIns: Counter<'method' | 'outcome'>;
  store: {
    /** Redis commands by `command` (a MULTI or pipeline counts once, as `multi`/`pipeline`) and `outcome` (ok, error). */
    observe(command: string, failed: boolean, seconds: number): void;
  };
  oidc: {
    /** Tokens issued by the token endpoint, by `grant_type` and `client_id` (registered clients only: the provider refuses others first). */
    tokensIssued: Counter<'grant_type' | 'client_id'>;
    /** Token requests refused, by `grant_type` (as sent, when one of the known grants) and `error` (the OAuth error code). */
    tokenFailures: Counter<'grant_type' | 'error'>;
  };
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
    // 1 per process, summed over a cluster's workers (cluster-metrics.ts): how many processes the
    // scrape speaks for, so a worker that did not answer shows.
    new Gauge({ name: 'ssohub_processes', help: 'Hub processes whose metrics this scrape holds.', registers: [processRegistry], aggregator: 'sum' }).set(1);
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
      // Every cluster worker reads the same store: the aggregate is one reading, not their sum.
      aggregator: 'max',
      async collect() {
        // A store that cannot answer leaves the last value rather than failing the whole scrape.
        const depth = await backchannel.readQueueDepth?.().catch(() => undefined);
        if (depth !== undefined) this.set(depth);
      },
    }),
  };
  // Seconds: from a cached page (~1 ms) to a Kratos round trip under load and the 10 s timeouts.
  const buckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  return {
    registry,
    backchannel,
    http: {
      duration: new Histogram({
        name: 'ssohub_http_request_duration_seconds',
        help: 'Requests answered by the hub (public and admin listener), by route pattern, method and status class.',
        labelNames: ['route', 'method', 'status_class'],
        buckets,
        registers: [registry],
      }),
    },
    kratos: {
      duration: new Histogram({
        name: 'ssohub_kratos_request_duration_seconds',
        help: 'Calls from the hub to Kratos, by operation and outcome (status class, or unreachable).',
        labelNames: ['operation', 'outcome'],
        buckets,
        registers: [registry],
      }),
    },
    signIns: counter('ssohub_sign_ins_total', 'Sign-in attempts (identifier and password, or a sign-in code) by method and outcome.', ['method', 'outcome']),
    store: { observe: storeObserver(registry) },
    oidc: {
      tokensIssued: counter('ssohub_oidc_tokens_issued_total', 'Token endpoint successes, by grant type and client.', ['grant_type', 'client_id']),
      tokenFailures: counter('ssohub_oidc_token_failures_total', 'Token endpoint refusals, by grant type and OAuth error.', ['grant_type', 'error']),
    },
    guard: {
      throttled: counter('ssohub_guard_throttled_total', 'Requests refused by the guard (429), by kind.', ['kind']),
      locked: counter('ssohub_guard_locked_total', 'Lockouts set by the guard, by scope.', ['scope']),
      unlocked: counter('ssohub_guard_unlocked_total', 'Lockouts cleared by an admin.'),
      failures: counter('ssohub_guard_failures_total', 'Failed sign-in and code attempts counted by the guard, by kind.', ['kind']),
      errors: counter('ssohub_guard_store_errors_total', 'Guard store errors (the request is refused).'),
    },
  };
}

/** The store's command timings, on the hot path of every Redis command: a LightHistogram. */
function storeObserver(registry: Registry): HubMetrics['store']['observe'] {
  const histogram = new LightHistogram(
    'ssohub_store_command_duration_seconds',
    'Redis commands sent by the hub, by command (a MULTI or pipeline once) and outcome (ok, error).',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registry,
  );
  return (command, failed, seconds) => {
    const outcome = failed ? 'error' : 'ok';
    histogram.observe(failed ? `${command}!` : command, () => ({ command, outcome }), seconds);
  };
}
