import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createAccountCsrf } from './account-csrf.ts';

const csrf = createAccountCsrf({ cookieKeys: ['k1'], publicUrl: 'https://login.example.test' });
const request = (headers: Record<string, string> = {}) => ({ headers }) as unknown as FastifyRequest;
const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';

describe('the account page CSRF token', () => {
  it('is the same on every instance with the same cookie key, and differs per Kratos session', () => {
    const again = createAccountCsrf({ cookieKeys: ['k1', 'old'], publicUrl: 'https://login.example.test' });
    expect(again.tokenFor(S1)).toBe(csrf.tokenFor(S1));
    expect(csrf.tokenFor(S1)).not.toBe(csrf.tokenFor(S2));
    expect(createAccountCsrf({ cookieKeys: ['k2'], publicUrl: 'https://login.example.test' }).tokenFor(S1)).not.toBe(csrf.tokenFor(S1));
  });

  it('accepts the session’s own token from the same origin', () => {
    expect(() => csrf.check(request({ origin: 'https://login.example.test', 'sec-fetch-site': 'same-origin' }), S1, csrf.tokenFor(S1))).not.toThrow();
    expect(() => csrf.check(request(), S1, csrf.tokenFor(S1))).not.toThrow();
  });

  it.each([
    ['another session’s token', {}, () => csrf.tokenFor(S2)],
    ['no token', {}, () => undefined],
    ['a token sent twice', {}, () => [csrf.tokenFor(S1), csrf.tokenFor(S1)]],
    ['another origin', { origin: 'https://evil.example.test' }, () => csrf.tokenFor(S1)],
    ['a same-site, cross-origin form', { 'sec-fetch-site': 'same-site' }, () => csrf.tokenFor(S1)],
  ])('refuses %s with SSOHUB_ERR_CSRF', (_label, headers, token) => {
    expect(() => csrf.check(request(headers as Record<string, string>), S1, token())).toThrow(expect.objectContaining({ code: 'SSOHUB_ERR_CSRF', status: 403 }));
  });
});
