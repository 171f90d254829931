import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKratosSessionCookie } from './check-kratos-session-cookie.ts';
import { readConfigValue, UnreadableConfigValue } from './read-config-value.ts';

const cookieName = (text: string) => readConfigValue(text, ['session', 'cookie', 'name']);

describe('reading a nested key of a Kratos config file', () => {
  it('follows block mappings by indentation, in YAML and JSON', () => {
    const yaml = ['dsn: memory', 'session:', '  lifespan: 24h', '  cookie:', '    # the login domain only', "    name: 'acme_session'", '    persistent: true', 'serve:', '  public:', '    base_url: http://x/'].join('\n');
    expect(cookieName(yaml)).toBe('acme_session');
    expect(cookieName('{"session":{"cookie":{"name":"json_session"}}}')).toBe('json_session');
    expect(readConfigValue(yaml, ['serve', 'public', 'base_url'])).toBe('http://x/');
  });

  it('does not take a key of the same name at another depth', () => {
    expect(cookieName('session:\n  name: wrong\ncookie:\n  name: wrong-too\n')).toBeUndefined();
    expect(cookieName('courier:\n  session:\n    cookie:\n      name: nested-elsewhere\n')).toBeUndefined();
    expect(cookieName('session:\n  cookie:\n    name:\n      nested: mapping\n')).toBeUndefined();
  });

  it('refuses to guess when the way to the key is a flow mapping, an alias or an anchor', () => {
    expect(() => cookieName('session:\n  cookie: { name: acme }\n')).toThrow(UnreadableConfigValue);
    expect(() => cookieName('session: *shared\n')).toThrow(/session is written in a YAML form/);
    expect(() => cookieName('session:\n  cookie:\n    name: *name\n')).toThrow(UnreadableConfigValue);
    // Elsewhere in the file such forms are not in the way.
    expect(cookieName('serve: { public: { port: 1 } }\nsession:\n  cookie:\n    name: fine\n')).toBe('fine');
  });

  it('skips what a block scalar holds, however it looks', () => {
    const yaml = 'courier:\n  template: |\n    session:\n    cookie: name\nsession:\n  cookie:\n    name: real\n';
    expect(cookieName(yaml)).toBe('real');
  });
});

describe('the doctor check of the Kratos session cookie name', () => {
  const files = async (...texts: string[]) => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-cookie-'));
    return Promise.all(
      texts.map(async (t, i) => {
        const path = join(dir, `k${i}.yml`);
        await writeFile(path, t);
        return path;
      }),
    );
  };

  it("passes when Kratos keeps its default and so does the hub", async () => {
    const paths = await files('dsn: memory\n');
    expect(await checkKratosSessionCookie({ configFiles: paths, envName: undefined, configured: 'ory_kratos_session' })).toEqual([
      expect.objectContaining({ id: 'kratos.session_cookie', verdict: 'ok', detail: expect.stringMatching(/Kratos' default/) }),
    ]);
  });

  it('fails, naming the setting to change, when a later file renames the cookie', async () => {
    const paths = await files('session:\n  cookie:\n    name: first\n', 'session:\n  cookie:\n    name: acme_session\n');
    const [check] = await checkKratosSessionCookie({ configFiles: paths, envName: undefined, configured: 'ory_kratos_session' });
    expect(check).toMatchObject({ verdict: 'fail', detail: expect.stringContaining(`"acme_session" (file ${paths[1]})`), fix: expect.stringMatching(/SSOHUB_KRATOS_SESSION_COOKIE.*acme_session/) });
    expect(check?.detail).toMatch(/lockout/);
  });

  it("lets Kratos' SESSION_COOKIE_NAME variable beat the files", async () => {
    const paths = await files('session:\n  cookie:\n    name: acme_session\n');
    const [check] = await checkKratosSessionCookie({ configFiles: paths, envName: 'from_env', configured: 'from_env' });
    expect(check).toMatchObject({ verdict: 'ok', detail: expect.stringMatching(/SESSION_COOKIE_NAME/) });
  });

  it('warns, rather than guess, when a file writes the cookie settings in a form it does not read', async () => {
    const paths = await files('session:\n  cookie: { name: acme_session }\n');
    const [check] = await checkKratosSessionCookie({ configFiles: paths, envName: undefined, configured: 'ory_kratos_session' });
    expect(check).toMatchObject({ verdict: 'warn', detail: expect.stringContaining(`in ${paths[0]}, session.cookie is written`) });
  });

  it('warns about a renamed cookie it has no Kratos config to compare with, and says nothing otherwise', async () => {
    expect(await checkKratosSessionCookie({ configFiles: [], envName: undefined, configured: 'ory_kratos_session' })).toEqual([]);
    expect((await checkKratosSessionCookie({ configFiles: [], envName: undefined, configured: 'acme' }))[0]?.verdict).toBe('warn');
  });
});
