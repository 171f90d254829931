import type { Registry, RegistryContentType } from 'prom-client';

interface Cell {
  labels: Record<string, string>;
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram for the hottest path, every Redis command: an observation is a map
 * lookup and a few additions. prom-client's Histogram validates and hashes the label set on each
 * `observe` (~0.7 µs, about half the store wrapper's whole cost per command in
 * `npm run bench:store-scope`); here a series is keyed by the caller's string and built once.
 * Scraped like any prom-client metric (`get()`), so cluster aggregation sums it too.
 */
export class LightHistogram {
  readonly name: string;
  readonly help: string;
  readonly #cells = new Map<string, Cell>();
  readonly #bounds: number[];

  constructor(name: string, help: string, bounds: number[], registry: Registry<RegistryContentType>) {
    this.name = name;
    this.help = help;
    this.#bounds = bounds;
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** One observation of the series `key`; `labels` describe it the first time the key is seen. */
  observe(key: string, labels: () => Record<string, string>, value: number): void {
    let cell = this.#cells.get(key);
    if (!cell) {
      cell = { labels: labels(), buckets: new Float64Array(this.#bounds.length), sum: 0, count: 0 };
      this.#cells.set(key, cell);
    }
    cell.sum += value;
    cell.count += 1;
    const bounds = this.#bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        cell.buckets[i]! += 1;
        break;
      }
    }
  }

  /** What prom-client's registry asks each metric for: cumulative buckets, sum and count per series. */
  async get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const cell of this.#cells.values()) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += cell.buckets[i]!;
        values.push({ labels: { le, ...cell.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...cell.labels }, value: cell.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...cell.labels }, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...cell.labels }, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }

  /** Forgets every series (prom-client's registry calls it on `resetMetrics`). */
  reset(): void {
    this.#cells.clear();
  }
}
