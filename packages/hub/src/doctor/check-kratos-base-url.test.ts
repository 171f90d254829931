import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkKratosBaseUrl, normalizeUrl } from './check-kratos-base-url.ts';
import { readKratosConfig } from './read-kratos-config.ts';

async function files(...texts: string[]): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-base-url-'));
  return Promise.all(
    texts.map(async (t, i) => {
      const path = join(dir, `k${i}.yml`);
      await writeFile(path, t);
      return path;
    }),
  );
}

const baseUrl = (url: string) => `serve:\n  public:\n    base_url: ${url}\n`;
const HUB = 'https://login.example.com';

async function check(paths: string[], envBaseUrl?: string, publicUrl = HUB) {
  return checkKratosBaseUrl({ config: await readKratosConfig(paths), envBaseUrl, publicUrl });
}

describe("the doctor check of Kratos' serve.public.base_url", () => {
  it('passes when the last file that sets it names the hub, whatever the trailing slash', async () => {
    const paths = await files('serve:\n  public:\n    host: 127.0.0.1\n', baseUrl('https://login.example.com/'));
    expect(await check(paths)).toEqual({ id: 'kratos.base_url', verdict: 'ok', detail: `Kratos' serve.public.base_url is https://login.example.com/ (file ${paths[1]}), the hub's publicUrl` });
    expect((await check(await files(baseUrl('https://login.example.com')), undefined, `${HUB}/`)).verdict).toBe('ok');
    expect((await check(await files('{"serve":{"public":{"base_url":"https://LOGIN.example.com:443/"}}}'))).verdict).toBe('ok');
  });

  it('fails on a mismatch, saying both values, where each comes from, and the one line to change', async () => {
    const paths = await files(baseUrl('https://login.example.com/'), baseUrl('https://old-login.example.com/'));
    const result = await check(paths);
    expect(result).toMatchObject({ id: 'kratos.base_url', verdict: 'fail' });
    expect(result.detail).toBe(
      `Kratos' serve.public.base_url is https://old-login.example.com/ (file ${paths[1]}) but the hub's publicUrl (SSOHUB_PUBLIC_URL) is https://login.example.com/: Kratos' redirects and cookies miss the hub, so sign-ins loop back to the login page`,
    );
    expect(result.fix).toBe(`set serve.public.base_url in ${paths[1]} to https://login.example.com/ and restart Kratos (or, if the hub's URL is the wrong one, fix SSOHUB_PUBLIC_URL)`);
    // A path is part of the URL: only trailing slashes are forgiven.
    expect((await check(await files(baseUrl('https://login.example.com/kratos/'))))?.verdict).toBe('fail');
  });

  it("lets Kratos' SERVE_PUBLIC_BASE_URL variable beat every file, in both directions", async () => {
    const wrongFile = await files(baseUrl('https://old-login.example.com/'));
    expect(await check(wrongFile, 'https://login.example.com/')).toMatchObject({ verdict: 'ok', detail: expect.stringContaining('(environment variable SERVE_PUBLIC_BASE_URL)') });
    const wrongEnv = await check(await files(baseUrl('https://login.example.com/')), 'http://127.0.0.1:4433/');
    expect(wrongEnv).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/^Kratos' serve\.public\.base_url is http:\/\/127\.0\.0\.1:4433\/ \(environment variable SERVE_PUBLIC_BASE_URL\) but/) });
    expect(wrongEnv.fix).toMatch(/^set Kratos' SERVE_PUBLIC_BASE_URL variable to https:\/\/login\.example\.com\//);
    expect(await check([], 'https://login.example.com')).toMatchObject({ verdict: 'ok' });
  });

  it("warns when no file sets it: Kratos then guesses from its own listen address", async () => {
    const paths = await files('serve:\n  public:\n    host: 127.0.0.1\n', 'serve:\n  public:\n    port: 4455\n');
    const result = await check(paths);
    expect(result).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('Kratos then guesses https://127.0.0.1:4455/') });
    expect(result.detail).toContain(`set in none of ${paths[0]}, ${paths[1]}`);
    expect(result.fix).toMatch(new RegExp(`^set serve\\.public\\.base_url: https://login\\.example\\.com/ in ${paths[1]}`));
  });

  it('warns when it cannot tell: no config files, or an unreadable file after the one that sets it', async () => {
    expect(await check([])).toMatchObject({ verdict: 'warn', detail: expect.stringMatching(/^unknown: kratos\.configFiles is empty/) });
    const [good] = await files(baseUrl('https://login.example.com/'));
    const missing = join(tmpdir(), 'ssohub-no-such-dir', 'site.yml');
    expect(await check([good!, missing])).toMatchObject({ verdict: 'warn', detail: expect.stringMatching(new RegExp(`^unknown: ${missing} cannot be read \\(ENOENT\\)`)) });
  });

  it('fails a base_url that is not a string', async () => {
    expect(await check(await files('serve:\n  public:\n    base_url:\n      url: https://login.example.com/\n'))).toMatchObject({ verdict: 'fail', detail: expect.stringMatching(/is not a string/) });
  });

  it('normalizes the trailing slash, the host case and the default port only', () => {
    expect(normalizeUrl('https://login.example.com/')).toBe('https://login.example.com');
    expect(normalizeUrl('https://Login.Example.com:443//')).toBe('https://login.example.com');
    expect(normalizeUrl('http://127.0.0.1:4433/')).toBe('http://127.0.0.1:4433');
    expect(normalizeUrl('not a url/')).toBe('not a url');
  });
});
