import { describe, expect, it } from 'vitest';
import { exitCodeForStatus } from './errors/cli-error.ts';
import { EXIT } from './errors/exit-codes.ts';
import { runCli } from '../test/run-cli.ts';
import { renderTable } from './output/render-table.ts';

const run = runCli;

describe('ssohub without a hub', () => {
  it('prints help with the exit codes, and exits 2 on unknown commands and missing arguments', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(EXIT.OK);
    expect(help.stdout).toMatch(/Exit codes: 0 ok/);
    expect((await run([])).code).toBe(EXIT.USAGE);
    const unknown = await run(['clients', 'lst']);
    expect(unknown.code).toBe(EXIT.USAGE);
    expect(unknown.stderr).toMatch(/unknown command 'lst'/);
    expect((await run(['clients', 'show'])).code).toBe(EXIT.USAGE);
    expect((await run(['clients', 'create', '--auth-method', 'magic'])).code).toBe(EXIT.USAGE);
  });

  it('exits 4 before any request when no token is configured, with JSON on --json', async () => {
    const res = await run(['clients', 'list', '--json'], { SSOHUB_ADMIN_URL: 'http://127.0.0.1:9' });
    expect(res.code).toBe(EXIT.AUTH);
    expect(JSON.parse(res.stdout).error).toMatchObject({ exitCode: EXIT.AUTH, message: expect.stringMatching(/SSOHUB_ADMIN_TOKEN/) });
  });

  it('refuses to delete without --yes and to revoke without saying which sessions', async () => {
    const env = { SSOHUB_ADMIN_TOKEN: 't' };
    expect((await run(['clients', 'delete', 'app'], env)).stderr).toMatch(/add --yes/);
    expect((await run(['sessions', 'revoke', 'a@b.test'], env)).code).toBe(EXIT.USAGE);
    expect((await run(['audit', 'tail', '--count', '0'], env)).code).toBe(EXIT.USAGE);
  });

  it('maps admin API statuses to the documented exit codes', () => {
    expect([400, 401, 403, 404, 409, 500, 503].map(exitCodeForStatus)).toEqual([2, 4, 4, 3, 6, 1, 1]);
  });

  it('renders aligned tables', () => {
    expect(renderTable(['ID', 'NAME'], [['a', 'App'], ['longer-id', undefined]])).toBe('ID         NAME\na          App\nlonger-id  -\n');
  });
});
