import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXIT } from '../src/errors/exit-codes.ts';
import { runCli } from './run-cli.ts';

type Site = { selfservice: { methods?: { password?: { config?: { min_password_length?: number } } } } };

// Issue #21: the hub's passwordPolicy.minLength reaches Kratos through the site file.
describe('ssohub kratos config: the password policy', () => {
  const write = async (env: string[]) => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-kratos-password-'));
    const envFile = join(dir, 'hub.env');
    await writeFile(envFile, ['SSOHUB_MODE=development', 'SSOHUB_PUBLIC_URL=http://localhost:8080', ...env].join('\n'));
    const res = await runCli(['kratos', 'config', '--env-file', envFile, '--dsn', 'memory', '--smtp-uri', 'smtp://127.0.0.1:25/', '--out', join(dir, 'site.yml')]);
    return { res, site: res.code === EXIT.OK ? (parse(await readFile(join(dir, 'site.yml'), 'utf8')) as Site) : undefined };
  };

  it("writes the default, 12, as Kratos' min_password_length", async () => {
    const { res, site } = await write([]);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(site?.selfservice.methods?.password?.config?.min_password_length).toBe(12);
  });

  it('writes SSOHUB_PASSWORD_MIN_LENGTH, and refuses one out of bounds naming the option', async () => {
    expect((await write(['SSOHUB_PASSWORD_MIN_LENGTH=16'])).site?.selfservice.methods?.password?.config?.min_password_length).toBe(16);
    const { res } = await write(['SSOHUB_PASSWORD_MIN_LENGTH=6']);
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.stderr).toMatch(/passwordPolicy\.minLength \(SSOHUB_PASSWORD_MIN_LENGTH\) must be an integer >= 8 and <= 64/);
  });
});
