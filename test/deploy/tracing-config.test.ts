import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { freePort, startKratos, waitFor } from '@ssohub/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// Tracing across the three ways to deploy (Helm chart, compose overlay deploy/compose/tracing.yml,
// systemd env files): the hub gets the standard OTEL_* variables and every Kratos process the
// TRACING_* ones, pointing at the same collector with the same sampling. The TRACING_* names and
// values are checked against the schema Kratos v1.3.1 itself validates its config with (ory/x
// otelx's, from the Go module cache the Kratos build filled), and a real Kratos started with the
// overlay's settings is shown to export a span that joins the trace of an incoming traceparent,
// which is what makes the hub's calls and Kratos' work one trace.

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const composeDir = join(root, 'deploy/compose');
const goEnv = { ...process.env, PATH: `${process.env.PATH}:/usr/local/go/bin` };

type Env = Record<string, string>;
interface Project {
  services: Record<string, { environment?: Record<string, string | null>; networks?: Record<string, unknown>; ports?: { host_ip?: string; published?: string; target: number }[]; depends_on?: Record<string, unknown> }>;
}
interface JsonSchema {
  $id?: string;
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  anyOf?: { pattern?: string }[];
}

const tracingOf = (env: Record<string, string | null | undefined> | undefined, prefix: RegExp): Env =>
  Object.fromEntries(Object.entries(env ?? {}).filter(([k, v]) => prefix.test(k) && typeof v === 'string') as [string, string][]);

async function goTool(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [join(root, 'test/deploy/tools/build-go-tool.sh'), ...args], { cwd: root, timeout: 900_000, maxBuffer: 1 << 20 });
  return stdout.trim();
}

async function composeProject(files: string[], extra: string[] = []): Promise<Project> {
  const validator = await goTool('local', join(root, 'test/deploy/tools/compose-validate'), 'compose-validate');
  const args = [...files.flatMap((f) => ['-f', join(composeDir, f)]), '-env-file', join(composeDir, '.env.example'), ...extra];
  const { stdout } = await run(validator, args, { maxBuffer: 16 << 20 });
  return JSON.parse(stdout) as Project;
}

