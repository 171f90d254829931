import { describe, expect, it } from 'vitest';
import { buildKratosLoginUrl, decideLogin, hasSecondFactor } from './decide-login.ts';

const now = 1_800_000_000;
const session = (ageSeconds: number, aal = 'aal1') => ({ authenticatedAt: now - ageSeconds, aal });

describe('decideLogin', () => {
  it('case=no Kratos session: Kratos login without refresh', () => {
    expect(decideLogin({ params: {}, interactionIat: now, kratos: undefined, now })).toEqual({ action: 'kratos-login', refresh: false, aal: undefined, reason: 'no_session' });
  });

  it('case=no Kratos session and acr_values aal2: first factor first (Kratos refuses aal2 without a session)', () => {
    expect(decideLogin({ params: { acr_values: 'aal2' }, interactionIat: now, kratos: undefined, now })).toEqual({ action: 'kratos-login', refresh: false, aal: undefined, reason: 'no_session' });
  });

  it('case=valid session, plain request: finishes without a page', () => {
    expect(decideLogin({ params: {}, interactionIat: now, kratos: session(30), now })).toEqual({ action: 'finish' });
  });

  it('case=prompt=login with a sign-in older than the request: refresh', () => {
    expect(decideLogin({ params: { prompt: 'login' }, interactionIat: now - 5, kratos: session(60), now })).toMatchObject({ action: 'kratos-login', refresh: true, reason: 'prompt_login' });
  });

  it('case=prompt=login after the user signed in again for this request: finishes (no loop)', () => {
    expect(decideLogin({ params: { prompt: 'login' }, interactionIat: now - 5, kratos: session(2), now })).toEqual({ action: 'finish' });
  });

  it('case=max_age exceeded: refresh; within max_age: finish', () => {
    expect(decideLogin({ params: { max_age: '10' }, interactionIat: now, kratos: session(11), now })).toMatchObject({ action: 'kratos-login', refresh: true, reason: 'max_age' });
    expect(decideLogin({ params: { max_age: 10 }, interactionIat: now, kratos: session(10), now })).toEqual({ action: 'finish' });
  });

  it('case=acr_values aal2 above the session: aal=aal2; at aal2: finish', () => {
    expect(decideLogin({ params: { acr_values: 'aal2' }, interactionIat: now, kratos: session(5), now })).toEqual({ action: 'kratos-login', refresh: false, aal: 'aal2', reason: 'acr_values' });
    expect(decideLogin({ params: { acr_values: 'aal2' }, interactionIat: now, kratos: session(5, 'aal2'), now })).toEqual({ action: 'finish' });
  });

  it('case=acr_values lists aal1 as acceptable: no second factor forced', () => {
    expect(decideLogin({ params: { acr_values: 'aal1 aal2' }, interactionIat: now, kratos: session(5), now })).toEqual({ action: 'finish' });
  });
});

describe('hasSecondFactor', () => {
  it('counts TOTP (and other aal2 credentials), never password or the email code', () => {
    expect(hasSecondFactor({ credentials: { password: {}, code: {}, totp: {} } })).toBe(true);
    expect(hasSecondFactor({ credentials: { password: {}, code: {} } })).toBe(false);
    expect(hasSecondFactor({ credentials: null })).toBe(false);
    expect(hasSecondFactor(undefined)).toBe(false);
  });

  it('counts a security key, not the webauthn credential every identity with an address has, nor a passkey', () => {
    expect(hasSecondFactor({ credentials: { password: {}, webauthn: { identifiers: ['a@example.test'], config: { credentials: [] } } } })).toBe(false);
    expect(hasSecondFactor({ credentials: { webauthn: { identifiers: ['a@example.test'] } } })).toBe(false);
    expect(hasSecondFactor({ credentials: { webauthn: { config: { credentials: [{ is_passwordless: true }] } } } })).toBe(false);
    expect(hasSecondFactor({ credentials: { passkey: { config: { credentials: [{}] } } } })).toBe(false);
    expect(hasSecondFactor({ credentials: { webauthn: { config: { credentials: [{ is_passwordless: false }] } } } })).toBe(true);
    expect(hasSecondFactor({ credentials: { lookup_secret: {} } })).toBe(true);
  });
});

describe('buildKratosLoginUrl', () => {
  it('points at the hub-proxied browser flow and returns to the interaction', () => {
    const url = new URL(buildKratosLoginUrl('https://login.example.com', 'https://login.example.com/interaction/abc', { refresh: true, aal: 'aal2' }));
    expect(url.origin + url.pathname).toBe('https://login.example.com/self-service/login/browser');
    expect(Object.fromEntries(url.searchParams)).toEqual({ return_to: 'https://login.example.com/interaction/abc', refresh: 'true', aal: 'aal2' });
    expect(new URL(buildKratosLoginUrl('https://l.example', 'https://l.example/interaction/x', { refresh: false, aal: undefined })).search).toBe('?return_to=https%3A%2F%2Fl.example%2Finteraction%2Fx');
  });
});
