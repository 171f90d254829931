import type { Logger } from 'pino';
import type { ShutdownConfig } from './shutdown-config.ts';

/** What shutDownOnSignals stops: a hub (app.ts), or anything closing the same way. */
export interface Closable {
  close(options: { drainMs: number }): Promise<void>;
}

export interface ShutDownOnSignalsOptions {
  log: Logger;
  shutdown: Readonly<ShutdownConfig>;
  /** Ends the process; replaced in unit tests. */
  exit?: (code: number) => void;
}

/**
 * Stops `hub` on the first SIGTERM or SIGINT, for server.ts and every cluster worker alike:
 * readiness turns 503 and responses say `Connection: close` for `shutdown.drainMs`, then the
 * listeners close once in-flight requests finish, then Redis and the back-channel deliverer
 * (hub.close). Exits 0 when done, or 1 with a log line when `shutdown.timeoutMs` (counted from
 * the signal) passes first: a supervisor waiting on the process learns it did not stop cleanly.
 * A second signal changes nothing: a cluster primary and a process-group kill (systemd,
 * Ctrl-C in a terminal) both deliver one to each worker.
 */
export function shutDownOnSignals(hub: Closable, { log, shutdown, exit = (code) => process.exit(code) }: ShutDownOnSignalsOptions): (signal: string) => Promise<void> {
  let started = false;
  const stop = async (signal: string) => {
    if (started) {
      log.info({ signal }, 'already shutting down');
      return;
    }
    started = true;
    const startedAt = Date.now();
    const { drainMs, timeoutMs } = shutdown;
    log.info({ signal, drainMs, timeoutMs }, 'shutting down: readiness answers 503, draining');
    // Not unref'd: a close that never settles must still end in exit(1), not in a silent exit 0.
    const deadline = setTimeout(() => {
      log.error({ timeoutMs, elapsedMs: Date.now() - startedAt }, 'hub did not shut down within shutdown.timeoutMs; exiting with status 1');
      exit(1);
    }, timeoutMs);
    try {
      await hub.close({ drainMs });
    } catch (err) {
      clearTimeout(deadline);
      log.error({ err }, 'error while shutting down the hub');
      exit(1);
      return;
    }
    clearTimeout(deadline);
    log.info({ elapsedMs: Date.now() - startedAt }, 'hub shut down');
    exit(0);
  };
  const onSignal = (signal: NodeJS.Signals) => void stop(signal);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return stop;
}
