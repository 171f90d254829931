import { describe, expect, it } from 'vitest';
import { ConfigProblems } from '../config/config-problems.ts';
import { checkGuardConfig, GUARD_DEFAULTS } from './guard-config.ts';

describe('guard configuration', () => {
  it('fills the documented defaults', () => {
    const p = new ConfigProblems();
    expect(checkGuardConfig(p, {}, { mode: 'production' })).toEqual(GUARD_DEFAULTS);
    expect(p.list).toEqual([]);
  });

  it('names each bad option by its dotted path', () => {
    const p = new ConfigProblems();
    checkGuardConfig(
      p,
      {
        lockout: { threshold: 0, growthFactor: 20, durationMs: 10_000, maxDurationMs: 5_000, identifierThreshold: 3, mode: 'ip' as never },
        ip: { burst: 1.5 },
        codes: { sendsPerAddress: -1 },
        token: { clientPerMinute: 'fast' as never },
        pendingTimeoutMs: 10,
      },
      { mode: 'development' },
    );
    const paths = p.list.map((l) => l.split(' ')[0]);
    expect(paths).toEqual([
      'guard.lockout.mode',
      'guard.lockout.threshold',
      'guard.lockout.growthFactor',
      'guard.lockout.maxDurationMs',
      'guard.ip.burst',
      'guard.codes.sendsPerAddress',
      'guard.token.clientPerMinute',
      'guard.pendingTimeoutMs',
    ]);
  });

  it('refuses an identifier-wide bar at or below the identifier+IP bar', () => {
    const p = new ConfigProblems();
    checkGuardConfig(p, { lockout: { threshold: 5, identifierThreshold: 5 } }, { mode: 'development' });
    expect(p.list).toEqual(['guard.lockout.identifierThreshold must be greater than guard.lockout.threshold (5) in mode "identifier-ip-first"']);
    const q = new ConfigProblems();
    checkGuardConfig(q, { lockout: { mode: 'identifier', threshold: 5, identifierThreshold: 5 } }, { mode: 'development' });
    expect(q.list).toEqual([]);
  });
});
