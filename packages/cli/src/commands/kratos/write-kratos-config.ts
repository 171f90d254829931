import { randomInt } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  buildKratosSiteConfig,
  classifyDsn,
  ConfigError,
  KRATOS_CIPHER_SECRET_LENGTH,
  KRATOS_DEFAULT_SESSION_COOKIE,
  kratosPasswordMethod,
  loadConfig,
  type TracingSettings,
  tracingSettingsFromEnv,
} from '@ssohub/hub/config';
import type { Command } from 'commander';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { CommandContext } from '../../command-context.ts';
import { CliError } from '../../errors/cli-error.ts';
import { EXIT } from '../../errors/exit-codes.ts';
import { readEnvFile } from '../../files/read-env-file.ts';
import { readTextFile } from '../../files/read-text-file.ts';
import { checkWritable, writeSecretFile } from '../../files/write-secret-file.ts';
import { print } from '../../output/output.ts';
import { addUpstreamProviders, describeUpstreamProviders, upstreamProvidersFromFile } from './upstream-providers-option.ts';

interface KratosConfigFlags {
  out: string;
  envFile?: string;
  mode?: string;
  publicUrl?: string;
  kratosPublicUrl?: string;
  kratosAdminUrl?: string;
  allowedReturnOrigins?: string;
  sessionCookieName?: string;
  dsn?: string;
  dsnFile?: string;
  smtpUri?: string;
  smtpUriFile?: string;
  smtpFrom?: string;
  identitySchema: string;
  courierTemplates: string;
  listenHost: string;
  cookieSecret?: string;
  cipherSecret?: string;
  force?: boolean;
  rotateSecrets?: boolean;
  upstreamProviders?: string;
}

/** The hub options the site file is made of; none is a secret, so no secret file is read. */
const FROM_HUB = ['mode', 'publicUrl', 'kratos', 'allowedReturnOrigins', 'passwordPolicy'];
const FLAG_VARIABLES: [keyof KratosConfigFlags, string][] = [
  ['mode', 'SSOHUB_MODE'],
  ['publicUrl', 'SSOHUB_PUBLIC_URL'],
  ['kratosPublicUrl', 'SSOHUB_KRATOS_PUBLIC_URL'],
  ['kratosAdminUrl', 'SSOHUB_KRATOS_ADMIN_URL'],
  ['allowedReturnOrigins', 'SSOHUB_ALLOWED_RETURN_ORIGINS'],
  ['sessionCookieName', 'SSOHUB_KRATOS_SESSION_COOKIE'],
];
const DEFAULT_SCHEMA = 'file:///etc/kratos/identity.schema.json';
/** Where the Kratos image (deploy/kratos/Dockerfile) and the native layout keep the mail templates. */
const DEFAULT_COURIER_TEMPLATES = '/etc/kratos/courier-templates';
const KRATOS_COOKIE_SECRET_MIN = 16;

/**
 * ssohub kratos config: writes the Kratos site file (merged after deploy/kratos/kratos.yml) from
 * the hub's own configuration, read the way the hub reads it (SSOHUB_* variables, an env file,
 * SSOHUB_CONFIG), so Kratos' base URL, UI URLs, return-URL allow-list and ports cannot drift
 * from the hub's. The DSN and SMTP settings are Kratos' own; its secrets are generated.
 */
