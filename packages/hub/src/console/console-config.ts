import type { ConfigProblems } from '../config/config-problems.ts';
import { defaultsFromSchema } from '../config/defaults-from-schema.ts';

/** How long a web console session lives (`admin.console`, docs/console.md). */
export interface ConsoleConfig {
  /** Milliseconds without a request after which the session ends. */
  idleTimeoutMs: number;
  /** Milliseconds after sign-in after which the session ends, however busy. */
  maxAgeMs: number;
}

const MIN_MS = 60_000;
const MAX_MS = 24 * 60 * 60 * 1000;

/** Validates `admin.console`: both bounds within a minute and a day, the idle one no longer than the whole. */
export function checkConsoleConfig(p: ConfigProblems, input: Partial<ConsoleConfig>): ConsoleConfig {
  const before = p.list.length;
  const idleTimeoutMs = p.integer('admin.console.idleTimeoutMs', input.idleTimeoutMs ?? defaultsFromSchema('admin.console.idleTimeoutMs'), { min: MIN_MS, max: MAX_MS });
  const maxAgeMs = p.integer('admin.console.maxAgeMs', input.maxAgeMs ?? defaultsFromSchema('admin.console.maxAgeMs'), { min: MIN_MS, max: MAX_MS });
  if (p.list.length === before && idleTimeoutMs > maxAgeMs) {
    p.add('admin.console.idleTimeoutMs', `must not exceed admin.console.maxAgeMs (${maxAgeMs}): a session never lives longer than that (got ${idleTimeoutMs})`);
  }
  return { idleTimeoutMs, maxAgeMs };
}
