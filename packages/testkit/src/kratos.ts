import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildKratosSiteConfig, kratosPasswordMethod } from '@ssohub/hub/config';
import { reservePort } from './free-port.ts';
import { SetupError } from './setup-error.ts';
import { waitFor } from './wait-for.ts';

const run = promisify(execFile);

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const KRATOS_DIR = join(REPO_ROOT, 'deploy/kratos');
/** Kratos' mail templates in the user's language (a directory: Kratos' courier.template_override_path). */
export const KRATOS_COURIER_TEMPLATES = join(KRATOS_DIR, 'courier-templates');

/** Where the test kit keeps generated, reusable artefacts (certificates, migrated DB templates). */
export const TESTKIT_CACHE = join(REPO_ROOT, '.cache/testkit');

/**
 * Builds Kratos if needed (deploy/kratos/build.sh caches it by pinned version) and returns the
 * binary's path. Throws a SetupError that says how to fix a missing Go toolchain or a failed build.
 */
export async function ensureKratosBinary(): Promise<string> {
  try {
    const { stdout } = await run('bash', [join(KRATOS_DIR, 'build.sh')], { maxBuffer: 1 << 20, timeout: 30 * 60_000 });
    return stdout.trim().split('\n').at(-1)!;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? String(err);
    throw new SetupError(`Kratos is not available.\n${stderr}`, { cause: err });
  }
}

export type KratosDatabase =
  /** A fresh SQLite file per start, or `file`, kept across starts (created from the migrated template). */
  | { kind: 'sqlite'; file?: string }
  | { kind: 'memory' }
  | { kind: 'postgres'; dsn: string };

export interface KratosOptions {
  /**
   * Public URL of the hub that fronts Kratos (Kratos' serve.public.base_url), e.g.
   * https://login.sso.test:8443. Default: Kratos' own public URL on loopback (no hub in front).
   */
  hubUrl?: string;
  /** Extra return_to origins Kratos accepts besides the hub. */
  allowedReturnUrls?: string[];
  database?: KratosDatabase;
  /** SMTP capture port on 127.0.0.1; mail goes nowhere else. */
  smtpPort: number;
  /** Overrides merged last into the generated site config (YAML-compatible JSON). */
  overrides?: Record<string, unknown>;
  /** The hub's passwordPolicy.minLength, as `ssohub kratos config` writes it; default: kratos.yml's (12, the hub's default). */
  passwordMinLength?: number;
  /** Pass --dev (plain http cookies, unredacted courier API). Off by default: tests run over https. */
  dev?: boolean;
  /** Where Kratos' stdout/stderr go. Default: kept in memory, printed if Kratos fails to start. */
  log?: (line: string) => void;
  /**
   * false: start on the database as it is, unmigrated (a fresh SQLite file is left empty), and
   * return without waiting for readiness, which never comes: for tests of an unmigrated Kratos.
   */
  migrate?: false;
  /**
   * Extra environment for Kratos, e.g. HTTPS_PROXY (startTestHostProxy) and SSL_CERT_FILE (the
   * test CA) so it can reach an upstream OpenID provider on a test host name.
   */
  env?: Record<string, string>;
}

export interface RunningKratos {
  publicUrl: string;
  adminUrl: string;
  dsn: string;
  /** The two config files Kratos was started with, in order. */
  configFiles: string[];
  stop(): Promise<void>;
}

/**
 * The site-specific Kratos config (URLs, ports, DSN, SMTP, secrets) merged over
 * deploy/kratos/kratos.yml: the hub's own builder (what `ssohub kratos config` writes), with
 * Kratos on loopback, SMTP to the capture server and the repository's identity schema and mail
 * templates, plus any test overrides. JSON is valid YAML, so the file is plain JSON.
 */
