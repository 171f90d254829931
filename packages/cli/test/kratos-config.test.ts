import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXIT } from '../src/errors/exit-codes.ts';
import { runCli } from './run-cli.ts';

interface Site {
  dsn: string;
  serve: { public: { host: string; port: number; base_url: string }; admin: { host: string; port: number; base_url: string } };
  selfservice: { default_browser_return_url: string; allowed_return_urls: string[]; flows: Record<string, { ui_url?: string }> };
  session?: { cookie: { name: string } };
  courier: { smtp: { connection_uri: string; from_address: string }; template_override_path: string };
  secrets: { cookie: string[]; cipher: string[] };
  identity: { schemas: { id: string; url: string }[] };
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PG = 'postgres://kratos:s3cret-pw@db.internal:5432/kratos?sslmode=require';
const SMTP = 'smtps://mailer:mail-pw@mail.example.com:465/';

describe('ssohub kratos config', () => {
  let dir: string;
  let envFile: string;
  const out = () => join(dir, 'site.yml');
  const base = () => ['kratos', 'config', '--env-file', envFile, '--dsn', PG, '--smtp-uri', SMTP, '--out', out()];
  const read = async () => parse(await readFile(out(), 'utf8')) as Site;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssohub-kratos-config-'));
    envFile = join(dir, 'hub.env');
    await writeFile(
      envFile,
      [
        '# the hub, as systemd reads it',
        'SSOHUB_MODE=production',
        'export SSOHUB_PUBLIC_URL=https://login.example.com',
        'SSOHUB_ALLOWED_RETURN_ORIGINS="https://app.example.com,https://shop.example.org"',
        'SSOHUB_KRATOS_PUBLIC_URL=http://127.0.0.1:4433',
        "SSOHUB_KRATOS_ADMIN_URL='http://127.0.0.1:4434'",
        // Secret files of the hub that do not exist here: the generator must not need them.
        'SSOHUB_ADMIN_TOKEN_FILE=/run/credentials/ssohub-hub.service/admin_token',
        'SSOHUB_SIGNING_KEYS_FILE=/run/credentials/ssohub-hub.service/jwks.json',
      ].join('\n'),
    );
  });

  it("writes the site file from the hub's configuration: base URL, every ui_url, return URLs, ports, DSN, SMTP, 32-character secrets, schema", async () => {
    const res = await runCli(base());
    expect(res.code, res.stderr).toBe(EXIT.OK);
    expect(((await stat(out())).mode & 0o777).toString(8)).toBe('600');
    const text = await readFile(out(), 'utf8');
    expect(text.startsWith('# Kratos site file for the SSO Hub at https://login.example.com')).toBe(true);
    const site = await read();
    expect(site.dsn).toBe(PG);
    expect(site.serve.public).toEqual({ host: '127.0.0.1', port: 4433, base_url: 'https://login.example.com/' });
    expect(site.serve.admin).toEqual({ host: '127.0.0.1', port: 4434, base_url: 'http://127.0.0.1:4434/' });
    expect(site.selfservice.default_browser_return_url).toBe('https://login.example.com/');
    expect(site.selfservice.allowed_return_urls).toEqual(['https://login.example.com/', 'https://app.example.com/', 'https://shop.example.org/']);
    for (const flow of ['error', 'login', 'registration', 'verification', 'recovery', 'settings']) {
      expect(site.selfservice.flows[flow]!.ui_url).toBe(`https://login.example.com/${flow}`);
    }
    expect(site.courier.smtp).toEqual({ connection_uri: SMTP, from_address: 'no-reply@login.example.com' });
    expect(site.courier.template_override_path).toBe('/etc/kratos/courier-templates');
    expect(site.secrets.cipher).toEqual([expect.stringMatching(/^[A-Za-z0-9]{32}$/)]);
    expect(site.secrets.cookie).toEqual([expect.stringMatching(/^[A-Za-z0-9]{32}$/)]);
    expect(site.identity.schemas).toEqual([{ id: 'person', url: 'file:///etc/kratos/identity.schema.json' }]);
    expect(site.session).toBeUndefined();
    // The summary shows no password of the DSN or the SMTP URI, and no secret.
    for (const secret of ['s3cret-pw', 'mail-pw', site.secrets.cipher[0]!, site.secrets.cookie[0]!]) expect(res.stdout).not.toContain(secret);
    expect(res.stdout).toMatch(/postgres:\/\/kratos:\*\*\*@db\.internal:5432/);
  });

  it('takes flags over the env file, writes the renamed session cookie, and a local schema as a checked file:// URL', async () => {
    const schema = join(dir, 'person.schema.json');
    await writeFile(schema, JSON.stringify({ properties: { traits: { type: 'object' } } }));
    const res = await runCli([
      ...base(),
      '--kratos-public-url', 'http://kratos:4433',
      '--kratos-admin-url', 'http://kratos:4434',
      '--listen-host', '0.0.0.0',
      '--session-cookie-name', 'acme_session',
      '--identity-schema', schema,
      '--smtp-from', 'sso@example.com',
    ]);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    const site = await read();
    expect(site.serve.public).toMatchObject({ host: '0.0.0.0', port: 4433 });
    expect(site.serve.admin.base_url).toBe('http://kratos:4434/');
    expect(site.session).toEqual({ cookie: { name: 'acme_session' } });
    expect(site.identity.schemas[0]!.url).toBe(`file://${schema}`);
    expect(site.courier.smtp.from_address).toBe('sso@example.com');

    await writeFile(join(dir, 'bad.schema.json'), '{"title": "no traits"}');
    const bad = await runCli([...base(), '--force', '--identity-schema', join(dir, 'bad.schema.json')]);
    expect(bad.code).toBe(EXIT.USAGE);
    expect(bad.stderr).toMatch(/not a Kratos identity schema: it has no properties\.traits/);
  });

