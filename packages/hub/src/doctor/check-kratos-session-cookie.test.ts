import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKratosSessionCookie } from './check-kratos-session-cookie.ts';
import { readKratosConfig } from './read-kratos-config.ts';

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
  const check = async (paths: string[], envName: string | undefined, configured: string) => checkKratosSessionCookie({ config: await readKratosConfig(paths), envName, configured });

  it("passes when Kratos keeps its default and so does the hub", async () => {
    const paths = await files('dsn: memory\n');
    expect(await check(paths, undefined, 'ory_kratos_session')).toEqual([
      expect.objectContaining({ id: 'kratos.session_cookie', verdict: 'ok', detail: expect.stringMatching(/Kratos' default/) }),
    ]);
  });

  it('fails, naming the setting to change, when a later file renames the cookie', async () => {
    const paths = await files('session:\n  cookie:\n    name: first\n', 'session:\n  cookie:\n    name: acme_session\n');
    const [result] = await check(paths, undefined, 'ory_kratos_session');
    expect(result).toMatchObject({ verdict: 'fail', detail: expect.stringContaining(`"acme_session" (file ${paths[1]})`), fix: expect.stringMatching(/SSOHUB_KRATOS_SESSION_COOKIE.*acme_session/) });
    expect(result?.detail).toMatch(/lockout/);
  });

  it('reads the name whatever YAML form the file writes it in', async () => {
    const paths = await files('session:\n  cookie: { name: acme_session }\n');
    expect((await check(paths, undefined, 'acme_session'))[0]).toMatchObject({ verdict: 'ok', detail: expect.stringContaining(`"acme_session" (file ${paths[0]})`) });
  });

  it("lets Kratos' SESSION_COOKIE_NAME variable beat the files", async () => {
    const paths = await files('session:\n  cookie:\n    name: acme_session\n');
    const [result] = await check(paths, 'from_env', 'from_env');
    expect(result).toMatchObject({ verdict: 'ok', detail: expect.stringMatching(/SESSION_COOKIE_NAME/) });
  });

  it('warns, rather than guess, when a file it cannot parse comes last or the name is not a string', async () => {
    const broken = await files('session:\n  cookie:\n    name: acme_session\n', 'session: [\n');
    expect((await check(broken, undefined, 'ory_kratos_session'))[0]).toMatchObject({ verdict: 'warn', detail: expect.stringContaining(`${broken[1]} cannot be read (not valid YAML`) });
    const mapping = await files('session:\n  cookie:\n    name:\n      nested: mapping\n');
    expect((await check(mapping, undefined, 'ory_kratos_session'))[0]).toMatchObject({ verdict: 'warn', detail: expect.stringMatching(/is not a string/) });
  });

  it('warns about a renamed cookie it has no Kratos config to compare with, and says nothing otherwise', async () => {
    expect(await check([], undefined, 'ory_kratos_session')).toEqual([]);
    expect((await check([], undefined, 'acme'))[0]?.verdict).toBe('warn');
  });
});
