import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SsoClientError } from '../src/errors.ts';
import { checkReturnTo } from '../src/sign-in/check-return-to.ts';

const PIECES = [
  '/', '//', '\\', '/\\', '\\\\', '.', '..', '/./', '/../', '@', ':', '?', '#', '%2f', '%5c', '%2e', '%2e%2e', '\t', '\n', ' ', '\u0000', '\u3002', '\uff0f',
  'https:', 'javascript:', 'evil.example', 'app.example', 'user:pw@', 'orders', 'id=1',
];
const payload = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));

describe('checkReturnTo (SDK) keeps the browser on the app (property)', () => {
  it('returns a path that resolves on the app itself from any page of it, or refuses', () => {
    fc.assert(
      fc.property(fc.oneof(payload, fc.string({ maxLength: 60 })), (value) => {
        let result: string;
        try {
          result = checkReturnTo(value);
        } catch (err) {
          expect(err).toBeInstanceOf(SsoClientError);
          return;
        }
        expect(result.startsWith('/')).toBe(true);
        expect(result.startsWith('//') || result.startsWith('/\\')).toBe(false);
        for (const page of ['https://app.example/', 'https://app.example/a/b?c=d', 'https://app.example/auth/callback']) {
          expect(new URL(result, page).origin, `${JSON.stringify(value)} -> ${result}`).toBe('https://app.example');
        }
      }),
      { numRuns: 3000 },
    );
  });
});
