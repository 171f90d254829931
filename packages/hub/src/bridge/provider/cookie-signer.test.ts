import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCookieSigner } from './cookie-signer.ts';

// Keygrip's output, written out: HMAC-SHA1, base64 with + / = mapped to - _ and dropped.
const keygripSign = (data: string, key: string) =>
  createHmac('sha1', key)
    .update(data)
    .digest('base64')
    .replace(/\/|\+|=/g, (x) => ({ '/': '_', '+': '-', '=': '' })[x]!);

describe('createCookieSigner', () => {
  const data = '_session=Qm9va3MgYXJlIGdyZWF0';

  it('signs as Keygrip does, with the first key', () => {
    const signer = createCookieSigner(['new-key-0123456789', 'old-key-0123456789']);
    expect(signer.sign(data)).toBe(keygripSign(data, 'new-key-0123456789'));
  });

  it('accepts a signature from any configured key and says which (key rotation)', () => {
    const signer = createCookieSigner(['new-key-0123456789', 'old-key-0123456789']);
    expect(signer.index(data, keygripSign(data, 'new-key-0123456789'))).toBe(0);
    expect(signer.index(data, keygripSign(data, 'old-key-0123456789'))).toBe(1);
    expect(signer.verify(data, keygripSign(data, 'old-key-0123456789'))).toBe(true);
  });

  it('refuses other keys, other data, and malformed or non-canonical digests', () => {
    const signer = createCookieSigner(['new-key-0123456789']);
    const good = keygripSign(data, 'new-key-0123456789');
    expect(signer.index(data, keygripSign(data, 'someone-else'))).toBe(-1);
    expect(signer.index(`${data}x`, good)).toBe(-1);
    expect(signer.index(data, good.slice(0, -1))).toBe(-1);
    expect(signer.index(data, `${good}A`)).toBe(-1);
    expect(signer.index(data, `${good.slice(0, 10)}!${good.slice(10)}`)).toBe(-1);
    expect(signer.index(data, '')).toBe(-1);
    expect(signer.index(data, undefined as unknown as string)).toBe(-1);
    expect(signer.verify(data, good.replace(/./, (c) => (c === 'A' ? 'B' : 'A')))).toBe(false);
  });

  it('needs a key', () => {
    expect(() => createCookieSigner([])).toThrow(/at least one key/);
  });
});
