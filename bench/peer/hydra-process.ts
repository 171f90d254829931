/**
 * @file Ory Hydra for `npm run bench:peer`: built once from its Go module by
 * bench/peer/hydra/build.sh (cached outside the checkout, like Kratos), migrated and started on
 * a PostgreSQL database of its own. SQLite is not an option: Hydra on SQLite fails under
 * concurrent load ("database is locked", issue 25).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, waitUntil } from '../hub-process.ts';

const run = promisify(execFile);

/** Builds Hydra if the cache lacks it and answers the binary's path. */
export async function ensureHydraBinary(log: (s: string) => void): Promise<string> {
  log('building Ory Hydra v2.3.0 from its Go module if not cached (bench/peer/hydra/build.sh)');
  const { stdout } = await run('bash', [join(ROOT, 'bench/peer/hydra/build.sh')], { maxBuffer: 1 << 20 }).catch((err: { stderr?: string }) => {
    throw new Error(`building Hydra failed:\n${err.stderr ?? ''}`, { cause: err });
  });
  return stdout.trim();
}

export interface RunningHydra {
  child: ChildProcess;
  publicUrl: string;
  adminUrl: string;
  /** The last lines Hydra wrote, for the report when something fails. */
  output: string[];
}

export interface HydraOptions {
  binary: string;
  dir: string;
  dsn: string;
  publicPort: number;
  adminPort: number;
  /** The login/consent app's base URL (its /login and /consent). */
  loginAppUrl: string;
}

/** Runs `hydra migrate sql`, then `hydra serve all --dev` (plain http on loopback) with Hydra's defaults otherwise. */
export async function startHydra(o: HydraOptions): Promise<RunningHydra> {
  const publicUrl = `http://127.0.0.1:${o.publicPort}`;
  const adminUrl = `http://127.0.0.1:${o.adminPort}`;
  const configFile = join(o.dir, 'hydra.json');
  // Defaults kept on purpose: opaque access tokens, PBKDF2 client-secret hashing (25,000
  // iterations), refresh-token rotation. Only what a deployment must set is set.
  await writeFile(
    configFile,
    JSON.stringify({
      dsn: o.dsn,
      log: { level: 'warn' },
      serve: {
        public: { host: '127.0.0.1', port: o.publicPort },
        admin: { host: '127.0.0.1', port: o.adminPort },
      },
      urls: { self: { issuer: `${publicUrl}/` }, login: `${o.loginAppUrl}/login`, consent: `${o.loginAppUrl}/consent` },
      secrets: { system: ['bench-hydra-system-secret-0123456789abcdef'] },
    }),
    { mode: 0o600 },
  );
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
  await run(o.binary, ['migrate', 'sql', '--yes', '--config', configFile, o.dsn], { env }).catch((err: { stderr?: string }) => {
    throw new Error(`hydra migrate sql failed:\n${err.stderr ?? ''}`, { cause: err });
  });
  const child = spawn(o.binary, ['serve', 'all', '--dev', '--config', configFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) output.push(line.slice(0, 500)) > 50 && output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  await waitUntil('hydra', async () => {
    if (child.exitCode !== null) throw new Error(`hydra exited (${child.exitCode}):\n${output.slice(-20).join('\n')}`);
    const ok = await Promise.all([`${publicUrl}/health/ready`, `${adminUrl}/health/ready`].map((u) => fetch(u).then((r) => r.ok, () => false)));
    return ok.every(Boolean);
  });
  return { child, publicUrl, adminUrl, output };
}

/** Registers a client through Hydra's admin API; Hydra stores the secret PBKDF2-hashed. */
export async function createHydraClient(adminUrl: string, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await fetch(`${adminUrl}/admin/clients`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { client_id?: string };
  if (res.status !== 201 || !json.client_id) throw new Error(`creating a Hydra client failed: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return { id: json.client_id };
}
