import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, waitFor } from '@ssohub/testkit';
import { beforeAll, describe, expect, inject, it } from 'vitest';

// deploy/compose/compose.yaml checked by compose-go (the library Docker Compose is built on:
// schema validation, interpolation, normalization, consistency) and its Caddyfile by Debian's
// Caddy. No container runs here; what the file promises is asserted on the normalized project.

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const composeDir = join(root, 'deploy/compose');
const composeFile = join(composeDir, 'compose.yaml');
const envExample = join(composeDir, '.env.example');
const caddyfile = join(composeDir, 'Caddyfile');

// The hub environment of the deployment contract (docs/deploy.md, the native deployment test).
const CONTRACT_HUB_ENV: Record<string, string | RegExp> = {
  SSOHUB_MODE: 'production',
  SSOHUB_PUBLIC_URL: 'https://login.example.com',
  SSOHUB_TRUST_PROXY: '1',
  SSOHUB_LISTEN_HOST: '0.0.0.0',
  SSOHUB_LISTEN_PORT: '8080',
  SSOHUB_ADMIN_HOST: '127.0.0.1',
  SSOHUB_ADMIN_PORT: '8081',
  SSOHUB_KRATOS_PUBLIC_URL: 'http://kratos:4433',
  SSOHUB_KRATOS_ADMIN_URL: 'http://kratos:4434',
  SSOHUB_KRATOS_CONFIG_FILES: '/run/secrets/kratos_site.yml',
  SSOHUB_ALLOWED_RETURN_ORIGINS: /^https:\/\/[^,]+(,https:\/\/[^,]+)*$/,
  SSOHUB_ADMIN_TOKEN_FILE: '/run/secrets/admin_token',
  SSOHUB_COOKIE_KEYS_FILE: '/run/secrets/cookie_keys',
  SSOHUB_SIGNING_KEYS_FILE: '/run/secrets/jwks.json',
  SSOHUB_REDIS_URL_FILE: '/run/secrets/redis_url',
  SSOHUB_LOG_LEVEL: 'info',
};
const CONTRACT_SECRETS = ['jwks.json', 'cookie_keys', 'admin_token', 'redis_password', 'redis_url', 'postgres_password', 'kratos_site.yml'];

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[] | null;
  environment?: Record<string, string | null>;
  ports?: { published?: string; target: number }[];
  expose?: string[];
  depends_on?: Record<string, { condition: string }>;
  secrets?: { source: string; target: string }[];
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
  stop_grace_period?: string;
  user?: string;
  deploy?: { replicas?: number };
  scale?: number;
  volumes?: { type: string; source: string; target: string }[];
}
interface Project {
  services: Record<string, Service>;
  secrets: Record<string, { file?: string; environment?: string; external?: boolean }>;
}

function toolMissing(tool: string, how: string): never {
  throw new Error(`${tool} is needed to check the deploy artifacts and was not found: ${how}`);
}

async function buildValidator(): Promise<string> {
  try {
    const { stdout } = await run(
      'bash',
      [join(root, 'test/deploy/tools/build-go-tool.sh'), 'local', join(root, 'test/deploy/tools/compose-validate'), 'compose-validate'],
      { cwd: root, timeout: 600_000, maxBuffer: 1 << 20 },
    );
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return toolMissing('compose-validate (Go, compose-go v2.16.2)', `${e.stderr || e.message}`);
  }
}

async function caddyBin(): Promise<string> {
  try {
    await run('caddy', ['version']);
    return 'caddy';
  } catch {
    return toolMissing('caddy', 'install Debian\'s package: apt-get install -y caddy');
  }
}