export function registerWriteKratosConfig(kratos: Command, ctx: CommandContext): void {
  kratos
    .command('config')
    .description("write Kratos' site file (URLs, allow-lists, DSN, SMTP, secrets, identity schema) from the hub's configuration")
    .requiredOption('--out <file>', 'where to write it (a .yml name: Kratos picks the format by extension), or - for standard output')
    .option('--env-file <file>', "the hub's environment file (KEY=VALUE, as systemd and compose read it); SSOHUB_* variables of this shell count too")
    .option('--mode <mode>', 'the hub mode (SSOHUB_MODE)')
    .option('--public-url <url>', "the hub's public URL (SSOHUB_PUBLIC_URL)")
    .option('--kratos-public-url <url>', 'where the hub reaches Kratos public (SSOHUB_KRATOS_PUBLIC_URL)')
    .option('--kratos-admin-url <url>', 'where the hub reaches Kratos admin (SSOHUB_KRATOS_ADMIN_URL)')
    .option('--allowed-return-origins <list>', 'comma-separated app origins (SSOHUB_ALLOWED_RETURN_ORIGINS)')
    .option('--session-cookie-name <name>', "Kratos' session cookie name (SSOHUB_KRATOS_SESSION_COOKIE)")
    .option('--dsn <dsn>', "Kratos' database, e.g. postgres://kratos:PASSWORD@db:5432/kratos?sslmode=require&max_conns=20&max_idle_conns=20")
    .option('--dsn-file <file>', 'read the DSN from a file instead (keeps the password out of shell history and ps)')
    .option('--smtp-uri <uri>', "the courier's SMTP server, e.g. smtps://user:PASSWORD@mail.example.com:465/")
    .option('--smtp-uri-file <file>', 'read the SMTP URI from a file instead')
    .option('--smtp-from <address>', 'sender address of codes and links (default: no-reply@<hub host>)')
    .option('--identity-schema <path|url>', 'identity schema: a file:// https:// or base64:// URL as Kratos will read it, or a local file', DEFAULT_SCHEMA)
    .option(
      '--courier-templates <dir>',
      "the directory of SSO Hub's mail templates (deploy/kratos/courier-templates) as Kratos will read it: a path or file:// URL on Kratos' host",
      DEFAULT_COURIER_TEMPLATES,
    )
    .option('--listen-host <host>', 'address Kratos listens on: 127.0.0.1 beside the hub, 0.0.0.0 inside a container network', '127.0.0.1')
    .option('--cookie-secret <secret>', `Kratos' cookie secret (at least ${KRATOS_COOKIE_SECRET_MIN} characters; default: generated)`)
    .option('--cipher-secret <secret>', `Kratos' cipher secret (exactly ${KRATOS_CIPHER_SECRET_LENGTH} characters; default: generated)`)
    .option('--force', "replace an existing file; its secrets are kept (Kratos could not read what it encrypted or signed without them)")
    .option('--upstream-providers <file>', 'upstream OpenID providers (YAML or JSON, an upstreamProviders list) offered as sign-in buttons: docs/upstream-providers.md')
    .option('--rotate-secrets', 'with --force: put new cookie and cipher secrets first and keep the old ones after them')
    .action(async (flags: KratosConfigFlags, cmd: Command) => {
      const { json } = ctx.settings(cmd);
      const warnings: string[] = [];

      const env: Record<string, string | undefined> = Object.fromEntries(Object.entries(ctx.io.env).filter(([k]) => k.startsWith('SSOHUB_')));
      const envFile = flags.envFile ? await readEnvFile(flags.envFile) : {};
      Object.assign(env, envFile);
      for (const [flag, variable] of FLAG_VARIABLES) if (flags[flag] !== undefined) env[variable] = String(flags[flag]);
      let hub: ReturnType<typeof loadConfig>;
      let tracing: TracingSettings | undefined;
      try {
        hub = loadConfig(env, { only: FROM_HUB });
        // The hub's tracing (OTEL_*, from the shell or the hub's env file): Kratos' goes to the same collector.
        tracing = tracingSettingsFromEnv(Object.fromEntries(Object.entries({ ...ctx.io.env, ...envFile }).filter(([k]) => k.startsWith('OTEL_'))));
      } catch (err) {
        if (err instanceof ConfigError) throw new CliError(EXIT.USAGE, `the hub's configuration is invalid:\n  - ${err.problems.join('\n  - ')}`);
        throw err;
      }

      const publicUrl = new URL(hub.kratos.publicUrl);
      const adminUrl = new URL(hub.kratos.adminUrl);
      const loopback = (host: string) => /^(127\.|localhost$|\[::1\]$|::1$)/.test(host);
      if (loopback(flags.listenHost) && (!loopback(publicUrl.hostname) || !loopback(adminUrl.hostname))) {
        throw new CliError(
          EXIT.USAGE,
          `Kratos would listen on ${flags.listenHost}, but the hub reaches it at ${hub.kratos.publicUrl} and ${hub.kratos.adminUrl}: pass --listen-host 0.0.0.0 (containers) or the private address the hub uses`,
        );
      }

      const dsn = await valueOrFile(flags.dsn, flags.dsnFile, '--dsn', 'the DSN file');
      const database = classifyDsn(dsn);
      if (database.problems.length > 0 || database.kind === 'unknown') {
        throw new CliError(EXIT.USAGE, `--dsn ${database.redacted} is not a DSN Kratos can use: ${database.problems.join('; ') || 'unknown scheme (postgres://, mysql://, cockroach://, sqlite://)'}`);
      }
      if (database.kind === 'memory') {
        if (hub.mode === 'production') throw new CliError(EXIT.USAGE, `--dsn ${database.redacted}: ${database.description}; production needs PostgreSQL (or MySQL, CockroachDB)`);
        warnings.push(`the DSN is ${database.description}`);
      } else if (database.kind === 'sqlite' && hub.mode === 'production') {
        warnings.push('the DSN is SQLite: one Kratos process on one host only, and writes queue behind a file lock; use PostgreSQL for production (ssohub doctor warns too)');
      }

      const smtpUri = await valueOrFile(flags.smtpUri, flags.smtpUriFile, '--smtp-uri', 'the SMTP URI file');
      let smtp: URL;
      try {
        smtp = new URL(smtpUri);
      } catch {
        throw new CliError(EXIT.USAGE, '--smtp-uri must be a URL such as smtp://mail.example.com:587/ or smtps://user:PASSWORD@mail.example.com:465/');
      }
      if (smtp.protocol !== 'smtp:' && smtp.protocol !== 'smtps:') throw new CliError(EXIT.USAGE, `--smtp-uri must use smtp:// (STARTTLS) or smtps:// (TLS), not ${smtp.protocol}//`);
      if (smtp.protocol === 'smtp:' && smtp.searchParams.get('disable_starttls') === 'true' && hub.mode === 'production' && !loopback(smtp.hostname)) {
        warnings.push('--smtp-uri disables STARTTLS to a remote server: sign-in codes would cross the network in clear');
      }
      const fromAddress = flags.smtpFrom ?? `no-reply@${new URL(hub.publicUrl).hostname}`;
      if (!/^[^@\s<>]+@[^@\s<>]+$/.test(fromAddress)) throw new CliError(EXIT.USAGE, `--smtp-from must be an address such as no-reply@example.com (got ${JSON.stringify(fromAddress)})`);

      const identitySchemaUrl = await schemaUrl(flags.identitySchema, warnings);
      const courierTemplates = await templatesPath(flags.courierTemplates, warnings);
      const upstream = await upstreamProvidersFromFile(flags.upstreamProviders);

      const out = flags.out === '-' ? undefined : resolve(flags.out);
      if (out && !/\.ya?ml$/.test(out)) throw new CliError(EXIT.USAGE, `--out ${flags.out} must end in .yml or .yaml: Kratos reads a config file's format from its extension`);
      const previous = out ? await previousSecrets(out, flags) : undefined;
      const secretsFor = (given: string | undefined, flag: string, kept: string[] | undefined) => {
        const first = given !== undefined ? [checkSecret(flag, given)] : kept?.length && !flags.rotateSecrets ? [] : [newSecret()];
        return merge(first, kept);
      };
      const secrets = { cookie: secretsFor(flags.cookieSecret, '--cookie-secret', previous?.cookie), cipher: secretsFor(flags.cipherSecret, '--cipher-secret', previous?.cipher) };

      const site = buildKratosSiteConfig({
        hubUrl: hub.publicUrl,
        publicListen: { host: flags.listenHost, port: portOf(publicUrl) },
        adminListen: { host: flags.listenHost, port: portOf(adminUrl) },
        adminBaseUrl: hub.kratos.adminUrl,
        dsn,
        allowedReturnOrigins: hub.allowedReturnOrigins,
        smtp: { connectionUri: smtpUri, fromAddress },
        secrets,
        identitySchemaUrl,
        sessionCookieName: hub.kratos.sessionCookieName === KRATOS_DEFAULT_SESSION_COOKIE ? undefined : hub.kratos.sessionCookieName,
        tracing,
      });
      // The mails in the user's language: Kratos reads the directory itself (a path, no URL).
      (site.courier as Record<string, unknown>).template_override_path = courierTemplates;
      // The hub's password policy: Kratos enforces the minimum length (SSOHUB_PASSWORD_MIN_LENGTH).
      const selfservice = site.selfservice as Record<string, unknown>;
      selfservice.methods = { ...(selfservice.methods as Record<string, unknown> | undefined), ...kratosPasswordMethod(hub.passwordPolicy) };
      addUpstreamProviders(site, upstream, hub.publicUrl);
      const text = `${HEADER(hub.publicUrl)}${stringifyYaml(site, { lineWidth: 0 })}`;

      if (out) {
        await checkWritable([out], { replace: flags.force === true, hint: 'pass --force to write it again (its secrets are kept)' });
        await writeSecretFile(out, text, { replace: flags.force === true });
      } else {
        ctx.io.stdout(text);
      }
      for (const w of warnings) ctx.io.stderr(`ssohub: warning: ${w}\n`);
      if (!out) return;

      const summary = {
        file: out,
        hubUrl: hub.publicUrl,
        mode: hub.mode,
        public: { listen: `${flags.listenHost}:${portOf(publicUrl)}`, baseUrl: `${hub.publicUrl}/` },
        admin: { listen: `${flags.listenHost}:${portOf(adminUrl)}`, baseUrl: hub.kratos.adminUrl },
        allowedReturnUrls: (site.selfservice as { allowed_return_urls: string[] }).allowed_return_urls,
        database: { kind: database.kind, dsn: database.redacted },
        smtp: { uri: redactUrl(smtp), from: fromAddress },
        identitySchema: identitySchemaUrl.startsWith('base64://') ? 'base64://…' : identitySchemaUrl,
        courierTemplates,
        upstreamProviders: describeUpstreamProviders(upstream, hub.publicUrl),
        tracing: site.tracing ?? 'off',
        secrets: { cookie: secrets.cookie.length, cipher: secrets.cipher.length, kept: previous !== undefined, rotated: previous !== undefined && (flags.rotateSecrets === true || flags.cookieSecret !== undefined || flags.cipherSecret !== undefined) },
        warnings,
      };
      print(ctx.io, json, summary, () =>
        [
          `wrote ${out} (mode 0600; it holds the DSN and Kratos' secrets: keep it out of version control)`,
          `  public API   ${summary.public.listen}, base_url ${summary.public.baseUrl}`,
          `  admin API    ${summary.admin.listen}, base_url ${summary.admin.baseUrl}`,
          `  return URLs  ${summary.allowedReturnUrls.join(', ')}`,
          `  database     ${database.description} (${database.redacted})`,
          `  courier      ${summary.smtp.uri}, from ${fromAddress}`,
          `  schema       ${summary.identitySchema}`,
          `  mails        ${courierTemplates}`,
          ...summary.upstreamProviders.map((p) => `  upstream     ${p.label} (${p.id}): ${p.issuer}, callback ${p.callback}`),
          `  tracing      ${tracing ? `to ${(site.tracing as { providers: { otlp: { server_url: string } } }).providers.otlp.server_url} with the hub's (OTEL_EXPORTER_OTLP_ENDPOINT)` : 'off (no OTEL_EXPORTER_OTLP_ENDPOINT for the hub)'}`,
          `  secrets      ${previous ? (summary.secrets.rotated ? 'new ones first, the previous kept after them' : 'kept from the previous file') : `generated (cipher: exactly ${KRATOS_CIPHER_SECRET_LENGTH} characters)`}`,
          '',
          'Next: kratos migrate sql -e --yes -c /etc/kratos/kratos.yml -c <this file>, then kratos serve with the same -c files (docs/deploy.md).',
          '',
        ].join('\n'),
      );
    });
}

