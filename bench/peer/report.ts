/** @file The table `npm run bench:peer` prints: every run, then per operation the pairs' ratios against the issue's targets. */
import type { PeerOperation, PeerRunStats, Stack } from './protocol.ts';

/** One timed run of one operation on one stack, with CPU milliseconds per operation by process group. */
export interface Measured {
  round: number;
  stack: Stack;
  operation: PeerOperation;
  stats: PeerRunStats;
  rate: number;
  cpuMs: Record<'hub' | 'redis' | 'hydra' | 'app' | 'kratos' | 'kratosPg' | 'hydraPg' | 'driver', number>;
}

const LABEL: Record<PeerOperation, string> = {
  'sso-hop': 'SSO hop (authorize with a session → code → token)',
  refresh: 'Refresh-token grant (rotation)',
  'client-credentials': 'client_credentials (audience-restricted)',
  signin: 'First password sign-in (Kratos bcrypt)',
};

/** What the issue asks of each pair: hub/Hydra throughput at least `rate`, and for SSO hops p99 at most a fifth. */
const TARGET: Record<PeerOperation, { rate: number; text: string }> = {
  'sso-hop': { rate: 10, text: '≥ 10× and p99 ≤ ⅕' },
  refresh: { rate: 5, text: '≥ 5×' },
  'client-credentials': { rate: 3, text: '≥ 3× (Hydra: PBKDF2 25,000 iterations, its default)' },
  signin: { rate: 0.9, text: 'within 10% (hub ≥ 0.9×)' },
};

const fmt = (ms: number) => (Number.isFinite(ms) ? (ms < 10 ? ms.toFixed(2) : ms.toFixed(1)) : '–');
const rate = (r: number) => r.toFixed(r < 10 ? 1 : 0);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : Number.NaN;
};

/** CPU ms per operation of the processes that serve a stack (Kratos and its database serve both). */
export function stackCpu(m: Measured): number {
  const c = m.cpuMs;
  return m.stack === 'hub' ? c.hub + c.redis + c.kratos + c.kratosPg : c.hydra + c.app + c.kratos + c.kratosPg + c.hydraPg;
}

/** Prints the report on stdout and answers the total number of failed operations. */
export function printReport(r: {
  started: Date;
  machine: string;
  speed: string;
  settings: { rowSeconds: number; rounds: number; concurrency: number; signinConcurrency: number };
  results: Measured[];
  warnings: string[];
}): number {
  const out: string[] = [];
  const s = r.settings;
  out.push(`SSO Hub against Ory Hydra v2.3.0 + Kratos, ${r.started.toISOString()}`);
  out.push(`machine: ${r.machine}; ${s.rounds} rounds of ${s.rowSeconds} s per operation and stack, closed loop, ${s.concurrency} browsers/clients (first sign-ins: ${s.signinConcurrency})`);
  out.push('one Kratos v1.3.1 on PostgreSQL serves both stacks; Hydra on its own PostgreSQL database; the hub on Redis');
  out.push(`machine speed: ${r.speed}`);
  out.push('');
  out.push('Every run (CPU: milliseconds per operation, by process):');
  out.push('');
  out.push('| round | operation | stack | ops/s | p50 ms | p99 ms | errors | hub | Redis | Hydra | login/consent app | Kratos | PG (Kratos) | PG (Hydra) | stack total | load driver |');
  out.push('|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const m of r.results) {
    const c = m.cpuMs;
    const mine = (v: number, owner: Stack) => (m.stack === owner ? fmt(v) : fmt(v) === '0.00' ? '–' : fmt(v));
    out.push(
      `| ${m.round} | ${m.operation} | ${m.stack === 'hub' ? 'hub' : 'Hydra + Kratos'} | ${rate(m.rate)} | ${fmt(m.stats.p50)} | ${fmt(m.stats.p99)} | ${m.stats.errors} | ` +
        `${mine(c.hub, 'hub')} | ${mine(c.redis, 'hub')} | ${mine(c.hydra, 'hydra')} | ${mine(c.app, 'hydra')} | ${fmt(c.kratos)} | ${fmt(c.kratosPg)} | ${mine(c.hydraPg, 'hydra')} | ${fmt(stackCpu(m))} | ${fmt(c.driver)} |`,
    );
  }
  out.push('');
  out.push('Per operation: medians over the rounds, and each round\'s pair (hub ÷ Hydra + Kratos, measured back to back):');
  out.push('');
  out.push('| operation | hub ops/s | Hydra + Kratos ops/s | ratio per pair | hub p50 / p99 ms | Hydra p50 / p99 ms | p99 hub ÷ Hydra per pair | stack CPU ms/op hub / Hydra | target | met |');
  out.push('|---|---:|---:|---|---:|---:|---|---:|---|---|');
  for (const op of [...new Set(r.results.map((m) => m.operation))]) {
    const rounds = [...new Set(r.results.filter((m) => m.operation === op).map((m) => m.round))];
    const pairs = rounds.map((round) => {
      const hub = r.results.find((m) => m.operation === op && m.round === round && m.stack === 'hub')!;
      const hydra = r.results.find((m) => m.operation === op && m.round === round && m.stack === 'hydra')!;
      return { hub, hydra, ratio: hub.rate / hydra.rate, p99: hub.stats.p99 / hydra.stats.p99 };
    });
    const side = (k: 'hub' | 'hydra') => pairs.map((p) => p[k]);
    const med = (k: 'hub' | 'hydra', f: (m: Measured) => number) => median(side(k).map(f));
    const t = TARGET[op];
    const pairMet = (p: (typeof pairs)[number]) => p.ratio >= t.rate && (op !== 'sso-hop' || p.p99 <= 0.2) && p.hub.stats.errors === 0 && p.hydra.stats.errors === 0;
    const metCount = pairs.filter(pairMet).length;
    const met = metCount === pairs.length ? 'yes, every pair' : metCount === 0 ? 'no' : `in ${metCount} of ${pairs.length} pairs`;
    out.push(
      `| ${LABEL[op]} | ${rate(med('hub', (m) => m.rate))} | ${rate(med('hydra', (m) => m.rate))} | ${pairs.map((p) => `${p.ratio.toFixed(2)}×`).join(', ')} | ` +
        `${fmt(med('hub', (m) => m.stats.p50))} / ${fmt(med('hub', (m) => m.stats.p99))} | ${fmt(med('hydra', (m) => m.stats.p50))} / ${fmt(med('hydra', (m) => m.stats.p99))} | ` +
        `${pairs.map((p) => p.p99.toFixed(2)).join(', ')} | ${fmt(med('hub', stackCpu))} / ${fmt(med('hydra', stackCpu))} | ${t.text} | ${met} |`,
    );
  }
  out.push('');
  out.push('Hydra hashes client secrets with PBKDF2 (25,000 iterations, its default), checked on every token request of a confidential');
  out.push('client; the hub keeps the secrets it generates (256 random bits) as one SHA-256 digest (decision 0012). Hydra\'s login/consent app checks the Kratos session (whoami) on');
  out.push('every authorization; Hydra never asks Kratos on refresh, the hub does on every SSO hop and refresh (decision 0004).');
  if (r.warnings.length) out.push(`\nerrors logged by the hub or Hydra (last ${r.warnings.length}):\n${r.warnings.join('\n')}`);
  let errors = 0;
  for (const m of r.results) {
    errors += m.stats.errors;
    if (m.stats.errors) out.push(`\nerrors in round ${m.round} ${m.stack} ${m.operation} (${m.stats.errors}), first ones: ${m.stats.errorSamples.join(' | ')}`);
  }
  out.push(`\ntotal errors: ${errors}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return errors;
}
