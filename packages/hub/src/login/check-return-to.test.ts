import { describe, expect, it } from 'vitest';
import { t } from '../i18n/translate.ts';
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

  it('says why in English for logs and APIs, and in the user\'s language on the page', () => {
    const refusal = (value: string) => {
      try {
        checkReturnTo(value, policy);
      } catch (err) {
        return err as { message: string; text?: { key: Parameters<typeof t>[0]; values?: Parameters<typeof t>[1] } };
      }
      throw new Error(`${value} was accepted`);
    };
    const foreign = refusal('https://evil.example/x');
    expect(foreign.message).toBe(
      'The link that brought you here asks to send you on to evil.example after signing in, but that is not an app registered with this sign-in service. Nothing was done. Go back to the app you came from and start again, or contact its administrator.',
    );
    expect(refusal('javascript:alert(1)').message).toContain('but it is not a web address.');
    expect(refusal('https://user:pw@login.sso.test/').message).toContain('but it carries credentials.');
    const { key, values } = foreign.text ?? { key: 'flows.links.home' };
    expect(t(key, values, 'de')).toContain('nach der Anmeldung zu evil.example weiterleiten, aber das ist keine bei diesem Anmeldedienst registrierte App.');
  });
});
