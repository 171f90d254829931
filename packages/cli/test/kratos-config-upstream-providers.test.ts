import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXIT } from '../src/errors/exit-codes.ts';
import { runCli } from './run-cli.ts';

type Site = { selfservice: { methods?: { oidc?: { enabled: boolean; config: { base_redirect_uri: string; providers: Record<string, unknown>[] } } } } };

// Issue #21: upstream identity providers reach Kratos' oidc method through the site file.
describe('ssohub kratos config --upstream-providers', () => {
  const write = async (providers: string | undefined, extra: string[] = []) => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-kratos-upstream-'));
    const envFile = join(dir, 'hub.env');
    await writeFile(envFile, ['SSOHUB_MODE=development', 'SSOHUB_PUBLIC_URL=https://login.example.com'].join('\n'));
    await writeFile(join(dir, 'corp.secret'), 'directory-secret-0123456789\n');
    const args = ['kratos', 'config', '--env-file', envFile, '--dsn', 'memory', '--smtp-uri', 'smtp://127.0.0.1:25/', '--out', join(dir, 'site.yml'), ...extra];
    if (providers !== undefined) {
      await writeFile(join(dir, 'upstream.yml'), providers);
      args.push('--upstream-providers', join(dir, 'upstream.yml'));
    }
    const res = await runCli(args);
    return { res, site: res.code === EXIT.OK ? (parse(await readFile(join(dir, 'site.yml'), 'utf8')) as Site) : undefined };
  };

  it('writes a generic OIDC provider with the corporate-directory mapping, the secret from its file, the hub as redirect base', async () => {
    const { res, site } = await write(
      ['upstreamProviders:', '  - id: corp', '    label: Corp Directory', '    issuer: https://idp.corp.example', '    clientId: sso-hub', '    clientSecretFile: corp.secret'].join('\n'),
    );
    expect(res.code, res.stderr).toBe(EXIT.OK);
    const oidc = site?.selfservice.methods?.oidc;
    expect(oidc?.enabled).toBe(true);
    expect(oidc?.config.base_redirect_uri).toBe('https://login.example.com');
    expect(oidc?.config.providers[0]).toMatchObject({ id: 'corp', provider: 'generic', label: 'Corp Directory', issuer_url: 'https://idp.corp.example', client_id: 'sso-hub', client_secret: 'directory-secret-0123456789', scope: ['openid', 'email', 'profile'] });
    expect(String(oidc?.config.providers[0]?.mapper_url)).toMatch(/^base64:\/\//);
    // The summary says where to register the callback, and never shows the secret.
    expect(res.stdout).toContain('callback https://login.example.com/self-service/methods/oidc/callback/corp');
    expect(res.stdout + res.stderr).not.toContain('directory-secret');
    // The password method the hub writes is kept beside it.
    expect(site?.selfservice.methods).toHaveProperty('password');
  });

  it('writes no oidc method without the option', async () => {
    const { site } = await write(undefined);
    expect(site?.selfservice.methods?.oidc).toBeUndefined();
  });

  it('refuses an invalid file naming each option', async () => {
    const { res } = await write(['upstreamProviders:', '  - id: Corp', '    label: Corp', '    issuer: http://idp.corp.example', '    clientId: sso-hub'].join('\n'));
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.stderr).toContain('upstreamProviders[0].id must be lower-case');
    expect(res.stderr).toContain("upstreamProviders[0].issuer must be the provider's https issuer URL");
    expect(res.stderr).toContain('upstreamProviders[0].clientSecretFile (or upstreamProviders[0].clientSecret) is required');
  });
});
