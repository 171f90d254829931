import { describe, expect, it } from 'vitest';
import { EXIT } from '../../errors/exit-codes.ts';
import { runCli } from '../../../test/run-cli.ts';

// The admin URL points nowhere: each refusal here happens before the hub is asked.
const env = { SSOHUB_ADMIN_URL: 'http://127.0.0.1:9', SSOHUB_ADMIN_TOKEN: 'unit-test-admin-token-0123456789abcdef' };

describe('ssohub clients create: offline_access', () => {
  it.each([
    ['case=no grant type (authorization_code only)', ['--scope', 'openid offline_access']],
    ['case=authorization_code only', ['--scope', 'openid email offline_access', '--grant-type', 'authorization_code']],
  ])('%s: refused, naming both ways out', async (_case, extra) => {
    const res = await runCli(['clients', 'create', '--id', 'app-x', '--redirect-uri', 'https://app-x.test/cb', ...extra], env);
    expect(res.code, res.stderr).toBe(EXIT.USAGE);
    expect(res.stderr).toMatch(/offline_access needs the refresh_token grant/);
    expect(res.stderr).toContain('--grant-type refresh_token');
    expect(res.stderr).toContain('drop offline_access from --scope');
  });

  it('case=the refresh_token grant: passes the check and goes on to the hub', async () => {
    const res = await runCli(
      ['clients', 'create', '--id', 'app-x', '--redirect-uri', 'https://app-x.test/cb', '--scope', 'openid offline_access', '--grant-type', 'authorization_code', '--grant-type', 'refresh_token'],
      env,
    );
    expect(res.code).toBe(EXIT.UNREACHABLE);
    expect(res.stderr).not.toMatch(/offline_access/);
  });
});

describe('ssohub clients create --service', () => {
  it('needs at least one --resource', async () => {
    const res = await runCli(['clients', 'create', '--service', '--id', 'svc-x'], env);
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.stderr).toMatch(/--service needs at least one --resource <uri>/);
  });

  it.each([
    ['case=redirect URI', ['--redirect-uri', 'https://svc.test/cb'], '--redirect-uri'],
    ['case=scope', ['--scope', 'openid'], '--scope'],
    ['case=grant type', ['--grant-type', 'refresh_token'], '--grant-type'],
    ['case=first party', ['--first-party'], '--first-party/--no-first-party'],
    ['case=refresh lifetime', ['--refresh-token-ttl', '3600'], '--refresh-token-ttl'],
  ])('%s: refused, naming the option', async (_case, extra, option) => {
    const res = await runCli(['clients', 'create', '--service', '--id', 'svc-x', '--resource', 'https://api.test', ...extra], env);
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.stderr).toContain(`--service cannot take ${option}`);
  });

  it('case=public client: refused', async () => {
    const res = await runCli(['clients', 'create', '--service', '--id', 'svc-x', '--resource', 'https://api.test', '--auth-method', 'none'], env);
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.stderr).toMatch(/--service needs a confidential client/);
  });

  it('case=resources given: passes the checks and goes on to the hub', async () => {
    const res = await runCli(['clients', 'create', '--service', '--id', 'svc-x', '--resource', 'https://api.test', '--resource', 'https://api2.test'], env);
    expect(res.code).toBe(EXIT.UNREACHABLE);
  });
});
