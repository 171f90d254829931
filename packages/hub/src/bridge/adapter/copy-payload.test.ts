import { describe, expect, it } from 'vitest';
import { copyPayload } from './copy-payload.ts';

describe('copyPayload', () => {
  it('copies JSON-shaped payloads deeply, sharing nothing mutable with the source', () => {
    const source = { jti: 'a', amr: ['pwd'], claims: { id_token: { email: null } }, n: 1, ok: true, gone: undefined };
    const copy = copyPayload(source);
    expect(copy).toEqual(source);
    expect('gone' in copy).toBe(true);
    copy.amr.push('otp');
    copy.claims.id_token.email = { essential: true } as never;
    expect(source.amr).toEqual(['pwd']);
    expect(source.claims.id_token.email).toBeNull();
  });

  it('copies what is not plain data through structuredClone', () => {
    const when = new Date(0);
    const copy = copyPayload({ when, bytes: Buffer.from('x') });
    expect(copy.when).toEqual(when);
    expect(copy.when).not.toBe(when);
  });

  it('returns primitives as they are', () => {
    expect(copyPayload('s')).toBe('s');
    expect(copyPayload(null)).toBeNull();
    expect(copyPayload(undefined)).toBeUndefined();
  });
});
