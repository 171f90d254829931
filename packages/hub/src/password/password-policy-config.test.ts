import { describe, expect, it } from 'vitest';
import { checkConfig } from '../config/check-config.ts';
import { loadConfig } from '../config/load-config.ts';
import { ConfigError } from '../errors/ssohub-error.ts';
import { kratosPasswordMethod } from './password-policy-config.ts';

const base = { publicUrl: 'http://localhost:8080' };

describe('passwordPolicy.minLength', () => {
  it('defaults to 12', () => {
    expect(checkConfig(base).passwordPolicy.minLength).toBe(12);
  });

  it('is read from SSOHUB_PASSWORD_MIN_LENGTH', () => {
    expect(loadConfig({ SSOHUB_PUBLIC_URL: 'http://localhost:8080', SSOHUB_PASSWORD_MIN_LENGTH: '16' }).passwordPolicy.minLength).toBe(16);
  });

  it.each([7, 65, 12.5, '12'])('refuses %j, naming the option', (minLength) => {
    expect(() => checkConfig({ ...base, passwordPolicy: { minLength: minLength as number } })).toThrow(ConfigError);
    try {
      checkConfig({ ...base, passwordPolicy: { minLength: minLength as number } });
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toMatch(/^passwordPolicy\.minLength must be an integer >= 8 and <= 64/);
    }
  });

  it("becomes Kratos' min_password_length", () => {
    expect(kratosPasswordMethod({ minLength: 14 })).toEqual({ password: { config: { min_password_length: 14 } } });
  });
});
