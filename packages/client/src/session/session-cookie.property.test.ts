import { parse } from 'cookie';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCookie, sessionCookieName, transactionCookieName } from './session-cookie.ts';

// readCookie is the SDK's only Cookie header parser: it finds the session and transaction cookies
// on every request. It is held to the `cookie` package the SDK already depends on (its
// parseCookie: pairs split at `;`, name and value trimmed of spaces and tabs, the first pair of a
// name wins, the value percent-decoded when it can be) on headers with duplicates, quotes, white
// space, `=` in values, empty names, percent-escapes and pairs without `=`.

const settings = { clientId: 'app-a', cookieName: undefined, secureCookies: true };
const OURS = [sessionCookieName(settings), transactionCookieName(settings), sessionCookieName({ ...settings, secureCookies: false }), 'sid', "a%b!#$&'*+.^_`|~-"];

// Names and values are drawn from the characters that make parsers disagree.
const piece = (extra: string[]) => fc.constantFrom('a', 'b', 'Z', '0', '-', '_', '.', ...extra);
const name = fc.oneof(
  { arbitrary: fc.constantFrom(...OURS), weight: 3 },
  { arbitrary: fc.string({ unit: piece(['%', '$', '~']), maxLength: 6 }), weight: 2 },
  { arbitrary: fc.constantFrom(...OURS).map((n) => `x${n}`), weight: 1 },
  { arbitrary: fc.constantFrom(...OURS).map((n) => `${n}x`), weight: 1 },
);
const value = fc.oneof(
  fc.string({ unit: piece(['=', '"', ' ', '\t', '%', '%2', '%41', '%zz', '%e2%82%ac', ',', '\\', '+', 'é']), maxLength: 12 }),
  fc.constantFrom(...OURS).map((n) => `${n}=planted`),
  fc.constantFrom(...OURS).map((n) => `"${n}=planted"`),
);
const space = fc.constantFrom('', '', '', ' ', '  ', '\t', ' \t');
/** One `name=value` pair with white space around its parts, or a pair without `=`. */
const pair = fc.oneof(
  { arbitrary: fc.tuple(space, name, space, value, space).map(([a, n, b, v, c]) => `${a}${n}${b}=${v}${c}`), weight: 8 },
  { arbitrary: fc.tuple(space, name).map(([a, n]) => `${a}${n}`), weight: 1 },
  { arbitrary: fc.constantFrom('', ' ', '='), weight: 1 },
);
const header = fc.array(pair, { maxLength: 6 }).map((pairs) => pairs.join(';'));

describe('readCookie (property)', () => {
  it('finds what the cookie package finds, for any header and any of our names', () => {
    fc.assert(
      fc.property(header, fc.constantFrom(...OURS), (h, ours) => {
        expect(readCookie(h, ours), `${JSON.stringify(h)} ${ours}`).toBe(parse(h)[ours]);
      }),
      { numRuns: 5000 },
    );
  });

  it('never throws, whatever the header', () => {
    fc.assert(
      fc.property(fc.oneof(header, fc.string(), fc.string({ unit: 'binary' })), fc.constantFrom(...OURS), (h, ours) => {
        const found = readCookie(h, ours);
        expect(found === undefined || typeof found === 'string').toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("never takes one of our names inside another cookie's value", () => {
    // Headers whose pairs are all named otherwise, their values carrying `<ours>=planted`.
    const others = fc.array(
      fc.tuple(space, name, value, fc.constantFrom(...OURS)).map(([a, n, v, o]) => `${a}${OURS.includes(n) ? `x${n}` : n}=${v}${o}=planted`),
      { minLength: 1, maxLength: 4 },
    );
    fc.assert(
      fc.property(others, fc.constantFrom(...OURS), (pairs, ours) => {
        const h = pairs.join('; ');
        expect(readCookie(h, ours), h).toBeUndefined();
        // And once the cookie itself follows, its own value.
        expect(readCookie(`${h}; ${ours}=mine`, ours), h).toBe('mine');
      }),
      { numRuns: 2000 },
    );
  });

  it('the cases the first property found', () => {
    // Missed (undefined) where the cookie package reads the pair, or trimmed what it keeps.
    expect(readCookie('sid =v', 'sid')).toBe('v');
    expect(readCookie('a=1;\tsid=v', 'sid')).toBe('v');
    expect(readCookie('sid=%zz', 'sid')).toBe('%zz');
    expect(readCookie('sid=\u00a0v', 'sid')).toBe('\u00a0v');
  });
});