/** The `#NAME=value` lines of a shipped env file: its documented, commented-out defaults. */
function commentedDefaults(text: string): Env {
  return Object.fromEntries([...text.matchAll(/^#([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** A Go module's directory in the module cache, as the Kratos build (deploy/kratos) resolved it. */
async function moduleDir(module: string): Promise<string> {
  const { stdout } = await run('go', ['list', '-m', '-json', module], { cwd: join(root, 'deploy/kratos'), env: goEnv, maxBuffer: 1 << 20 });
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`${module} is not in the Go module cache: build Kratos first (deploy/kratos/build.sh)`);
  return dir;
}

/**
 * Resolves an environment variable the way Kratos' config loader (ory/x configx) does: the schema
 * path whose keys, upper-cased and joined with `_`, spell the name. Undefined if none does.
 */
function schemaNode(schema: JsonSchema, rest: string): JsonSchema | undefined {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const upper = key.toUpperCase();
    if (rest === upper) return child;
    if (rest.startsWith(`${upper}_`)) {
      const found = schemaNode(child, rest.slice(upper.length + 1));
      if (found) return found;
    }
  }
  return undefined;
}

/** Problems of one TRACING_* variable against the tracing schema; empty when Kratos accepts it. */
function kratosEnvProblems(tracing: JsonSchema, name: string, value: string): string[] {
  if (!name.startsWith('TRACING_')) return [`${name} is not a tracing setting`];
  const node = schemaNode(tracing, name.slice('TRACING_'.length));
  if (!node) return [`${name} names no key of Kratos' tracing config`];
  if (node.enum && !node.enum.includes(value)) return [`${name}=${value}: not one of ${node.enum.join(', ')}`];
  if (node.type === 'boolean' && !['true', 'false'].includes(value)) return [`${name}=${value}: not a boolean`];
  if (node.type === 'number' && !Number.isFinite(Number(value))) return [`${name}=${value}: not a number`];
  if (node.anyOf && !node.anyOf.some((a) => a.pattern && new RegExp(a.pattern).test(value))) return [`${name}=${value}: not host:port`];
  return [];
}

/** The Kratos side of the contract, as each deployment sets it; the hub side likewise. */
interface Deployment {
  name: string;
  hub: Env;
  kratos: Env[];
}

/** The same collector and sampling on both sides: Kratos' host:port is the hub's endpoint's. */
function expectConsistent({ name, hub, kratos }: Deployment): void {
  const endpoint = new URL(hub.OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
  const port = endpoint.port || (endpoint.protocol === 'https:' ? '443' : '80');
  expect(endpoint.pathname, name).toBe('/');
  expect(hub.OTEL_TRACES_SAMPLER, name).toBe('parentbased_traceidratio');
  expect(['http/protobuf', 'http/json'], name).toContain(hub.OTEL_EXPORTER_OTLP_PROTOCOL);
  expect(hub.OTEL_SERVICE_NAME, name).toBe('ssohub-hub');
  expect(kratos.length, name).toBeGreaterThan(0);
  for (const env of kratos) {
    expect(env.TRACING_PROVIDER, name).toBe('otel');
    expect(env.TRACING_SERVICE_NAME, name).toBe('ssohub-kratos');
    expect(env.TRACING_PROVIDERS_OTLP_SERVER_URL, name).toBe(`${endpoint.hostname}:${port}`);
    expect(env.TRACING_PROVIDERS_OTLP_INSECURE, name).toBe(String(endpoint.protocol === 'http:'));
    expect(Number(env.TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO), name).toBe(Number(hub.OTEL_TRACES_SAMPLER_ARG));
  }
}

describe('tracing settings of every deployment, checked against Kratos\' own schema', () => {
  let tracingSchema: JsonSchema;
  const deployments: Deployment[] = [];
  let overlay: Project;

  beforeAll(async () => {
    // Kratos v1.3.1's config schema delegates `tracing` to ory/x otelx's (ory://tracing-config).
    const kratosSchema = JSON.parse(await readFile(join(await moduleDir('github.com/ory/kratos'), 'embedx/config.schema.json'), 'utf8')) as JsonSchema;
    expect(kratosSchema.properties?.tracing?.$ref).toBe('ory://tracing-config');
    tracingSchema = JSON.parse(await readFile(join(await moduleDir('github.com/ory/x'), 'otelx/config.schema.json'), 'utf8')) as JsonSchema;
    expect(tracingSchema.$id).toBe('ory://tracing-config');

    overlay = await composeProject(['compose.yaml', 'tracing.yml']);
    deployments.push({
      name: 'compose tracing.yml',
      hub: tracingOf(overlay.services['hub-1']?.environment, /^OTEL_/),
      kratos: ['kratos', 'kratos-courier', 'kratos-migrate'].map((s) => tracingOf(overlay.services[s]?.environment, /^TRACING_/)),
    });

    const systemd = join(root, 'deploy/systemd');
    deployments.push({
      name: 'systemd hub.env + kratos.env',
      hub: tracingOf(commentedDefaults(await readFile(join(systemd, 'hub.env'), 'utf8')), /^OTEL_/),
      kratos: [tracingOf(commentedDefaults(await readFile(join(systemd, 'kratos.env'), 'utf8')), /^TRACING_/)],
    });

    const helmHome = await mkdtemp(join(tmpdir(), 'ssohub-tracing-helm-'));
    const helm = await goTool('install', 'helm.sh/helm/v4/cmd/helm@v4.3.2', 'helm');
    type Container = { name: string; env?: { name: string; value?: string }[] };
    const envOf = (c: Container) => Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
    // A plain-HTTP collector with its port, and a TLS one without (Kratos needs host:port).
    for (const endpoint of ['http://otel-collector.observability:4318', 'https://otlp.example.net']) {
      const { stdout } = await run(helm, ['template', 'ssohub', join(root, 'deploy/helm/ssohub'), '--namespace', 'sso', '--set', `tracing.otlpEndpoint=${endpoint}`], {
        env: { ...process.env, HELM_CONFIG_HOME: join(helmHome, 'config'), HELM_CACHE_HOME: join(helmHome, 'cache'), HELM_DATA_HOME: join(helmHome, 'data') },
        maxBuffer: 16 << 20,
      });
      const containers = parseAllDocuments(stdout)
        .map((d) => d.toJS() as { spec?: { template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } } } | null)
        .flatMap((o) => [...(o?.spec?.template?.spec?.initContainers ?? []), ...(o?.spec?.template?.spec?.containers ?? [])]);
      deployments.push({
        name: `Helm chart, ${endpoint}`,
        hub: tracingOf(envOf(containers.find((c) => c.name === 'hub')!), /^OTEL_/),
        kratos: containers.filter((c) => ['kratos', 'courier', 'migrate', 'network'].includes(c.name)).map((c) => tracingOf(envOf(c), /^TRACING_/)),
      });
    }
  });

  it('gives Kratos only settings its config schema knows, with values of the right type', () => {
    expect(deployments.map((d) => d.name)).toEqual([
      'compose tracing.yml',
      'systemd hub.env + kratos.env',
      'Helm chart, http://otel-collector.observability:4318',
      'Helm chart, https://otlp.example.net',
    ]);
    for (const d of deployments) {
      for (const env of d.kratos) {
        expect(Object.keys(env).length, d.name).toBeGreaterThanOrEqual(5);
        for (const [name, value] of Object.entries(env)) expect(kratosEnvProblems(tracingSchema, name, value), `${d.name}: ${name}`).toEqual([]);
      }
    }
    // The check bites: a misspelt key, a URL where host:port belongs, a wrong type.
    expect(kratosEnvProblems(tracingSchema, 'TRACING_PROVIDERS_OTLP_SAMPLING_RATIO', '1')).toEqual(['TRACING_PROVIDERS_OTLP_SAMPLING_RATIO names no key of Kratos\' tracing config']);
    expect(kratosEnvProblems(tracingSchema, 'TRACING_PROVIDERS_OTLP_SERVER_URL', 'http://collector:4318')).toHaveLength(1);
    expect(kratosEnvProblems(tracingSchema, 'TRACING_PROVIDERS_OTLP_SERVER_URL', 'collector')).toHaveLength(1);
    expect(kratosEnvProblems(tracingSchema, 'TRACING_PROVIDERS_OTLP_INSECURE', 'yes')).toHaveLength(1);
    expect(kratosEnvProblems(tracingSchema, 'TRACING_PROVIDER', 'otlp')).toHaveLength(1);
  });

  it('points the hub and Kratos at the same collector with the same sampling, in every deployment', () => {
    for (const d of deployments) expectConsistent(d);
    // One set of Kratos settings everywhere (systemd and Helm may add the deployment environment).
    const keys = (d: Deployment) => Object.keys(d.kratos[0]!).filter((k) => k !== 'TRACING_DEPLOYMENT_ENVIRONMENT').sort();
    for (const d of deployments) expect(keys(d), d.name).toEqual(keys(deployments[0]!));
  });

  it('lets the overlay\'s one ratio setting drive the hubs and Kratos together', async () => {
    const tuned = await composeProject(['compose.yaml', 'tracing.yml'], ['-e', 'SSOHUB_TRACES_SAMPLING_RATIO=1']);
    expect(tuned.services['hub-2']?.environment?.OTEL_TRACES_SAMPLER_ARG).toBe('1');
    expect(tuned.services['kratos-courier']?.environment?.TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO).toBe('1');
  });

  it('adds Jaeger on its own network with the hubs and Kratos, its UI on loopback only, and gates nothing on it', async () => {
    const base = await composeProject(['compose.yaml']);
    expect(Object.keys(overlay.services).sort()).toEqual([...Object.keys(base.services), 'jaeger'].sort());
    const onTracing = Object.entries(overlay.services).filter(([, s]) => s.networks && 'tracing' in s.networks).map(([n]) => n);
    expect(onTracing.sort()).toEqual(['hub-1', 'hub-2', 'jaeger', 'kratos', 'kratos-courier', 'kratos-migrate']);
    expect(Object.keys(overlay.services.jaeger?.networks ?? {})).toEqual(['tracing']);
    expect(overlay.services.jaeger?.environment?.JAEGER_LISTEN_HOST).toBe('0.0.0.0');
    expect(overlay.services.jaeger?.ports?.map((p) => [p.host_ip, p.target])).toEqual([['127.0.0.1', 16686]]);
    for (const [name, s] of Object.entries(overlay.services)) expect(Object.keys(s.depends_on ?? {}), name).not.toContain('jaeger');
    // Every other setting of the hubs and Kratos is compose.yaml's; the two hubs differ only in their instance id.
    for (const name of ['hub-1', 'hub-2', 'kratos', 'kratos-courier', 'kratos-migrate']) {
      const added = Object.fromEntries(Object.entries(overlay.services[name]?.environment ?? {}).filter(([k]) => !(k in (base.services[name]?.environment ?? {}))));
      const kept = Object.fromEntries(Object.entries(overlay.services[name]?.environment ?? {}).filter(([k]) => !(k in added)));
      expect(kept, name).toEqual(base.services[name]?.environment);
      expect(Object.keys(added).every((k) => /^(OTEL_|TRACING_)/.test(k)), name).toBe(true);
    }
    const hub1 = { ...overlay.services['hub-1']?.environment, OTEL_RESOURCE_ATTRIBUTES: '' };
    expect({ ...overlay.services['hub-2']?.environment, OTEL_RESOURCE_ATTRIBUTES: '' }).toEqual(hub1);
    // With the metrics overlay too, each keeps its network and the hubs are on both.
    const both = await composeProject(['compose.yaml', 'observability.yml', 'tracing.yml']);
    expect(Object.keys(both.services['hub-1']?.networks ?? {}).sort()).toEqual(['backend', 'edge', 'monitoring', 'tracing']);
    expect(both.services['hub-1']?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
  });

  it('has every Kratos unit read the optional kratos.env, and ships its tracing lines commented out', async () => {
    for (const unit of ['kratos.service', 'kratos-courier.service', 'kratos-migrate.service']) {
      const text = await readFile(join(root, 'deploy/systemd', unit), 'utf8');
      expect(text, unit).toMatch(/^EnvironmentFile=-\/etc\/ssohub\/kratos\.env$/m);
    }
    // Off until uncommented: no active TRACING_ or OTEL_ line in the shipped files.
    for (const file of ['hub.env', 'kratos.env']) {
      const text = await readFile(join(root, 'deploy/systemd', file), 'utf8');
      expect(text.match(/^(OTEL|TRACING)_\w+=/gm), file).toBeNull();
    }
  });
});

describe('a real Kratos with the overlay\'s tracing settings', () => {
  it('exports its span of a request into the trace of the request\'s traceparent', async () => {
    // A stand-in OTLP/HTTP receiver on loopback that keeps what it is sent.
    const bodies: Buffer[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.method === 'POST' && req.url === '/v1/traces') bodies.push(req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body);
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const overlayEnv = tracingOf((await composeProject(['compose.yaml', 'tracing.yml'])).services.kratos?.environment, /^TRACING_/);
    const env = { ...overlayEnv, TRACING_PROVIDERS_OTLP_SERVER_URL: `127.0.0.1:${(receiver.address() as AddressInfo).port}` };
    const kratos = await startKratos({ database: { kind: 'memory' }, smtpPort: await freePort(), env });
    try {
      const traceId = randomBytes(16);
      const parentSpanId = randomBytes(8);
      // As the hub calls Kratos: a sampled W3C traceparent. The overlay's ratio (0.1) decides only
      // for traces Kratos starts itself; a sampled parent is followed.
      const res = await fetch(`${kratos.publicUrl}/sessions/whoami`, { headers: { traceparent: `00-${traceId.toString('hex')}-${parentSpanId.toString('hex')}-01` } });
      expect(res.status).toBe(401);
      // Kratos batches spans (5 s by default); its protobuf export carries the ids as raw bytes.
      const body = await waitFor('Kratos to export the request\'s span', async () => bodies.find((b) => b.includes(traceId)), { timeoutMs: 20_000, intervalMs: 200 });
      expect(body.includes(parentSpanId), 'the span\'s parent is the caller\'s span').toBe(true);
      expect(body.includes(Buffer.from('ssohub-kratos')), 'service.name').toBe(true);
    } finally {
      await kratos.stop();
      receiver.close();
    }
  });
});
