import { describe, expect, it } from 'vitest';
import { problemsOf } from '../../test/helpers/problems-of.ts';
import { checkConfig } from './check-config.ts';
import { loadConfig } from './load-config.ts';

const base = { publicUrl: 'https://login.example.com' };
const env = { SSOHUB_PUBLIC_URL: 'https://login.example.com' };
const production = { ...base, mode: 'production' as const, admin: { token: 'a-very-long-admin-token-0123456789' } };

describe('admin.trustProxy: the admin listener believes X-Forwarded-For only when told', () => {
  it('is false by default, whatever the public listener trusts', () => {
    expect(checkConfig({ ...base, trustProxy: 1 }).admin.trustProxy).toBe(false);
  });

  it('takes a hop count, proxy addresses or true in development, from the file or SSOHUB_ADMIN_TRUST_PROXY', () => {
    expect(checkConfig({ ...base, admin: { trustProxy: 1 } }).admin.trustProxy).toBe(1);
    expect(checkConfig({ ...base, admin: { trustProxy: ['10.0.0.0/8', '::1'] } }).admin.trustProxy).toEqual(['10.0.0.0/8', '::1']);
    expect(checkConfig({ ...base, admin: { trustProxy: true } }).admin.trustProxy).toBe(true);
    expect(loadConfig({ ...env, SSOHUB_ADMIN_TRUST_PROXY: '2' }).admin.trustProxy).toBe(2);
    expect(loadConfig({ ...env, SSOHUB_ADMIN_TRUST_PROXY: '10.0.0.1, 10.0.0.2' }).admin.trustProxy).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(loadConfig({ ...env, SSOHUB_ADMIN_TRUST_PROXY: 'false' }).admin.trustProxy).toBe(false);
  });

  it('is checked as trustProxy is, each problem named admin.trustProxy (and its variable)', () => {
    expect(problemsOf(() => checkConfig({ ...base, admin: { trustProxy: 11 } }))).toEqual(['admin.trustProxy must be an integer >= 0 and <= 10 (got 11)']);
    expect(problemsOf(() => checkConfig({ ...base, admin: { trustProxy: ['proxy.internal'] } }))).toEqual([
      'admin.trustProxy must be false, a number of proxy hops (0-10), or a list of proxy addresses/CIDR ranges (got ["proxy.internal"])',
    ]);
    // Only admin's problems: this production file lacks what the rest of production asks for.
    expect(problemsOf(() => checkConfig({ ...production, admin: { ...production.admin, trustProxy: true } })).filter((p) => p.startsWith('admin.'))).toEqual([
      expect.stringMatching(/^admin\.trustProxy must not be true in production: it believes any X-Forwarded-For a client sends/),
    ]);
    expect(problemsOf(() => loadConfig({ ...env, SSOHUB_ADMIN_TRUST_PROXY: 'yes' }))).toEqual([
      'admin.trustProxy (SSOHUB_ADMIN_TRUST_PROXY) must be false, a number of proxy hops (0-10), or a list of proxy addresses/CIDR ranges (got ["yes"])',
    ]);
  });
});

describe('admin.allowedHosts: the names the admin listener answers to besides loopback and admin.host', () => {
  it('is empty by default', () => {
    expect(checkConfig(base).admin.allowedHosts).toEqual([]);
  });

  it('takes host names, IPv4 addresses and bracketed IPv6 ones, in lower case, from the file or SSOHUB_ADMIN_ALLOWED_HOSTS', () => {
    expect(checkConfig({ ...base, admin: { allowedHosts: ['Admin.SSO.internal', 'hub_1', 'hub-2', '10.0.0.5', '[FD00::5]'] } }).admin.allowedHosts).toEqual([
      'admin.sso.internal',
      'hub_1',
      'hub-2',
      '10.0.0.5',
      '[fd00::5]',
    ]);
    expect(loadConfig({ ...env, SSOHUB_ADMIN_ALLOWED_HOSTS: 'hub-1, hub-2' }).admin.allowedHosts).toEqual(['hub-1', 'hub-2']);
  });

  it('refuses what is not one host name, each entry named by its index', () => {
    const bad = ['https://admin.example', 'admin.example:8081', '*.example', 'admin.example/console', '', 'a..b', '-admin', 'fd00::5', 'x'.repeat(64)];
    const problems = problemsOf(() => checkConfig({ ...base, admin: { allowedHosts: bad } }));
    expect(problems).toHaveLength(bad.length);
    for (const [i, value] of bad.entries()) {
      expect(problems[i]).toBe(`admin.allowedHosts[${i}] must be a host name or IP address such as admin.sso.internal, 10.0.0.5 or [fd00::5], without scheme, port, path or wildcard (got ${JSON.stringify(value)})`);
    }
    expect(problemsOf(() => checkConfig({ ...base, admin: { allowedHosts: 'hub-1' as unknown as string[] } }))).toEqual(['admin.allowedHosts must be an array of strings (got "hub-1")']);
    expect(problemsOf(() => loadConfig({ ...env, SSOHUB_ADMIN_ALLOWED_HOSTS: 'hub-1,hub-1:8081' }))).toEqual([
      'admin.allowedHosts[1] (SSOHUB_ADMIN_ALLOWED_HOSTS) must be a host name or IP address such as admin.sso.internal, 10.0.0.5 or [fd00::5], without scheme, port, path or wildcard (got "hub-1:8081")',
    ]);
  });
});
