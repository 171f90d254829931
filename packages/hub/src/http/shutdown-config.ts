import type { ConfigProblems } from '../config/config-problems.ts';

/** How a hub instance stops on SIGTERM/SIGINT (docs/runbook.md, "Stopping a hub"). */
export interface ShutdownConfig {
  /**
   * Milliseconds between the signal and closing the listeners, while `/health/ready` already
   * answers 503 and every response says `Connection: close`: the time a reverse proxy or
   * Kubernetes needs to see the 503 and send new requests elsewhere. Default 5000 in production
   * (Caddy's health_interval and the chart's readiness period are 5 s), 0 in development.
   */
  drainMs: number;
  /**
   * Milliseconds from the signal until the process exits with status 1 if the hub has not closed
   * by then (drain included): a slow client or a hung upstream cannot keep it alive forever.
   * Default 10000; keep it below the supervisor's own kill timeout (Kubernetes'
   * terminationGracePeriodSeconds minus the preStop sleep, systemd's TimeoutStopSec).
   */
  timeoutMs: number;
}

/** Validates the `shutdown` options: the drain must fit inside the deadline. */
export function checkShutdownConfig(p: ConfigProblems, input: Partial<ShutdownConfig>, { mode }: { mode: string }): ShutdownConfig {
  const before = p.list.length;
  const drainMs = p.integer('shutdown.drainMs', input.drainMs ?? (mode === 'production' ? 5_000 : 0), { min: 0, max: 300_000 });
  const timeoutMs = p.integer('shutdown.timeoutMs', input.timeoutMs ?? 10_000, { min: 100, max: 600_000 });
  if (p.list.length === before && drainMs >= timeoutMs) {
    p.add('shutdown.drainMs', `must be less than shutdown.timeoutMs (${timeoutMs}), which the drain is part of, so that in-flight requests have time to finish (got ${drainMs})`);
  }
  return { drainMs, timeoutMs };
}
