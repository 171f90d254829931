import { type FuzzCase, type FuzzTargets, generateCase, type Target } from './generate.ts';
import { type Endpoint, type Outcome, sendCase } from './send.ts';
import type { LogSink } from './stack.ts';

export interface FuzzOptions {
  seed: number;
  requests: number;
  concurrency: number;
  /** A request without an answer (or a close) within this is a hang. */
  deadlineMs: number;
  /** Replays only these case indices (from a report), in order. */
  only?: number[];
  /** Progress lines. */
  out?: (line: string) => void;
}

export interface Offence {
  index: number;
  target: Target;
  method: string;
  path: string;
  headers: string;
  bodyBytes: number;
  delivery: string;
  kinds: string[];
  outcome: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  ms: number;
  byTarget: Record<string, number>;
  byKind: Record<string, number>;
  byDelivery: Record<string, number>;
  /** Status classes (2xx..5xx) and the other outcomes (closed, aborted, hang). */
  outcomes: Record<string, number>;
  statuses: Record<string, number>;
  serverErrors: Offence[];
  hangs: Offence[];
  /** Well-framed requests the server closed without any answer. */
  dropped: Offence[];
  counts: { serverErrors: number; hangs: number; dropped: number };
  errorLines: number;
  errorSamples: LogSink['errors'];
  logLevels: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The hub's readiness check answered 200 after the run. */
  healthyAfter: boolean;
}

const KEEP = 10;

/**
 * Sends `requests` generated cases (or the `only` ones) to the stack, `concurrency` at a time,
 * and collects the verdicts: 5xx answers, hangs, dropped well-framed requests, and the
 * error-level log lines the hub and the apps wrote meanwhile.
 */