describe('the compose file (deploy/compose/compose.yaml)', () => {
  let validator: string;
  let project: Project;
  const validate = (file: string, args: string[]) => run(validator, ['-f', file, ...args], { maxBuffer: 16 << 20 });

  beforeAll(async () => {
    validator = await buildValidator();
    const { stdout } = await validate(composeFile, ['-env-file', envExample]);
    project = JSON.parse(stdout) as Project;
  });

  const service = (name: string): Service => {
    const s = project.services[name];
    if (!s) throw new Error(`compose.yaml has no service ${name}`);
    return s;
  };

  it('is valid for the compose specification with the documented .env.example, and has every part of the deployment', () => {
    expect(Object.keys(project.services).sort()).toEqual(
      ['caddy', 'hub-1', 'hub-2', 'kratos', 'kratos-courier', 'kratos-migrate', 'postgres', 'redis'].sort(),
    );
  });

  it('fails validation for a key the specification does not know, so the schema check is real', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-compose-'));
    try {
      const text = await readFile(composeFile, 'utf8');
      const broken = text.replace(/^ {2}redis:\n/m, '  redis:\n    restart_policy: always\n');
      expect(broken).not.toBe(text);
      await writeFile(join(dir, 'compose.yaml'), broken);
      await copyFile(envExample, join(dir, '.env.example'));
      const failure = await validate(join(dir, 'compose.yaml'), ['-env-file', join(dir, '.env.example')]).then(
        () => undefined,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toMatch(/services\.redis.*restart_policy|restart_policy.*services\.redis/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to load without SSOHUB_DOMAIN and SSOHUB_APP_ORIGINS instead of deploying an empty public URL', async () => {
    const failure = await validate(composeFile, []).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('set SSOHUB_DOMAIN in .env');
    expect(failure?.stderr).toContain('set SSOHUB_APP_ORIGINS in .env');
  });

  it('gives both hubs the same environment: exactly the contract block, nothing else', () => {
    const one = service('hub-1').environment;
    const two = service('hub-2').environment;
    expect(one).toEqual(two);
    expect(Object.keys(one ?? {}).sort()).toEqual(Object.keys(CONTRACT_HUB_ENV).sort());
    for (const [key, want] of Object.entries(CONTRACT_HUB_ENV)) {
      if (typeof want === 'string') expect(one?.[key], key).toBe(want);
      else expect(one?.[key], key).toMatch(want);
    }
  });

  it('writes the contract block under the x-hub-environment anchor, which the native deployment test reads', async () => {
    const text = await readFile(composeFile, 'utf8');
    const block = /^x-hub-environment: &hub-environment\n((?: {2}\S.*\n)+)/m.exec(text)?.[1] ?? '';
    const keys = [...block.matchAll(/^ {2}(SSOHUB_[A-Z_]+):/gm)].map((m) => m[1]);
    expect(keys.sort()).toEqual(Object.keys(CONTRACT_HUB_ENV).sort());
    expect(text.match(/environment: \*hub-environment/g)).toHaveLength(1);
  });

  it('builds the hubs from deploy/hub/Dockerfile in the repository root, checks their readiness and restarts them', () => {
    for (const name of ['hub-1', 'hub-2']) {
      const hub = service(name);
      expect(hub.build).toEqual({ context: root.replace(/\/$/, ''), dockerfile: 'deploy/hub/Dockerfile' });
      expect(hub.healthcheck?.test?.join(' ')).toContain('/health/ready');
      expect(hub.restart).toBe('unless-stopped');
      // Longer than the hub's own 10 s shutdown deadline.
      expect(Number.parseInt(hub.stop_grace_period ?? '0', 10)).toBeGreaterThan(10);
      expect(hub.depends_on).toMatchObject({ redis: { condition: 'service_healthy' }, kratos: { condition: 'service_healthy' } });
    }
    expect(service('kratos').build?.context).toBe(join(root, 'deploy/kratos'));
  });

  it('publishes ports for Caddy only (80 and 443): Kratos and the hubs, admin listener included, stay private', () => {
    for (const [name, s] of Object.entries(project.services)) {
      if (name === 'caddy') continue;
      expect(s.ports ?? [], name).toEqual([]);
    }
    const published = (service('caddy').ports ?? []).map((p) => `${p.published}:${p.target}`);
    expect(published).toEqual(expect.arrayContaining(['80:80', '443:443']));
    expect(service('caddy').volumes?.find((v) => v.target === '/etc/caddy/Caddyfile')?.source).toBe(caddyfile);
    expect(service('caddy').environment).toMatchObject({ SSOHUB_DOMAIN: 'login.example.com' });
  });

  it('runs the Kratos migrations once, to completion, before Kratos and the courier; the migration waits for PostgreSQL', () => {
    const migrate = service('kratos-migrate');
    expect(migrate.command?.slice(0, 4)).toEqual(['migrate', 'sql', '-e', '--yes']);
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' } });
    for (const name of ['kratos', 'kratos-courier']) {
      expect(service(name).depends_on, name).toMatchObject({ 'kratos-migrate': { condition: 'service_completed_successfully' } });
    }
    for (const name of ['kratos-migrate', 'kratos', 'kratos-courier']) {
      const command = service(name).command ?? [];
      // Base file first, then the site file, which must keep its .yml name (Kratos picks the parser by extension).
      expect(command.join(' '), name).toContain('-c /etc/kratos/kratos.yml -c /run/secrets/kratos_site.yml');
      expect(command, name).not.toContain('--dev');
      expect(service(name).environment, name).toMatchObject({ SQA_OPT_OUT: 'true' });
    }
    expect(service('kratos').command?.slice(0, 1)).toEqual(['serve']);
    expect(service('kratos').command).not.toContain('--watch-courier');
  });

  it('runs exactly one courier', () => {
    const couriers = Object.entries(project.services).filter(([, s]) => (s.command ?? []).join(' ').includes('courier watch'));
    expect(couriers.map(([name]) => name)).toEqual(['kratos-courier']);
    const courier = service('kratos-courier');
    expect(courier.deploy?.replicas ?? 1).toBe(1);
    expect(courier.scale ?? 1).toBe(1);
  });

  it('keeps Redis data in an append-only file on a volume, with the password read from its secret', async () => {
    const redis = service('redis');
    const script = (redis.command ?? []).join('\n');
    expect(script).toMatch(/^appendonly yes$/m);
    expect(script).toContain('requirepass $(cat /run/secrets/redis_password)');
    // Configuration on standard input: the password never becomes a command-line argument.
    expect(script).toMatch(/redis-server - <<EOF/);
    expect(redis.secrets?.map((s) => s.source)).toEqual(['redis_password']);
    expect(redis.volumes).toEqual([expect.objectContaining({ type: 'volume', target: '/data' })]);
    expect(redis.healthcheck?.test?.join(' ')).toContain('REDISCLI_AUTH');
    expect(service('postgres').environment).toMatchObject({ POSTGRES_PASSWORD_FILE: '/run/secrets/postgres_password' });
    expect(service('postgres').volumes?.[0]).toMatchObject({ type: 'volume', target: '/var/lib/postgresql/data' });
    expect(service('postgres').healthcheck?.test).toContain('pg_isready');
  });

  it('starts a real Redis with that script: password from the file, not on its command line; AOF on; the health check passes', async () => {
    const redis = service('redis');
    const [shell, flag, script = ''] = redis.command ?? [];
    expect([shell, flag]).toEqual(['sh', '-c']);
    const check = redis.healthcheck?.test?.[1] ?? '';
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-redis-'));
    const password = randomBytes(32).toString('hex');
    const socket = join(dir, 'redis.sock');
    let proc: ChildProcess | undefined;
    try {
      await writeFile(join(dir, 'redis_password'), `${password}\n`, { mode: 0o600 });
      // Only what the container provides is swapped: the secret's path, the image's entrypoint
      // (which drops to the redis user, then execs redis-server), and a private socket instead of :6379.
      const local = script
        .replaceAll('/run/secrets/redis_password', join(dir, 'redis_password'))
        .replace('docker-entrypoint.sh redis-server -', `redis-server - --port 0 --unixsocket ${socket} --dir ${dir}`);
      expect(local).not.toBe(script);
      proc = spawn('sh', ['-c', local], { stdio: ['ignore', 'ignore', 'pipe'] });
      const exited = once(proc, 'exit');
      proc.on('error', () => undefined);
      await waitFor('redis-server to listen', async () => (existsSync(socket) ? true : undefined), { timeoutMs: 10_000 });
      const cli = (args: string[], env: Record<string, string> = {}) =>
        run('redis-cli', ['-s', socket, ...args], { env: { PATH: process.env.PATH, ...env } }).then((r) => r.stdout.trim());
      expect(await cli(['ping'])).toMatch(/NOAUTH/);
      expect(await cli(['config', 'get', 'appendonly'], { REDISCLI_AUTH: password })).toBe('appendonly\nyes');
      // exec replaced the shell: the process compose would signal is redis-server itself.
      const cmdline = (await readFile(`/proc/${proc.pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      expect(cmdline).toMatch(/^redis-server /);
      expect(cmdline).not.toContain(password);
      const healthy = check
        .replaceAll('/run/secrets/redis_password', join(dir, 'redis_password'))
        .replace('redis-cli ping', `redis-cli -s ${socket} ping`);
      await run('sh', ['-c', healthy]);
      proc.kill('SIGTERM');
      await exited;
      expect(existsSync(join(dir, 'appendonlydir'))).toBe(true);
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') throw new Error('redis-server and redis-cli are needed: apt-get install -y redis-server');
      throw err;
    } finally {
      if (proc && proc.exitCode === null) proc.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes every secret from a git-ignored file under deploy/compose/secrets, mounted where the hub environment points', async () => {
    expect(Object.keys(project.secrets).sort()).toEqual([...CONTRACT_SECRETS].sort());
    for (const [name, secret] of Object.entries(project.secrets)) {
      expect(secret.file, name).toBe(join(composeDir, 'secrets', name));
      expect(secret.environment, name).toBeUndefined();
      expect(secret.external, name).toBeFalsy();
    }
    const hub = service('hub-1');
    const mounted = new Set(hub.secrets?.map((s) => s.target));
    for (const [key, value] of Object.entries(hub.environment ?? {})) {
      if (value?.startsWith('/run/secrets/')) expect(mounted.has(value), `${key}=${value} is mounted`).toBe(true);
    }
    expect(service('kratos').secrets).toEqual([{ source: 'kratos_site.yml', target: '/run/secrets/kratos_site.yml' }]);
    // Real secrets must not be committable: git ignores them (the .gitignore itself is tracked).
    const { stdout } = await run('git', ['check-ignore', '--no-index', ...CONTRACT_SECRETS.map((s) => join(composeDir, 'secrets', s))], { cwd: root });
    expect(stdout.trim().split('\n')).toHaveLength(CONTRACT_SECRETS.length);
  });

  it('names the documented variables in .env.example', async () => {
    const text = await readFile(envExample, 'utf8');
    for (const key of ['SSOHUB_DOMAIN', 'SSOHUB_APP_ORIGINS', 'CADDY_TLS', 'SSOHUB_HUB_IMAGE', 'SSOHUB_KRATOS_IMAGE']) {
      expect(text, key).toMatch(new RegExp(`^${key}=\\S`, 'm'));
    }
  });
});

// The observability overlay (deploy/compose/observability.yml) loaded on top of compose.yaml, as
// `docker compose -f compose.yaml -f observability.yml` does; its rules and Prometheus config are
// checked by promtool in prometheus-rules.test.ts.
describe('the observability overlay (deploy/compose/observability.yml)', () => {
  type Networked = Service & { networks?: Record<string, unknown> };
  let project: Project & { services: Record<string, Networked> };
  const overlay = join(composeDir, 'observability.yml');

  beforeAll(async () => {
    const validator = await buildValidator();
    const { stdout } = await run(validator, ['-f', composeFile, '-f', overlay, '-env-file', envExample], { maxBuffer: 16 << 20 });
    project = JSON.parse(stdout);
  });

  it('adds Prometheus and Grafana to the deployment and keeps every other service', () => {
    expect(Object.keys(project.services).sort()).toEqual(
      ['caddy', 'grafana', 'hub-1', 'hub-2', 'kratos', 'kratos-courier', 'kratos-migrate', 'postgres', 'prometheus', 'redis'].sort(),
    );
  });

  it('changes only the hubs\' admin host and the names it answers to: the rest of the contract environment stays, the same on both hubs', async () => {
    const one = project.services['hub-1']?.environment ?? {};
    expect(project.services['hub-2']?.environment).toEqual(one);
    const { SSOHUB_ADMIN_HOST, SSOHUB_ADMIN_ALLOWED_HOSTS, ...rest } = one;
    expect(SSOHUB_ADMIN_HOST).toBe('0.0.0.0');
    // The admin listener answers 421 to a Host it does not know (DNS rebinding): it must know the
    // names Prometheus scrapes it by, each hub's service name.
    const config = await readFile(join(root, 'deploy/observability/prometheus/prometheus.yml'), 'utf8');
    const scraped = [...config.matchAll(/"([a-z0-9-]+):8081"/g)].map((m) => m[1]);
    expect(scraped.length).toBeGreaterThan(0);
    expect(String(SSOHUB_ADMIN_ALLOWED_HOSTS).split(',').sort()).toEqual(scraped.sort());
    const { SSOHUB_ADMIN_HOST: _contractHost, ...contract } = CONTRACT_HUB_ENV;
    expect(Object.keys(rest).sort()).toEqual(Object.keys(contract).sort());
  });

  it('puts only the hubs, Prometheus and Grafana on the monitoring network, and publishes nothing beyond loopback', () => {
    const onMonitoring = Object.entries(project.services).filter(([, s]) => s.networks && 'monitoring' in s.networks).map(([n]) => n);
    expect(onMonitoring.sort()).toEqual(['grafana', 'hub-1', 'hub-2', 'prometheus']);
    expect(Object.keys(project.services.prometheus?.networks ?? {})).toEqual(['monitoring']);
    expect(Object.keys(project.services.grafana?.networks ?? {})).toEqual(['monitoring']);
    for (const name of ['prometheus', 'grafana']) {
      const ports = (project.services[name]?.ports ?? []) as { host_ip?: string }[];
      expect(ports.length, name).toBeGreaterThan(0);
      for (const p of ports) expect(p.host_ip, name).toBe('127.0.0.1');
    }
    expect(project.services.caddy?.ports?.map((p) => p.target).sort()).toEqual([443, 443, 80]);
  });

  it('mounts the repository\'s rules, Prometheus config, Grafana provisioning and dashboard, which all exist', async () => {
    const mounts = ['prometheus', 'grafana'].flatMap((n) => (project.services[n]?.volumes ?? []).filter((v) => v.type === 'bind'));
    expect(mounts.map((m) => m.source.replace(root, '')).sort()).toEqual([
      'deploy/observability/grafana/provisioning',
      'deploy/observability/grafana/ssohub-dashboard.json',
      'deploy/observability/prometheus/prometheus.yml',
      'deploy/observability/prometheus/ssohub-rules.yml',
    ]);
    for (const m of mounts) expect(existsSync(m.source), m.source).toBe(true);
    // Prometheus scrapes what the overlay opens: each hub service's admin port.
    const config = await readFile(join(root, 'deploy/observability/prometheus/prometheus.yml'), 'utf8');
    expect(config).toContain('targets: ["hub-1:8081", "hub-2:8081"]');
    expect(project.services['hub-1']?.environment?.SSOHUB_ADMIN_PORT).toBe('8081');
  });

  it('reads Grafana\'s admin password from a git-ignored secret file', async () => {
    expect(project.services.grafana?.environment?.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/run/secrets/grafana_admin_password');
    expect(project.secrets.grafana_admin_password?.file).toBe(join(composeDir, 'secrets/grafana_admin_password'));
    await run('git', ['check-ignore', '--no-index', join(composeDir, 'secrets/grafana_admin_password')], { cwd: root });
  });
});

describe('the Caddyfile (deploy/compose/Caddyfile)', () => {
  let caddy: string;
  beforeAll(async () => {
    caddy = await caddyBin();
  });

  const adapt = async (env: Record<string, string>) => {
    const { stdout } = await run(caddy, ['adapt', '--config', caddyfile, '--adapter', 'caddyfile'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
    // biome-ignore lint/suspicious/noExplicitAny: Caddy's JSON config, asserted field by field
    return JSON.parse(stdout) as any;
  };

  it('adapts with the compose defaults: ports 80/443, both hubs as upstreams with readiness checks, ACME for an email', async () => {
    const config = await adapt({ SSOHUB_DOMAIN: 'login.example.com', CADDY_TLS: 'ops@example.com' });
    const http = config.apps.http;
    expect([http.http_port, http.https_port]).toEqual([80, 443]);
    expect(config.admin.listen).toBe('localhost:2019');
    const server = Object.values(http.servers)[0] as { listen: string[]; routes: unknown[] };
    expect(server.listen).toEqual([':443']);
    const text = JSON.stringify(server.routes);
    expect(text).toContain('"host":["login.example.com"]');
    expect(text).toContain('{"dial":"hub-1:8080"},{"dial":"hub-2:8080"}');
    expect(text).toContain('"uri":"/health/serving"');
    expect(JSON.stringify(config.apps.tls.automation.policies)).toContain('"email":"ops@example.com"');
  });

  it('serves the hub host name on an unprivileged port with the env documented for native runs, skips an unready upstream, and answers like the hub when no hub can', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ssohub-caddy-'));
    const upstreams: Server[] = [];
    let proc: ChildProcess | undefined;
    try {
      await writeFile(join(dir, 'cert.pem'), inject('certPem'));
      await writeFile(join(dir, 'key.pem'), inject('keyPem'), { mode: 0o600 });
      // Two stand-in hubs: the second says it takes no traffic, as a hub shutting down does.
      const ports: number[] = [];
      for (const ready of [true, false]) {
        const server = createServer((req, res) => {
          if (req.url === '/health/serving') res.writeHead(ready ? 200 : 503).end();
          else res.writeHead(200, { 'content-type': 'text/plain' }).end(`${ready ? 'ready' : 'unready'} ${req.headers['x-forwarded-proto']}`);
        });
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        upstreams.push(server);
        ports.push((server.address() as { port: number }).port);
      }
      const httpsPort = await freePort();
      const httpPort = await freePort();
      proc = spawn(caddy, ['run', '--config', caddyfile, '--adapter', 'caddyfile'], {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          XDG_DATA_HOME: join(dir, 'data'),
          XDG_CONFIG_HOME: join(dir, 'config'),
          SSOHUB_DOMAIN: 'login.sso.test',
          CADDY_HTTPS_PORT: String(httpsPort),
          CADDY_HTTP_PORT: String(httpPort),
          CADDY_ADMIN: 'off',
          CADDY_TLS: `${join(dir, 'cert.pem')} ${join(dir, 'key.pem')}`,
          SSOHUB_UPSTREAMS: ports.map((p) => `127.0.0.1:${p}`).join(' '),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      proc.stderr?.on('data', (chunk) => {
        log += chunk;
      });
      const url = `https://login.sso.test:${httpsPort}/`;
      // The first active health check marks the unready upstream down.
      await waitFor(
        'Caddy to serve the hub host name',
        async () => ((await fetch(url).catch(() => undefined))?.ok ? true : undefined),
        { timeoutMs: 15_000 },
      ).catch((err) => {
        throw new Error(`${(err as Error).message}\ncaddy log:\n${log}`);
      });
      await new Promise((r) => setTimeout(r, 500));
      const bodies = await Promise.all(Array.from({ length: 6 }, async () => (await fetch(url)).text()));
      expect(bodies).toEqual(Array(6).fill('ready https'));
      expect(log).not.toMatch(/"level":"error"/);

      // No hub answers any more: the proxy's own errors speak as the hub does in an outage.
      for (const server of upstreams) {
        server.closeAllConnections();
        server.close();
      }
      const token = await fetch(`${url}oidc/token`, { method: 'POST', body: 'grant_type=refresh_token' });
      expect(token.status).toBe(503);
      expect(token.headers.get('retry-after')).toBe('5');
      expect(token.headers.get('content-type')).toBe('application/json');
      expect((await token.json()) as { error: string }).toMatchObject({ error: 'temporarily_unavailable' });
      const page = await fetch(`${url}login?flow=x`);
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toBe('5');
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toMatch(/<h1>The sign-in service is unavailable<\/h1>.*reference [0-9a-f-]{36}/);
    } finally {
      if (proc && proc.exitCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
      for (const server of upstreams) server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