const HEADER = (hubUrl: string) =>
  `# Kratos site file for the SSO Hub at ${hubUrl}, written by \`ssohub kratos config\`.\n` +
  '# Merged after the base file: kratos serve -c /etc/kratos/kratos.yml -c <this file>.\n' +
  '# It holds secrets (the DSN, cookie and cipher secrets): mode 0600, never in version control.\n' +
  '# Write it again with the same command (--force keeps its secrets) rather than by hand.\n';

async function valueOrFile(value: string | undefined, file: string | undefined, flag: string, what: string): Promise<string> {
  if (value !== undefined && file !== undefined) throw new CliError(EXIT.USAGE, `${flag} and ${flag}-file both given: keep one`);
  if (file !== undefined) {
    const text = (await readTextFile(file, what)).trim();
    if (!text) throw new CliError(EXIT.USAGE, `${file} (${flag}-file) is empty`);
    return text;
  }
  if (value === undefined || value.trim() === '') throw new CliError(EXIT.USAGE, `${flag} (or ${flag}-file) is required`);
  return value.trim();
}

/** A local schema file becomes an absolute file:// URL after checking it is JSON Kratos can read. */
async function schemaUrl(value: string, warnings: string[]): Promise<string> {
  if (/^(file|https?|base64):\/\//.test(value)) {
    if (value.startsWith('http://')) warnings.push(`--identity-schema ${value} is fetched over plain http`);
    return value;
  }
  const path = resolve(value);
  const text = await readTextFile(path, 'the identity schema');
  try {
    const schema = JSON.parse(text) as { properties?: { traits?: unknown } };
    if (!schema?.properties?.traits) throw new Error('it has no properties.traits');
  } catch (err) {
    throw new CliError(EXIT.USAGE, `--identity-schema ${value} is not a Kratos identity schema: ${(err as Error).message}`);
  }
  return pathToFileURL(path).href;
}

