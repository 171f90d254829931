import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry, type RegistryContentType } from 'prom-client';
import { LightHistogram } from './light-histogram.ts';

/**
 * HubMetrics is one hub instance's Prometheus registry and the counters the hub's parts update.
 * A registry per instance (not prom-client's global one) lets several instances live in one
 * process, as in the multi-instance tests. Served on the admin listener at /metrics.
 */
export interface HubMetrics {
  registry: Registry<RegistryContentType>;
  /**
   * Whether the latency histograms keep an exemplar (the trace id of a sampled request) per
   * bucket: on when tracing is. The registry then speaks OpenMetrics, the format exemplars need,
   * and every observation of those histograms takes prom-client's object form (observeLatency).
   */
  exemplars: boolean;
  http: {
    /** Every answered request of both listeners, by `route` (the route's pattern, never the raw URL), `method`, `status_class` (2xx…5xx). */
    duration: Histogram<'route' | 'method' | 'status_class'>;
  };
  kratos: {
    /** Calls to Kratos by `operation` (method and path pattern) and `outcome` (a status class, or `unreachable`). */
    duration: Histogram<'operation' | 'outcome'>;
  };
  /**
   * Sign-in submissions Kratos answered, by `method` (SIGN_IN_METHODS: password, code, passkey,
   * webauthn, totp, lookup_secret, oidc) and `outcome` (success, failure; `started` for oidc, whose
   * submission only sends the browser to the upstream provider). See guard/sign-in-outcome.ts.
   */
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
    /** The provider's live sessions (its Session artefacts), read from the store at each scrape. */
    sessions: Gauge;
    /** Where `sessions` reads from; the bridge sets it once its adapters exist. */
    readSessions?: () => Promise<number>;
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
    /** Seconds the oldest stored delivery has waited (0: none), read from the store at each scrape. */
    queueOldest: Gauge;
    /** Where `queueOldest` reads from, in milliseconds; the bridge sets it once its queue exists. */
    readQueueOldestMs?: () => Promise<number>;
  };
}

const processRegistries = new Map<string, Registry<RegistryContentType>>();

/**
 * The Node process metrics (resident memory, heap spaces, event-loop delay, GC time): what an
 * operator sizing the hub (docs/benchmarks.md) or chasing latency needs first. One registry per
 * process, created on first use: prom-client's collectors (an event-loop histogram, a GC
 * observer) are never stopped, so one per hub instance would pile up where several hubs share a
 * process (the multi-instance tests).
 */
export function processMetrics(contentType: RegistryContentType = Registry.PROMETHEUS_CONTENT_TYPE): Registry<RegistryContentType> {
  // One per format: prom-client renames a registry's counters for OpenMetrics while it renders
  // them, so a registry serves one format only (a hub with exemplars speaks OpenMetrics).
  let processRegistry = processRegistries.get(contentType);
  if (!processRegistry) {
    processRegistry = new Registry<RegistryContentType>();
    processRegistry.setContentType(contentType);
    processRegistries.set(contentType, processRegistry);
    processRegistry.setDefaultLabels({ service: 'ssohub-hub' });
    collectDefaultMetrics({ register: processRegistry });
    // 1 per process, summed over a cluster's workers (cluster-metrics.ts): how many processes the
    // scrape speaks for, so a worker that did not answer shows.
    new Gauge({ name: 'ssohub_processes', help: 'Hub processes whose metrics this scrape holds.', registers: [processRegistry], aggregator: 'sum' }).set(1);
  }
  return processRegistry;
}

export function createHubMetrics({ exemplars = false }: { exemplars?: boolean } = {}): HubMetrics {
  const registry = new Registry<RegistryContentType>();
  if (exemplars) registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  registry.setDefaultLabels({ service: 'ssohub-hub' });
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  // A gauge read from the shared store at each scrape. Every cluster worker reads the same store:
  // the aggregate is one reading (`max`), not their sum. A store that cannot answer leaves the
  // last value rather than failing the whole scrape.
  const storeGauge = (name: string, help: string, read: () => Promise<number> | undefined) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      aggregator: 'max',
      async collect() {
        const value = await read()?.catch(() => undefined);
        if (value !== undefined) this.set(value);
      },
    });
  const backchannel: HubMetrics['backchannel'] = {
    deliveries: counter('ssohub_backchannel_deliveries_total', 'Back-channel logout delivery attempts, by outcome (delivered, failed, abandoned).', ['outcome']),
    queueDepth: storeGauge('ssohub_backchannel_queue_depth', 'Back-channel logout deliveries stored: in an attempt or waiting for a retry.', () =>
      backchannel.readQueueDepth?.(),
    ),
    queueOldest: storeGauge(
      'ssohub_backchannel_queue_oldest_seconds',
      'Seconds the oldest stored back-channel logout delivery has waited since it was first stored (0: none stored).',
      () => backchannel.readQueueOldestMs?.().then((ms) => ms / 1000),
    ),
  };
  const oidc: HubMetrics['oidc'] = {
    tokensIssued: counter('ssohub_oidc_tokens_issued_total', 'Token endpoint successes, by grant type and client.', ['grant_type', 'client_id']),
    tokenFailures: counter('ssohub_oidc_token_failures_total', 'Token endpoint refusals, by grant type and OAuth error.', ['grant_type', 'error']),
    sessions: storeGauge('ssohub_oidc_sessions', "The OIDC provider's live sessions (browsers signed in through the bridge), read from the store.", () =>
      oidc.readSessions?.(),
    ),
  };
  // Seconds: from a cached page (~1 ms) to a Kratos round trip under load and the 10 s timeouts.
  const buckets = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  return {
    registry,
    exemplars,
    backchannel,
    oidc,
    http: {
      duration: new Histogram({
        name: 'ssohub_http_request_duration_seconds',
        help: 'Requests answered by the hub (public and admin listener), by route pattern, method and status class.',
        labelNames: ['route', 'method', 'status_class'],
        buckets,
        registers: [registry],
        enableExemplars: exemplars,
      }),
    },
    kratos: {
      duration: new Histogram({
        name: 'ssohub_kratos_request_duration_seconds',
        help: 'Calls from the hub to Kratos, by operation and outcome (status class, or unreachable).',
        labelNames: ['operation', 'outcome'],
        buckets,
        registers: [registry],
        enableExemplars: exemplars,
      }),
    },
    signIns: counter('ssohub_sign_ins_total', 'Sign-in submissions Kratos answered, by method and outcome (success, failure; started for oidc).', ['method', 'outcome']),
    store: { observe: storeObserver(registry) },
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
function storeObserver(registry: Registry<RegistryContentType>): HubMetrics['store']['observe'] {
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

/**
 * Observes `seconds` in one of the latency histograms, with the trace id of the request as the
 * bucket's exemplar when the metrics keep exemplars and the request's span is sampled.
 */
export function observeLatency<L extends string>(
  metrics: Pick<HubMetrics, 'exemplars'>,
  histogram: Histogram<L>,
  labels: Partial<Record<L, string>>,
  seconds: number,
  traceId: string | undefined,
): void {
  if (!metrics.exemplars) histogram.observe(labels, seconds);
  // prom-client types exemplar labels as the histogram's own label names; trace_id is not one.
  else histogram.observe({ labels, value: seconds, exemplarLabels: (traceId ? { trace_id: traceId } : {}) as Partial<Record<L, string>> });
}
