import { describe, expect, it } from 'vitest';
import { checkConfig } from '../config/check-config.ts';

const base = { publicUrl: 'http://login.localhost:4000' };

describe('admin.console', () => {
  it('defaults to 15 minutes idle and 8 hours at most', () => {
    expect(checkConfig(base).admin.console).toEqual({ idleTimeoutMs: 15 * 60_000, maxAgeMs: 8 * 3_600_000 });
  });

  it('refuses bounds outside a minute and a day, and an idle timeout longer than the whole, naming the option', () => {
    expect(() => checkConfig({ ...base, admin: { console: { idleTimeoutMs: 1_000 } } })).toThrow(/admin\.console\.idleTimeoutMs must be an integer >= 60000/);
    expect(() => checkConfig({ ...base, admin: { console: { maxAgeMs: 7 * 24 * 3_600_000 } } })).toThrow(/admin\.console\.maxAgeMs must be an integer/);
    expect(() => checkConfig({ ...base, admin: { console: { idleTimeoutMs: 3_600_000, maxAgeMs: 1_800_000 } } })).toThrow(/admin\.console\.idleTimeoutMs must not exceed admin\.console\.maxAgeMs/);
  });
});
