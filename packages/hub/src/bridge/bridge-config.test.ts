import { describe, expect, it } from 'vitest';
import { problemsOf } from '../../test/helpers/problems-of.ts';
import { checkConfig } from '../config/check-config.ts';

describe('bridge.backchannel options', () => {
  const base = { publicUrl: 'http://login.localhost:4000' };

  it('defaults to a 30 s lease, a 500 ms poll and five retries', () => {
    expect(checkConfig(base).bridge.backchannel).toEqual({
      retryDelaysMs: [1_000, 5_000, 30_000, 120_000, 600_000],
      pollIntervalMs: 500,
      leaseMs: 30_000,
    });
  });

  it('refuses a lease shorter than one delivery attempt, naming the option', () => {
    const problems = problemsOf(() => checkConfig({ ...base, bridge: { backchannel: { leaseMs: 2_000 } } }));
    expect(problems).toEqual([expect.stringMatching(/^bridge\.backchannel\.leaseMs must be at least 5000 ms: a lease must outlast one delivery attempt/)]);
  });

  it('refuses a lease that is not an integer', () => {
    const problems = problemsOf(() => checkConfig({ ...base, bridge: { backchannel: { leaseMs: '30s' as unknown as number } } }));
    expect(problems).toEqual([expect.stringMatching(/^bridge\.backchannel\.leaseMs must be an integer/)]);
  });
});

describe('bridge.requireVerifiedEmail (decision 0016)', () => {
  const base = { publicUrl: 'http://login.localhost:4000' };

  it('is on unless set: a deployment without the option gets the policy', () => {
    expect(checkConfig(base).bridge.requireVerifiedEmail).toBe(true);
    expect(checkConfig({ ...base, bridge: { requireVerifiedEmail: false } }).bridge.requireVerifiedEmail).toBe(false);
  });

  it('refuses anything but a boolean, naming the option', () => {
    const problems = problemsOf(() => checkConfig({ ...base, bridge: { requireVerifiedEmail: 'yes' as unknown as boolean } }));
    expect(problems).toEqual([expect.stringMatching(/^bridge\.requireVerifiedEmail /)]);
  });
});
