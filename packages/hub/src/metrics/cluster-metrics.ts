import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry, type RegistryContentType } from 'prom-client';

/**
 * One scrape of the admin listener's /metrics answers for the whole process tree of the cluster
 * (cluster.ts): the admin listener runs in worker 1 only, so worker 1 asks the primary, the
 * primary asks every worker for its registries (prom-client's AggregatorRegistry, over the
 * cluster's IPC channel) and answers with their aggregate: counters and histograms summed,
 * gauges as each declares (`aggregator`). The primary serves no HTTP and keeps no counters.
 */
const REQUEST = 'ssohub:metrics-request';
const ANSWER = 'ssohub:metrics-answer';

interface MetricsAnswer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** In the primary: answers a worker's request for the cluster's aggregate. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: unknown; id?: unknown }) => {
    if (message?.type !== REQUEST || typeof message.id !== 'number') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: ANSWER, id, text } satisfies MetricsAnswer),
      (err: Error) => worker.isConnected() && worker.send({ type: ANSWER, id, error: err.message } satisfies MetricsAnswer),
    );
  });
}

let shared = false;

/** In a worker: hands `registries` to the primary's aggregator when asked, and lets /metrics ask for the aggregate. */
export function shareClusterMetrics(registries: Registry<RegistryContentType>[]): void {
  // Constructing one installs prom-client's worker-side listener for the primary's requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries(registries);
  shared = true;
}

let nextId = 0;
const pending = new Map<number, (answer: MetricsAnswer) => void>();

/**
 * The cluster's aggregate as Prometheus text, or undefined outside a cluster worker that shares
 * its metrics (one process: the caller serves its own registries). Rejects when the primary
 * could not collect every worker's metrics (a worker still starting: prom-client waits 5 s).
 */
export function clusterMetricsText(): Promise<string> | undefined {
  if (!shared || !cluster.isWorker || !process.send) return undefined;
  if (pending.size === 0) process.on('message', onAnswer);
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => settle({ type: ANSWER, id, error: 'the cluster primary did not answer' }), 6_000);
    const settle = (answer: MetricsAnswer) => {
      clearTimeout(timer);
      pending.delete(id);
      if (pending.size === 0) process.off('message', onAnswer);
      if (answer.text !== undefined) resolve(answer.text);
      else reject(new Error(`could not aggregate the cluster's metrics: ${answer.error}`));
    };
    pending.set(id, settle);
    process.send!({ type: REQUEST, id });
  });
}

function onAnswer(message: Partial<MetricsAnswer>): void {
  if (message?.type === ANSWER && typeof message.id === 'number') pending.get(message.id)?.(message as MetricsAnswer);
}
