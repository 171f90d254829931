import { describe, expect, it } from 'vitest';
import { checkConfig } from '../config/check-config.ts';
import { loadConfig } from '../config/load-config.ts';
import { ConfigError } from '../errors/ssohub-error.ts';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('shutdown options', () => {
  it('drain for 5 s in production and not at all in development, within a 10 s deadline', () => {
    const production = checkConfig({ mode: 'production', publicUrl: 'https://login.example.com' }, { only: ['shutdown'] });
    expect(production.shutdown).toEqual({ drainMs: 5_000, timeoutMs: 10_000 });
    const development = loadConfig({ SSOHUB_PUBLIC_URL: 'http://127.0.0.1:8080' });
    expect(development.shutdown).toEqual({ drainMs: 0, timeoutMs: 10_000 });
  });

  it('are read from SSOHUB_SHUTDOWN_DRAIN_MS and SSOHUB_SHUTDOWN_TIMEOUT_MS', () => {
    const config = loadConfig({ SSOHUB_PUBLIC_URL: 'http://127.0.0.1:8080', SSOHUB_SHUTDOWN_DRAIN_MS: '2000', SSOHUB_SHUTDOWN_TIMEOUT_MS: '20000' });
    expect(config.shutdown).toEqual({ drainMs: 2_000, timeoutMs: 20_000 });
  });

  it('refuse a drain that leaves no time to finish requests, and name the option', () => {
    expect(problemsOf(() => loadConfig({ SSOHUB_PUBLIC_URL: 'http://127.0.0.1:8080', SSOHUB_SHUTDOWN_DRAIN_MS: '10000' }))).toEqual([
      'shutdown.drainMs (SSOHUB_SHUTDOWN_DRAIN_MS) must be less than shutdown.timeoutMs (10000), which the drain is part of, so that in-flight requests have time to finish (got 10000)',
    ]);
    expect(problemsOf(() => loadConfig({ SSOHUB_PUBLIC_URL: 'http://127.0.0.1:8080', SSOHUB_SHUTDOWN_TIMEOUT_MS: 'soon' }))).toEqual([
      'shutdown.timeoutMs (SSOHUB_SHUTDOWN_TIMEOUT_MS) must be an integer >= 100 and <= 600000 (got "soon")',
    ]);
  });
});
