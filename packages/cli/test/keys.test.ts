import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig, loadConfig } from '@ssohub/hub/config';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../src/errors/exit-codes.ts';
import { runCli } from './run-cli.ts';

type Jwk = { kid: string; alg: string; d?: string; iat?: number; [k: string]: unknown };
const readJwks = async (file: string) => (JSON.parse(await readFile(file, 'utf8')) as { keys: Jwk[] }).keys;
const modeOf = async (file: string) => ((await stat(file)).mode & 0o777).toString(8);

describe('ssohub keys', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssohub-keys-'));
  });

  it('generates a private JWKS (ES256 + RS256, unique dated kids), a cookie key and an admin token, mode 0600, that the hub starts with', async () => {
    const res = await runCli(['keys', 'generate', '--out', join(dir, 'jwks.json'), '--cookie-keys-file', join(dir, 'cookie_keys'), '--admin-token-file', join(dir, 'admin_token'), '--json']);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    const keys = await readJwks(join(dir, 'jwks.json'));
    expect(keys.map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    expect(keys.map((k) => k.kid)).toEqual([expect.stringMatching(/^es256-\d{8}-[0-9a-f]{8}$/), expect.stringMatching(/^rs256-\d{8}-[0-9a-f]{8}$/)]);
    expect(keys.every((k) => typeof k.d === 'string' && typeof k.iat === 'number')).toBe(true);
    for (const f of ['jwks.json', 'cookie_keys', 'admin_token']) expect(await modeOf(join(dir, f))).toBe('600');
    // The JSON output names files, never the secrets inside them.
    expect(res.stdout).not.toContain(keys[0]!.d);
    expect(res.json()).toMatchObject({ cookieKeysFile: join(dir, 'cookie_keys'), adminTokenFile: join(dir, 'admin_token') });

    const config = loadConfig({
      SSOHUB_MODE: 'production',
      SSOHUB_PUBLIC_URL: 'https://login.example.com',
      SSOHUB_REDIS_URL: 'redis://127.0.0.1:6379',
      SSOHUB_SIGNING_KEYS_FILE: join(dir, 'jwks.json'),
      SSOHUB_COOKIE_KEYS_FILE: join(dir, 'cookie_keys'),
      SSOHUB_ADMIN_TOKEN_FILE: join(dir, 'admin_token'),
    });
    expect(config.bridge.signingKeys).toHaveLength(2);
    expect(config.bridge.cookieKeys[0]).toHaveLength(43);
    expect(config.admin.token).toHaveLength(43);
    // The private keys really sign and verify.
    for (const jwk of keys) {
      const key = await importJWK(jwk, jwk.alg);
      const { d: _, ...pub } = jwk;
      const jwt = await new SignJWT({ ok: true }).setProtectedHeader({ alg: jwk.alg, kid: jwk.kid }).sign(key);
      expect((await jwtVerify(jwt, await importJWK(pub, jwk.alg))).payload.ok).toBe(true);
    }
  });

  it('prints the cookie key and admin token once when no file is named for them', async () => {
    const res = await runCli(['keys', 'generate', '--out', join(dir, 'jwks.json')]);
    expect(res.code).toBe(EXIT.OK);
    expect(res.stdout).toMatch(/^SSOHUB_COOKIE_KEYS=[A-Za-z0-9_-]{43}$/m);
    expect(res.stdout).toMatch(/^SSOHUB_ADMIN_TOKEN=[A-Za-z0-9_-]{43}$/m);
    expect(res.stdout).toMatch(/shown once/);
  });

  it('never replaces an existing file without --force, and checks every target before writing any', async () => {
    await writeFile(join(dir, 'admin_token'), 'keep-me-0123456789abcdefghijklmnop\n');
    const res = await runCli(['keys', 'generate', '--out', join(dir, 'jwks.json'), '--admin-token-file', join(dir, 'admin_token')]);
    expect(res.code).toBe(EXIT.CONFLICT);
    expect(res.stderr).toMatch(/admin_token exists .* keys rotate/);
    await expect(stat(join(dir, 'jwks.json'))).rejects.toThrow(/ENOENT/);
    expect(await readFile(join(dir, 'admin_token'), 'utf8')).toBe('keep-me-0123456789abcdefghijklmnop\n');
    const missing = await runCli(['keys', 'generate', '--out', join(dir, 'no/such/dir/jwks.json')]);
    expect(missing.code).toBe(EXIT.USAGE);
    expect(missing.stderr).toMatch(/its directory does not exist/);
    const forced = await runCli(['keys', 'generate', '--out', join(dir, 'jwks.json'), '--admin-token-file', join(dir, 'admin_token'), '--force']);
    expect(forced.code).toBe(EXIT.OK);
    expect(await readFile(join(dir, 'admin_token'), 'utf8')).not.toContain('keep-me');
  });

  it('rotates by prepending new keys and keeping the old ones for verification, cookie keys too', async () => {
    await runCli(['keys', 'generate', '--out', join(dir, 'jwks.json'), '--cookie-keys-file', join(dir, 'cookie_keys')]);
    const before = await readJwks(join(dir, 'jwks.json'));
    const oldCookie = (await readFile(join(dir, 'cookie_keys'), 'utf8')).trim();
    const res = await runCli(['keys', 'rotate', '--file', join(dir, 'jwks.json'), '--cookie-keys-file', join(dir, 'cookie_keys'), '--json']);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    const after = await readJwks(join(dir, 'jwks.json'));
    expect(after).toHaveLength(4);
    expect(after.slice(2)).toEqual(before);
    expect(after.slice(0, 2).map((k) => k.alg)).toEqual(['ES256', 'RS256']);
    expect(res.json().keys.map((k: { role: string }) => k.role)).toEqual(['signs', 'signs', 'verifies', 'verifies']);
    expect(await modeOf(join(dir, 'jwks.json'))).toBe('600');
    const cookies = (await readFile(join(dir, 'cookie_keys'), 'utf8')).trim().split('\n');
    expect(cookies).toHaveLength(2);
    expect(cookies[1]).toBe(oldCookie);
    // The hub signs with the first key per algorithm: the rotated file is one it accepts.
    expect(checkConfig({ bridge: { signingKeys: after } }, { only: ['bridge.signingKeys'] }).bridge.signingKeys).toHaveLength(4);

    const one = await runCli(['keys', 'rotate', '--file', join(dir, 'jwks.json'), '--alg', 'es256', '--json']);
    expect(one.json().added.map((k: { alg: string }) => k.alg)).toEqual(['ES256']);
    expect((await runCli(['keys', 'rotate', '--file', join(dir, 'jwks.json'), '--alg', 'HS256'])).code).toBe(EXIT.USAGE);
  });

  it('refuses to rotate a file the hub would not start with, and says why', async () => {
    await writeFile(join(dir, 'jwks.json'), JSON.stringify({ keys: [{ kty: 'EC', alg: 'ES256', kid: 'x', crv: 'P-256', x: 'a', y: 'b', d: 'c' }] }));
    const res = await runCli(['keys', 'rotate', '--file', join(dir, 'jwks.json')]);
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.stderr).toMatch(/would not start the hub:\n {2}- bridge\.signingKeys must include an RS256 key/);
    await writeFile(join(dir, 'broken.json'), '{"keys": [');
    expect((await runCli(['keys', 'list', '--file', join(dir, 'broken.json')])).stderr).toMatch(/is not JSON/);
    expect((await runCli(['keys', 'list', '--file', join(dir, 'none.json')])).code).toBe(EXIT.NOT_FOUND);
  });

  it('retires only verification-only keys, never the signing key or the last RS256 key', async () => {
    await runCli(['keys', 'generate', '--out', join(dir, 'jwks.json')]);
    const [es, rs] = await readJwks(join(dir, 'jwks.json'));
    const signing = await runCli(['keys', 'retire', '--file', join(dir, 'jwks.json'), '--kid', rs!.kid]);
    expect(signing.code).toBe(EXIT.CONFLICT);
    expect(signing.stderr).toMatch(/signs RS256 tokens: run `ssohub keys rotate/);
    await runCli(['keys', 'rotate', '--file', join(dir, 'jwks.json')]);
    const retired = await runCli(['keys', 'retire', '--file', join(dir, 'jwks.json'), '--kid', es!.kid]);
    expect(retired.code, retired.stderr).toBe(EXIT.OK);
    expect((await readJwks(join(dir, 'jwks.json'))).map((k) => k.kid)).not.toContain(es!.kid);
    expect((await runCli(['keys', 'retire', '--file', join(dir, 'jwks.json'), '--kid', 'nope'])).code).toBe(EXIT.NOT_FOUND);
    const list = await runCli(['keys', 'list', '--file', join(dir, 'jwks.json')]);
    expect(list.stdout).toMatch(/^KID\s+ALG\s+CREATED\s+ROLE$/m);
    expect(list.stdout).not.toMatch(/"d"/);
  });
});
