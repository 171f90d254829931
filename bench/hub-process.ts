/**
 * @file What the benchmarks that start a hub share (bench/run.ts, tracing.ts, ab.ts, peer/): building the
 * hub as production runs it, the static clients they register, seeding users through Kratos'
 * admin API, and starting, waiting for and stopping child processes.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateSigningKey } from '../packages/hub/src/bridge/provider/signing-keys.ts';

/** The repository's root folder. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds packages/hub/dist as a deployment would (tsc), so the bench runs what production runs.
 * `root` is another checkout of the repository (bench/ab.ts builds the commit it compares with).
 */
export async function buildHub(log: (s: string) => void, root = ROOT): Promise<void> {
  log(`building the hub (tsc -p ${root === ROOT ? '' : `${root}/`}packages/hub/tsconfig.build.json)`);
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', join(root, 'packages/hub/tsconfig.build.json')]).catch((err: { stdout?: string; stderr?: string }) => {
    throw new Error(`building the hub failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`, { cause: err });
  });
}

/** A static client's registration as the hub's SSOHUB_CLIENTS_FILE holds it: first party, secret in Basic auth. */
export function clientMetadata(id: string, secret: string, redirectUri: string) {
  return {
    client_id: id,
    client_secret: secret,
    client_name: id,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
    ssohub_first_party: true,
  };
}

/** The static clients the benches that start a hub register: two with RS256 ID tokens, one with ES256. */
export const BENCH_CLIENTS = {
  a: { id: 'app-a', secret: 'bench-app-a-secret-0123456789abcdefghij', redirectUri: 'http://app-a.localhost/callback' },
  b: { id: 'shop-b', secret: 'bench-shop-b-secret-0123456789abcdefghi', redirectUri: 'http://shop-b.localhost/callback' },
  es: { id: 'shop-b-es256', secret: 'bench-shop-b-es256-secret-0123456789abcd', redirectUri: 'http://shop-b-es.localhost/callback' },
} as const;

/**
 * Writes BENCH_CLIENTS (plus `extra` registrations) and a fresh RS256 + ES256 signing key pair to
 * `dir`, for SSOHUB_CLIENTS_FILE and SSOHUB_SIGNING_KEYS_FILE.
 */
export async function writeBenchClientFiles(dir: string, extra: object[] = []): Promise<{ clientFile: string; keysFile: string }> {
  const c = BENCH_CLIENTS;
  const clientFile = join(dir, 'clients.json');
  await writeFile(
    clientFile,
    JSON.stringify([
      clientMetadata(c.a.id, c.a.secret, c.a.redirectUri),
      clientMetadata(c.b.id, c.b.secret, c.b.redirectUri),
      { ...clientMetadata(c.es.id, c.es.secret, c.es.redirectUri), id_token_signed_response_alg: 'ES256' },
      ...extra,
    ]),
  );
  const keysFile = join(dir, 'signing-keys.json');
  await writeFile(keysFile, JSON.stringify([await generateSigningKey('RS256', 'bench-rs-1'), await generateSigningKey('ES256', 'bench-es-1')]), { mode: 0o600 });
  return { clientFile, keysFile };
}

/** Keeps the last 100 lines a child prints (each cut at 500 characters), for the error when it dies. */
export function keepOutputTail(child: ChildProcess): string[] {
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) output.push(line.slice(0, 500)) > 100 && output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return output;
}

/** Creates `count` verified password users through Kratos' admin API, four at a time. */
export async function seedUsers(adminUrl: string, count: number) {
  const users: { email: string; password: string }[] = [];
  const queue = Array.from({ length: count }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const email = `bench-${i}-${Date.now().toString(36)}@example.test`;
        const password = `bench-password-${i}-${Math.random().toString(36).slice(2)}`;
        const res = await fetch(`${adminUrl}/admin/identities`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            schema_id: 'person',
            traits: { email, name: `Bench User ${i}` },
            credentials: { password: { config: { password } } },
            verifiable_addresses: [{ value: email, via: 'email', verified: true, status: 'completed' }],
          }),
        });
        if (res.status !== 201) throw new Error(`creating a user failed: ${res.status} ${await res.text()}`);
        users.push({ email, password });
      }
    }),
  );
  return users;
}

/** Polls `check` every 250 ms until it returns true; throws naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function stopChild(child: ChildProcess, graceMs: number) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