export function buildSiteConfig(o: {
  hubUrl: string;
  publicPort: number;
  adminPort: number;
  dsn: string;
  smtpPort: number;
  allowedReturnUrls: string[];
  cookieSecret: string;
  cipherSecret: string;
  overrides?: Record<string, unknown>;
  passwordMinLength?: number;
}): Record<string, unknown> {
  const site = buildKratosSiteConfig({
    hubUrl: o.hubUrl,
    publicListen: { host: '127.0.0.1', port: o.publicPort },
    adminListen: { host: '127.0.0.1', port: o.adminPort },
    adminBaseUrl: `http://127.0.0.1:${o.adminPort}`,
    dsn: o.dsn,
    allowedReturnOrigins: o.allowedReturnUrls,
    smtp: { connectionUri: `smtp://127.0.0.1:${o.smtpPort}/?disable_starttls=true`, fromAddress: `no-reply@${new URL(o.hubUrl).hostname}` },
    secrets: { cookie: [o.cookieSecret], cipher: [o.cipherSecret] },
    identitySchemaUrl: `file://${join(KRATOS_DIR, 'identity.schema.json')}`,
  });
  // The repository's mail templates (en/de/fr/es), not the image's /etc/kratos copy.
  const templates = { courier: { template_override_path: KRATOS_COURIER_TEMPLATES } };
  const password = o.passwordMinLength === undefined ? {} : { selfservice: { methods: kratosPasswordMethod({ minLength: o.passwordMinLength }) } };
  return deepMerge(deepMerge(deepMerge(site, templates), password), o.overrides ?? {});
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object' && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

const randomSecret = (n: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');

/**
 * Starts a real Kratos on loopback with free ports and a fresh database, and waits until its admin
 * readiness check passes (database reachable, migrations applied). SQLite databases start from a
 * migrated template file so a test does not pay for 300 migrations each time.
 */
export async function startKratos(options: KratosOptions): Promise<RunningKratos> {
  const bin = await ensureKratosBinary();
  const dir = await mkdtemp(join(tmpdir(), 'ssohub-kratos-'));
  const database = options.database ?? { kind: 'sqlite' };
  let dsn: string;
  if (database.kind === 'memory') dsn = 'memory';
  else if (database.kind === 'postgres') dsn = database.dsn;
  else {
    const file = database.file ?? join(dir, 'kratos.sqlite');
    const exists = await stat(file).then(() => true, () => false);
    if (!exists) {
      await mkdir(dirname(file), { recursive: true });
      if (options.migrate !== false) await copyFile(await migratedSqliteTemplate(bin), file);
    }
    // WAL: readers (every whoami) no longer take the file lock a writer needs, and each read
    // costs fewer syscalls. Kratos' CPU per whoami fell by ~17% here (docs/benchmarks.md).
    // lock=false: Kratos' ORM (ory/pop) holds a process-wide mutex around every SQLite insert,
    // update and delete, also inside transactions. A transaction holding SQLite's write lock then
    // waits for that mutex while its holder waits for the write lock: both stand still until the
    // holder's busy timeout (5 s) fails it ("sqlite create: named insert: database is locked").
    // Under concurrent sign-ins that failed requests and stalled others for minutes; SQLite's own
    // lock and busy timeout are enough (docs/benchmarks.md).
    dsn = `sqlite://${file}?_fk=true&mode=rwc&_journal_mode=WAL&lock=false`;
  }
  // Both ports are held until Kratos is about to start: two free ports asked for one after the
  // other can be the same one, and another Kratos starting meanwhile cannot take them.
  const reserved = [await reservePort(), await reservePort()];
  const [publicPort, adminPort] = reserved.map((r) => r.port) as [number, number];
  const hubUrl = options.hubUrl ?? `http://127.0.0.1:${publicPort}`;
  const site = buildSiteConfig({
    hubUrl,
    publicPort,
    adminPort,
    dsn,
    smtpPort: options.smtpPort,
    allowedReturnUrls: options.allowedReturnUrls ?? [],
    cookieSecret: randomSecret(32),
    cipherSecret: randomSecret(32),
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.passwordMinLength === undefined ? {} : { passwordMinLength: options.passwordMinLength }),
  });
  const sitePath = join(dir, 'site.yml');
  const configFiles = [join(KRATOS_DIR, 'kratos.yml'), sitePath];
  try {
    await writeFile(sitePath, JSON.stringify(site, null, 2), { mode: 0o600 });
    // A kept SQLite file may predate a newer pinned Kratos: migrating is idempotent and fast.
    if (options.migrate !== false && (database.kind === 'postgres' || (database.kind === 'sqlite' && database.file))) await migrate(bin, configFiles);
  } finally {
    await Promise.all(reserved.map((r) => r.release()));
  }

  const args = ['serve', ...configFiles.flatMap((f) => ['-c', f]), '--watch-courier', '--sqa-opt-out'];
  if (options.dev) args.push('--dev');
  const child = spawn(bin, args, { env: { ...cleanEnv(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const onLine = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      if (options.log) options.log(line);
      output.push(line);
      if (output.length > 200) output.shift();
    }
  };
  child.stdout.on('data', onLine);
  child.stderr.on('data', onLine);

  const adminUrl = `http://127.0.0.1:${adminPort}`;
  try {
    if (options.migrate !== false) await waitFor(
      'Kratos admin readiness',
      async () => {
        if (child.exitCode !== null) throw new Error(`Kratos exited with code ${child.exitCode}`);
        const res = await fetch(`${adminUrl}/admin/health/ready`);
        return res.ok ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  } catch (err) {
    await stopChild(child);
    throw new SetupError(`Kratos did not become ready. Last output:\n${output.slice(-20).join('\n')}`, { cause: err });
  }
  return {
    publicUrl: `http://127.0.0.1:${publicPort}`,
    adminUrl,
    dsn,
    configFiles,
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function migrate(bin: string, configFiles: string[], dsn?: string): Promise<void> {
  try {
    await run(bin, ['migrate', 'sql', '-e', '--yes', ...configFiles.flatMap((f) => ['-c', f])], {
      env: { ...cleanEnv(), ...(dsn ? { DSN: dsn } : {}) },
      maxBuffer: 16 << 20,
      timeout: 5 * 60_000,
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new SetupError(`Kratos migrations failed:\n${stderr.split('\n').slice(-15).join('\n')}`, { cause: err });
  }
}

/** Migrates one SQLite file per Kratos binary and reuses it as a template. */
async function migratedSqliteTemplate(bin: string): Promise<string> {
  const tag = (await stat(bin)).mtimeMs.toFixed(0);
  const template = join(TESTKIT_CACHE, 'kratos-sqlite', `template-${tag}.sqlite`);
  try {
    await stat(template);
    return template;
  } catch {
    // not migrated yet
  }
  await mkdir(dirname(template), { recursive: true });
  const work = `${template}.${process.pid}.tmp`;
  const dsn = `sqlite://${work}?_fk=true&mode=rwc`;
  const cfgDir = await mkdtemp(join(tmpdir(), 'ssohub-kratos-migrate-'));
  const site = buildSiteConfig({
    hubUrl: 'https://login.sso.test',
    publicPort: 1,
    adminPort: 2,
    dsn,
    smtpPort: 25,
    allowedReturnUrls: [],
    cookieSecret: randomSecret(32),
    cipherSecret: randomSecret(32),
  });
  await writeFile(join(cfgDir, 'site.yml'), JSON.stringify(site));
  try {
    await migrate(bin, [join(KRATOS_DIR, 'kratos.yml'), join(cfgDir, 'site.yml')]);
    await copyFile(work, template);
  } finally {
    await rm(work, { force: true });
    await rm(cfgDir, { recursive: true, force: true });
  }
  return template;
}

/** Kratos reads config keys from the environment; keep ours (DSN, SERVE_*, ...) from leaking in. */
function cleanEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', SQA_OPT_OUT: 'true', TZ: 'UTC' };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