  it("names the mail templates' directory: a path or file:// URL, checked when it is on this machine", async () => {
    const templates = join(REPO_ROOT, 'deploy/kratos/courier-templates');
    const given = await runCli([...base(), '--courier-templates', pathToFileURL(templates).href]);
    expect(given.code, given.stderr).toBe(EXIT.OK);
    expect((await read()).courier.template_override_path).toBe(templates);
    expect(given.stderr).not.toContain('courier-templates');

    const missing = await runCli([...base(), '--force', '--courier-templates', join(dir, 'nowhere')]);
    expect(missing.code, missing.stderr).toBe(EXIT.OK);
    expect((await read()).courier.template_override_path).toBe(join(dir, 'nowhere'));
    expect(missing.stderr).toMatch(/--courier-templates .*nowhere holds no SSO Hub mail templates here/);

    const remote = await runCli([...base(), '--force', '--courier-templates', 'https://cdn.example.com/templates']);
    expect(remote.code).toBe(EXIT.USAGE);
    expect(remote.stderr).toMatch(/a directory on its own host/);
  });

  it('explains every refusal: cipher length, listen address, memory DSN in production, SMTP scheme, file extension, bad hub option', async () => {
    const cases: [string[], RegExp][] = [
      [['--cipher-secret', 'too-short'], /--cipher-secret must be exactly 32 characters .* it has 9\. Leave it out to have one generated/],
      [['--cookie-secret', 'short'], /--cookie-secret must be at least 16 characters/],
      [['--kratos-public-url', 'http://kratos:4433'], /Kratos would listen on 127\.0\.0\.1, but the hub reaches it at http:\/\/kratos:4433 .* --listen-host 0\.0\.0\.0/],
      [['--dsn', 'memory'], /--dsn memory: in-memory SQLite .* production needs PostgreSQL/],
      [['--smtp-uri', 'http://mail.example.com'], /--smtp-uri must use smtp:\/\/ \(STARTTLS\) or smtps:\/\/ \(TLS\), not http:\/\//],
      [['--out', join(dir, 'site.json')], /must end in \.yml or \.yaml: Kratos reads a config file's format from its extension/],
      [['--allowed-return-origins', 'http://app.example.com'], /allowedReturnOrigins\[0\] \(SSOHUB_ALLOWED_RETURN_ORIGINS\) must use https in production/],
      [['--dsn', 'mongodb://db/kratos'], /is not a DSN Kratos can use/],
    ];
    for (const [extra, message] of cases) {
      const args = [...base()];
      for (let i = 0; i < extra.length; i += 2) {
        const at = args.indexOf(extra[i]!);
        if (at >= 0) args[at + 1] = extra[i + 1]!;
        else args.push(extra[i]!, extra[i + 1]!);
      }
      const res = await runCli(args);
      expect(res.code, `${extra.join(' ')}: ${res.stderr}`).toBe(EXIT.USAGE);
      expect(res.stderr).toMatch(message);
      await expect(stat(out())).rejects.toThrow(/ENOENT/);
    }
    expect((await runCli(['kratos', 'config', '--env-file', envFile, '--smtp-uri', SMTP, '--out', out()])).stderr).toMatch(/--dsn \(or --dsn-file\) is required/);
  });

  it('keeps the secrets when written again with --force, rotates them with --rotate-secrets, and never overwrites without --force', async () => {
    expect((await runCli(base())).code).toBe(EXIT.OK);
    const first = await read();
    const again = await runCli([...base(), '--allowed-return-origins', 'https://new.example.com']);
    expect(again.code).toBe(EXIT.CONFLICT);
    expect(again.stderr).toMatch(/exists and holds Kratos' secrets; pass --force/);
    expect((await read()).selfservice.allowed_return_urls).toContain('https://app.example.com/');

    expect((await runCli([...base(), '--allowed-return-origins', 'https://new.example.com', '--force'])).code).toBe(EXIT.OK);
    const second = await read();
    expect(second.selfservice.allowed_return_urls).toEqual(['https://login.example.com/', 'https://new.example.com/']);
    expect(second.secrets).toEqual(first.secrets);

    expect((await runCli([...base(), '--force', '--rotate-secrets'])).code).toBe(EXIT.OK);
    const third = await read();
    expect(third.secrets.cipher).toHaveLength(2);
    expect(third.secrets.cipher[1]).toBe(first.secrets.cipher[0]);
    expect(third.secrets.cookie[1]).toBe(first.secrets.cookie[0]);
    expect(third.secrets.cipher[0]).not.toBe(first.secrets.cipher[0]);
  });

  it('reads the DSN and SMTP URI from files, prints to standard output with --out -, and warns about SQLite in production', async () => {
    await writeFile(join(dir, 'dsn'), 'sqlite:///var/lib/kratos/db.sqlite?_fk=true\n');
    await writeFile(join(dir, 'smtp'), `${SMTP}\n`);
    const res = await runCli(['kratos', 'config', '--env-file', envFile, '--dsn-file', join(dir, 'dsn'), '--smtp-uri-file', join(dir, 'smtp'), '--out', '-']);
    expect(res.code, res.stderr).toBe(EXIT.OK);
    const site = parse(res.stdout) as Site;
    expect(site.dsn).toBe('sqlite:///var/lib/kratos/db.sqlite?_fk=true');
    expect(res.stderr).toMatch(/warning: the DSN is SQLite: one Kratos process/);
  });
});
