import { describe, expect, it } from 'vitest';
import { checkReturnTo } from './check-return-to.ts';

const policy = { publicUrl: 'https://login.sso.test', allowedReturnOrigins: ['https://app-a.test:8443'] };

describe('checkReturnTo', () => {
  it('accepts the hub, its paths and allow-listed app origins', () => {
    expect(checkReturnTo(undefined, policy)).toBeUndefined();
    expect(checkReturnTo('/settings', policy)).toBe('https://login.sso.test/settings');
    expect(checkReturnTo('https://login.sso.test/interaction/x', policy)).toBe('https://login.sso.test/interaction/x');
    expect(checkReturnTo('https://app-a.test:8443/cb?x=1', policy)).toBe('https://app-a.test:8443/cb?x=1');
  });

  it.each([
    'https://evil.example/',
    '//evil.example/',
    '/\\evil.example/',
    'https://app-a.test/', // same host, other port: another origin
    'http://app-a.test:8443/', // downgraded scheme
    'javascript:alert(1)',
    'https://user:pw@login.sso.test/',
    'https://login.sso.test.evil.example/',
  ])('refuses %s with SSOHUB_ERR_RETURN_TO_REFUSED', (value) => {
    expect(() => checkReturnTo(value, policy)).toThrow(expect.objectContaining({ code: 'SSOHUB_ERR_RETURN_TO_REFUSED', status: 400 }));
  });
});
