import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { checkReturnTo } from './check-return-to.ts';

// Pieces open-redirect payloads are made of: scheme tricks, host-relative forms, backslashes,
// encodings, credentials, whitespace and control characters, and the allowed hosts themselves.
const PIECES = [
  '/', '//', '\\', '/\\', '\\\\', '.', '..', '@', ':', '?', '#', '%2f', '%5c', '%2e', '%00', '\t', '\n', '\r', ' ', '\u0000', '\u3002', '\uff0f',
  'https:', 'http:', 'javascript:', 'data:', 'HTTPS://', 'evil.example', 'login.example.com', 'app-a.test', 'app-a.test.evil.example', 'evil.example@app-a.test', 'user:pw@', ':443', ':8443',
];
const payload = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));
const policy = { publicUrl: 'https://login.example.com', allowedReturnOrigins: ['https://app-a.test'] };
const allowed = new Set(['https://login.example.com', 'https://app-a.test']);

describe('checkReturnTo (hub) never lets the browser go elsewhere (property)', () => {
  it('returns an absolute http(s) URL on an allowed origin, without credentials, or refuses with its own error', () => {
    fc.assert(
      fc.property(fc.oneof(payload, fc.string({ maxLength: 60 })), (value) => {
        let result: string | undefined;
        try {
          result = checkReturnTo(value, policy);
        } catch (err) {
          expect(err).toBeInstanceOf(SsoHubError);
          return;
        }
        if (result === undefined) {
          expect(value).toBe('');
          return;
        }
        const url = new URL(result);
        expect(allowed.has(url.origin), `${JSON.stringify(value)} -> ${result}`).toBe(true);
        expect(url.username + url.password).toBe('');
        // What a browser makes of the Location header, from anywhere, is the same origin.
        expect(new URL(result, 'https://elsewhere.example/some/page').origin).toBe(url.origin);
      }),
      { numRuns: 3000 },
    );
  });
});
