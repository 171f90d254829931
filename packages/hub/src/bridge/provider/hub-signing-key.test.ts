import { compactVerify, exportJWK, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { HubSigningKey, providerSigningKeys } from './hub-signing-key.ts';
import { generateSigningKey } from './signing-keys.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

async function signJws(key: HubSigningKey, payload: object): Promise<string> {
  const input = `${b64(JSON.stringify({ alg: key.alg, kid: key.kid }))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${Buffer.from(await key.sign(Buffer.from(input))).toString('base64url')}`;
}

describe('HubSigningKey', () => {
  for (const alg of ['ES256', 'RS256'] as const) {
    it(`signs ${alg} JWS that a standard verifier accepts with the published public key`, async () => {
      const jwk = await generateSigningKey(alg, `k-${alg}`);
      const key = new HubSigningKey(jwk as typeof jwk & { alg: string });
      const published = { kty: key.kty, crv: key.crv, x: key.x, y: key.y, n: key.n, e: key.e };
      expect(published).not.toHaveProperty('d');
      const jws = await signJws(key, { sub: 'u1' });
      const { payload, protectedHeader } = await compactVerify(jws, await importJWK({ ...published, alg } as never, alg));
      expect(protectedHeader).toEqual({ alg, kid: `k-${alg}` });
      expect(JSON.parse(Buffer.from(payload).toString())).toEqual({ sub: 'u1' });
    });
  }

  it('publishes the public half only, the same as the JWK it was made from', async () => {
    const jwk = await generateSigningKey('ES256', 'k1');
    const key = new HubSigningKey(jwk as typeof jwk & { alg: string });
    const pub = await exportJWK(key.keyObject());
    expect(pub).toEqual({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
    expect(key.use).toBe('sig');
  });

  it('a signature made with another key does not verify', async () => {
    const a = new HubSigningKey((await generateSigningKey('ES256', 'a')) as never);
    const b = new HubSigningKey((await generateSigningKey('ES256', 'b')) as never);
    await expect(compactVerify(await signJws(a, { sub: 'x' }), b.keyObject())).rejects.toThrow();
  });
});

describe('providerSigningKeys', () => {
  it('keeps order, and leaves keys without a node:crypto algorithm as JWKs', async () => {
    const es = await generateSigningKey('ES256', 'es');
    const rs = await generateSigningKey('RS256', 'rs');
    const { alg: _alg, ...noAlg } = await generateSigningKey('ES256', 'no-alg');
    const keys = providerSigningKeys([es, rs, noAlg]);
    expect(keys.map((k) => k.kid)).toEqual(['es', 'rs', 'no-alg']);
    expect(keys[0]).toBeInstanceOf(HubSigningKey);
    expect(keys[1]).toBeInstanceOf(HubSigningKey);
    expect(keys[2]).toBe(noAlg);
  });
});