/**
 * Kratos' courier.template_override_path is a directory it opens itself, so a file:// URL becomes
 * its path. The default is where the image keeps them; another directory is checked when it is on
 * this machine, and only warned about: Kratos may run elsewhere (a container, another host), and
 * without the templates it sends its own English mails rather than failing.
 */
async function templatesPath(value: string, warnings: string[]): Promise<string> {
  let path = value.trim();
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path);
    } catch {
      throw new CliError(EXIT.USAGE, `--courier-templates ${value} is not a file:// URL of a directory`);
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new CliError(EXIT.USAGE, `--courier-templates ${value}: Kratos reads its mail templates from a directory on its own host (a path or a file:// URL)`);
  }
  if (path === '') throw new CliError(EXIT.USAGE, '--courier-templates must name a directory');
  path = resolve(path);
  if (path !== DEFAULT_COURIER_TEMPLATES) {
    const found = await stat(join(path, 'login_code', 'valid')).then((s) => s.isDirectory(), () => false);
    if (!found) warnings.push(`--courier-templates ${path} holds no SSO Hub mail templates here (login_code/valid); Kratos falls back to its English mails where they are missing`);
  }
  return path;
}

async function previousSecrets(out: string, flags: KratosConfigFlags): Promise<{ cookie: string[]; cipher: string[] } | undefined> {
  const exists = await stat(out).then(() => true, () => false);
  if (!exists) {
    if (flags.rotateSecrets) throw new CliError(EXIT.USAGE, `--rotate-secrets needs an existing file to rotate (${out} does not exist)`);
    return undefined;
  }
  if (!flags.force) throw new CliError(EXIT.CONFLICT, `${out} exists and holds Kratos' secrets; pass --force to write it again (its secrets are kept)`);
  let doc: { secrets?: { cookie?: unknown; cipher?: unknown } } | undefined;
  try {
    doc = parseYaml(await readTextFile(out, 'the existing site file'));
  } catch (err) {
    throw new CliError(EXIT.USAGE, `${out} exists but is not YAML (${(err as Error).message}); move it away or fix it: its secrets must not be lost`);
  }
  const list = (v: unknown) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : []);
  return { cookie: list(doc?.secrets?.cookie), cipher: list(doc?.secrets?.cipher) };
}

function checkSecret(flag: string, value: string): string {
  if (flag === '--cipher-secret' && value.length !== KRATOS_CIPHER_SECRET_LENGTH) {
    throw new CliError(
      EXIT.USAGE,
      `--cipher-secret must be exactly ${KRATOS_CIPHER_SECRET_LENGTH} characters (Kratos uses it as a 256-bit key and refuses any other length); it has ${value.length}. Leave it out to have one generated.`,
    );
  }
  if (flag === '--cookie-secret' && value.length < KRATOS_COOKIE_SECRET_MIN) {
    throw new CliError(EXIT.USAGE, `--cookie-secret must be at least ${KRATOS_COOKIE_SECRET_MIN} characters; it has ${value.length}. Leave it out to have one generated.`);
  }
  return value;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 32 characters from 62: ~190 bits, and never a character YAML or a shell would need quoted. */
function newSecret(): string {
  return Array.from({ length: KRATOS_CIPHER_SECRET_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

function merge(first: string[], rest: string[] | undefined): string[] {
  return [...first, ...(rest ?? []).filter((s) => !first.includes(s))];
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}