export async function runFuzz(targets: FuzzTargets, logs: LogSink, o: FuzzOptions): Promise<FuzzReport> {
  const endpoints: Record<Target, Endpoint> = {
    hub: { port: targets.hub.port, servername: targets.hub.host },
    admin: { port: targets.admin.port },
    app: { port: targets.app.port, servername: targets.app.host },
    express: { port: targets.express.port, servername: targets.express.host },
  };
  const indices = o.only ?? Array.from({ length: o.requests }, (_, i) => i);
  const inFlight = new Set<number>();
  logs.inFlight = () => [...inFlight];
  const report: FuzzReport = {
    seed: o.seed,
    requests: 0,
    ms: 0,
    byTarget: {},
    byKind: {},
    byDelivery: {},
    outcomes: {},
    statuses: {},
    serverErrors: [],
    hangs: [],
    dropped: [],
    counts: { serverErrors: 0, hangs: 0, dropped: 0 },
    errorLines: 0,
    errorSamples: [],
    logLevels: {},
    p50Ms: 0,
    p99Ms: 0,
    maxMs: 0,
    healthyAfter: false,
  };
  const bump = (m: Record<string, number>, k: string) => {
    m[k] = (m[k] ?? 0) + 1;
  };
  const durations: number[] = [];
  const started = performance.now();
  let next = 0;
  let lastProgress = started;

  const offence = (c: FuzzCase, outcome: Outcome): Offence => ({
    index: c.index,
    target: c.target,
    method: c.method,
    path: c.path,
    headers: c.headerSummary,
    bodyBytes: c.bodyBytes,
    delivery: c.delivery,
    kinds: c.kinds,
    outcome: outcome.kind === 'status' ? String(outcome.status) : outcome.kind === 'closed' ? `closed${outcome.error ? ` (${outcome.error})` : ''}` : outcome.kind === 'hang' ? `no answer in ${o.deadlineMs} ms (${outcome.received} bytes)` : outcome.kind,
  });

  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= indices.length) return;
      const c = generateCase(o.seed, indices[i]!, targets);
      inFlight.add(c.index);
      const outcome = await sendCase(endpoints[c.target], c, o.deadlineMs);
      inFlight.delete(c.index);
      report.requests++;
      durations.push(outcome.ms);
      bump(report.byTarget, c.target);
      for (const k of c.kinds) bump(report.byKind, k);
      bump(report.byDelivery, c.delivery);
      if (outcome.kind === 'status') {
        bump(report.outcomes, `${Math.floor(outcome.status / 100)}xx`);
        bump(report.statuses, String(outcome.status));
        if (outcome.status >= 500) {
          report.counts.serverErrors++;
          if (report.serverErrors.length < KEEP) report.serverErrors.push(offence(c, outcome));
        }
      } else {
        bump(report.outcomes, outcome.kind);
        if (outcome.kind === 'hang') {
          report.counts.hangs++;
          if (report.hangs.length < KEEP) report.hangs.push(offence(c, outcome));
        } else if (outcome.kind === 'closed' && c.expect === 'answer') {
          report.counts.dropped++;
          if (report.dropped.length < KEEP) report.dropped.push(offence(c, outcome));
        }
      }
      const now = performance.now();
      if (o.out && now - lastProgress > 10_000) {
        lastProgress = now;
        o.out(`fuzz: ${report.requests}/${indices.length} requests, ${Math.round((now - started) / 1000)} s, 5xx ${report.counts.serverErrors}, hangs ${report.counts.hangs}, error lines ${logs.errorLines}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, indices.length) }, worker));
  report.ms = Math.round(performance.now() - started);

  // Error lines written just after the last answer (a background task of a request) still count.
  await new Promise((r) => setTimeout(r, 500));
  report.healthyAfter = await sendCase(
    endpoints.hub,
    { index: -1, target: 'hub', method: 'GET', path: '/health/ready', headerSummary: '', bodyBytes: 0, kinds: [], delivery: 'whole', expect: 'answer', chunks: [Buffer.from(`GET /health/ready HTTP/1.1\r\nhost: ${targets.hub.host}:${targets.hub.port}\r\nconnection: close\r\n\r\n`)] },
    o.deadlineMs,
  ).then((r) => r.kind === 'status' && r.status === 200);
  durations.sort((a, b) => a - b);
  report.p50Ms = durations[Math.floor(durations.length * 0.5)] ?? 0;
  report.p99Ms = durations[Math.floor(durations.length * 0.99)] ?? 0;
  report.maxMs = durations.at(-1) ?? 0;
  report.errorLines = logs.errorLines;
  report.errorSamples = logs.errors;
  for (const [level, n] of logs.counts) report.logLevels[String(level)] = n;
  return report;
}

/** The report as printed: the mix, the outcomes, then the first offending requests of each kind. */
export function renderFuzzReport(r: FuzzReport): string {
  const pct = (n: number) => `${((100 * n) / Math.max(1, r.requests)).toFixed(1)}%`;
  const table = (m: Record<string, number>) =>
    Object.entries(m)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n} (${pct(n)})`)
      .join(', ');
  const lines = [
    `fuzz: seed ${r.seed}, ${r.requests} requests in ${(r.ms / 1000).toFixed(1)} s (${Math.round((r.requests * 1000) / Math.max(1, r.ms))}/s); latency p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${r.maxMs} ms`,
    `  targets:    ${table(r.byTarget)}`,
    `  mutations:  ${table(r.byKind)}`,
    `  delivery:   ${table(r.byDelivery)}`,
    `  outcomes:   ${table(r.outcomes)}`,
    `  statuses:   ${Object.entries(r.statuses).sort().map(([s, n]) => `${s}:${n}`).join(' ')}`,
    `  log levels: ${Object.entries(r.logLevels).sort().map(([l, n]) => `${l}:${n}`).join(' ') || '(none)'}`,
    `  verdict:    5xx ${r.counts.serverErrors}, hangs ${r.counts.hangs}, dropped ${r.counts.dropped}, error-level log lines ${r.errorLines}, hub ready after: ${r.healthyAfter ? 'yes' : 'NO'}`,
  ];
  const show = (title: string, list: Offence[]) => {
    if (list.length === 0) return;
    lines.push(`  first ${title} (replay one: FUZZ_SEED=${r.seed} FUZZ_ONLY=<index> npm run fuzz):`);
    for (const f of list) lines.push(`    #${f.index} ${f.target} ${f.method} ${f.path} → ${f.outcome}; ${f.delivery}, ${f.bodyBytes} B body, [${f.kinds.join(',')}]${f.headers ? `; ${f.headers}` : ''}`);
  };
  show('5xx', r.serverErrors);
  show('hangs', r.hangs);
  show('dropped requests', r.dropped);
  if (r.errorSamples.length > 0) {
    lines.push('  first error-level log lines (with the cases in flight when each was written):');
    for (const e of r.errorSamples.slice(0, KEEP)) lines.push(`    [${e.source}] ${e.line.slice(0, 600)}\n      in flight: ${e.inFlight.join(', ')}`);
  }
  return lines.join('\n');
}

/** True when the run meets issue 19: no 5xx, no hang, no dropped request, no error-level line. */
export function fuzzPassed(r: FuzzReport): boolean {
  return r.counts.serverErrors === 0 && r.counts.hangs === 0 && r.counts.dropped === 0 && r.errorLines === 0 && r.healthyAfter;
}
