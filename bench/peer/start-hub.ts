/**
 * @file The hub of `npm run bench:peer`, started as bench/run.ts starts it: the built
 * packages/hub/dist/cluster.js with SSOHUB_WORKERS=1, throttles opened wide (every request comes
 * from 127.0.0.1), one static user client, and one service client onboarded through the admin API.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSigningKey } from '../../packages/hub/src/bridge/provider/signing-keys.ts';
import { buildHub, clientMetadata, keepOutputTail, ROOT, waitUntil } from '../hub-process.ts';
import type { ClientSpec } from '../protocol.ts';

export interface RunningHub {
  child: ChildProcess;
  issuer: string;
  adminUrl: string;
  output: string[];
}

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export async function startHub(o: {
  dir: string;
  port: number;
  adminPort: number;
  kratos: { publicUrl: string; adminUrl: string };
  redisUrl: string;
  prefix: string;
  client: ClientSpec;
  log: (s: string) => void;
}): Promise<RunningHub> {
  const hubUrl = `http://127.0.0.1:${o.port}`;
  const issuer = `${hubUrl}/oidc`;
  const clientFile = join(o.dir, 'clients.json');
  await writeFile(clientFile, JSON.stringify([clientMetadata(o.client.id, o.client.secret, o.client.redirectUri)]));
  const keysFile = join(o.dir, 'signing-keys.json');
  await writeFile(keysFile, JSON.stringify([await generateSigningKey('RS256', 'bench-rs-1')]), { mode: 0o600 });
  const wide = 1_000_000;
  const configFile = join(o.dir, 'hub.json');
  await writeFile(
    configFile,
    JSON.stringify({
      guard: {
        ip: { burst: wide, perMinute: wide, failureThreshold: wide },
        token: { ipBurst: wide, ipPerMinute: wide, clientBurst: wide, clientPerMinute: wide },
      },
    }),
  );
  await buildHub(o.log);
  const child = spawn(process.execPath, [join(ROOT, 'packages/hub/dist/cluster.js')], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SSOHUB_WORKERS: '1',
      SSOHUB_CONFIG: configFile,
      SSOHUB_MODE: 'development',
      SSOHUB_PUBLIC_URL: hubUrl,
      SSOHUB_LISTEN_HOST: '127.0.0.1',
      SSOHUB_LISTEN_PORT: String(o.port),
      SSOHUB_ADMIN_PORT: String(o.adminPort),
      SSOHUB_ADMIN_TOKEN: ADMIN_TOKEN,
      SSOHUB_KRATOS_PUBLIC_URL: o.kratos.publicUrl,
      SSOHUB_KRATOS_ADMIN_URL: o.kratos.adminUrl,
      SSOHUB_REDIS_URL: o.redisUrl,
      SSOHUB_REDIS_PREFIX: o.prefix,
      SSOHUB_LOG_LEVEL: 'warn',
      SSOHUB_COOKIE_KEYS: 'bench-cookie-key-0123456789abcdefghijklmnop',
      SSOHUB_SIGNING_KEYS_FILE: keysFile,
      SSOHUB_CLIENTS_FILE: clientFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = keepOutputTail(child);
  await waitUntil('hub', async () => {
    if (child.exitCode !== null) throw new Error(`the hub exited (${child.exitCode}):\n${output.slice(-20).join('\n')}`);
    return fetch(`${issuer}/.well-known/openid-configuration`).then((r) => r.ok, () => false);
  });
  return { child, issuer, adminUrl: `http://127.0.0.1:${o.adminPort}`, output };
}

/** Onboards a service client (`ssohub clients create --service --resource`): the hub generates its secret. */
export async function createServiceClient(adminUrl: string, clientId: string, resource: string): Promise<{ id: string; secret: string }> {
  const res = await fetch(`${adminUrl}/admin/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-ssohub-actor': 'bench-peer', 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: clientId, grant_types: ['client_credentials'], resources: [resource] }),
  });
  const body = (await res.json()) as { client_secret?: string };
  if (res.status !== 201 || !body.client_secret) throw new Error(`onboarding the service client failed: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return { id: clientId, secret: body.client_secret };
}
