import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { shutDownOnSignals } from './graceful-shutdown.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

describe('shutDownOnSignals', () => {
  const before = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
  afterEach(() => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      for (const l of process.listeners(signal)) if (!before[signal].includes(l)) process.off(signal, l);
    }
  });

  it('closes the hub with the configured drain and exits 0', async () => {
    const { log, lines } = capture();
    const calls: unknown[] = [];
    const exits: number[] = [];
    const stop = shutDownOnSignals({ close: async (options) => void calls.push(options) }, { log, shutdown: { drainMs: 7, timeoutMs: 1_000 }, exit: (code) => exits.push(code) });
    await stop('SIGTERM');
    await stop('SIGTERM');
    expect(calls).toEqual([{ drainMs: 7 }]);
    expect(exits).toEqual([0]);
    expect(lines.map((l) => l.msg)).toEqual(['shutting down: readiness answers 503, draining', 'hub shut down', 'already shutting down']);
  });

  it('exits 1 with a log line when the hub does not close within shutdown.timeoutMs', async () => {
    const { log, lines } = capture();
    const exits: number[] = [];
    const startedAt = Date.now();
    void shutDownOnSignals({ close: () => new Promise(() => {}) }, { log, shutdown: { drainMs: 0, timeoutMs: 150 }, exit: (code) => exits.push(code) })('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exits).toEqual([1]);
    const line = lines.find((l) => l.level === 50);
    expect(line).toMatchObject({ msg: 'hub did not shut down within shutdown.timeoutMs; exiting with status 1', timeoutMs: 150 });
    expect(line!.elapsedMs as number).toBeGreaterThanOrEqual(140);
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  it('exits 1 when closing fails', async () => {
    const { log, lines } = capture();
    const exits: number[] = [];
    await shutDownOnSignals({ close: async () => Promise.reject(new Error('boom')) }, { log, shutdown: { drainMs: 0, timeoutMs: 1_000 }, exit: (code) => exits.push(code) })('SIGINT');
    expect(exits).toEqual([1]);
    expect(lines.at(-1)).toMatchObject({ msg: 'error while shutting down the hub', err: { message: 'boom' } });
  });
});
