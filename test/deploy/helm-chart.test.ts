import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

// The Helm chart (deploy/helm/ssohub) checked with real tools: Helm v4.3.2 built from its Go
// module lints and renders it, and every rendered object is decoded strictly into its
// k8s.io/api type by test/deploy/tools/k8s-validate (unknown or miscased fields, unknown kinds,
// invalid names fail). The assertions then read the decoded objects for the properties
// docs/deploy.md promises: probes, secrets by reference only, the admin listener never exposed,
// one courier, migrations as a hook, non-root everywhere, and the observability options (metrics
// sidecar, ServiceMonitor and PrometheusRule decoded into the prometheus-operator types, tracing
// variables for the hub and Kratos). Nothing is installed into a cluster.
// A missing Go toolchain fails beforeAll, and with it this file: it is never skipped.

const root = fileURLToPath(new URL('../../', import.meta.url));
const chart = join(root, 'deploy/helm/ssohub');
const productionValues = join(chart, 'values-production.example.yaml');
const buildGoTool = join(root, 'test/deploy/tools/build-go-tool.sh');
const HELM_MODULE = 'helm.sh/helm/v4/cmd/helm@v4.3.2';
const RULES_SOURCE = 'deploy/observability/prometheus/ssohub-rules.yml';
const RULES_COPY = 'deploy/helm/ssohub/files/ssohub-rules.yml';
// Every observability option on: the metrics sidecar, its Service and NetworkPolicy, the
// ServiceMonitor, the PrometheusRule and tracing.
const OBSERVABILITY = [
  '--set', 'metrics.serviceMonitor.enabled=true',
  '--set', 'metrics.serviceMonitor.labels.release=kube-prometheus-stack',
  '--set', 'metrics.prometheusRule.enabled=true',
  '--set', 'metrics.prometheusRule.labels.release=kube-prometheus-stack',
  '--set', 'tracing.otlpEndpoint=http://otel-collector.observability:4318',
  '--set', 'tracing.samplingRatio=0.25',
  '--set', 'tracing.deploymentEnvironment=production',
];

// The hub's production environment from the deploy contract (compose's x-hub-environment), with
// the Kubernetes Service names of a release called `ssohub` and the chart's secret mounts.
const HUB_ENV: Record<string, string> = {
  SSOHUB_MODE: 'production',
  SSOHUB_PUBLIC_URL: 'https://login.example.com',
  SSOHUB_TRUST_PROXY: '1',
  SSOHUB_LISTEN_HOST: '0.0.0.0',
  SSOHUB_LISTEN_PORT: '8080',
  SSOHUB_ADMIN_HOST: '127.0.0.1',
  SSOHUB_ADMIN_PORT: '8081',
  SSOHUB_KRATOS_PUBLIC_URL: 'http://ssohub-kratos-public:4433',
  SSOHUB_KRATOS_ADMIN_URL: 'http://ssohub-kratos-admin:4434',
  SSOHUB_KRATOS_CONFIG_FILES: '/run/secrets/kratos/site.yml',
  SSOHUB_ALLOWED_RETURN_ORIGINS: 'https://app.example.com',
  SSOHUB_ADMIN_TOKEN_FILE: '/run/secrets/ssohub/admin-token',
  SSOHUB_COOKIE_KEYS_FILE: '/run/secrets/ssohub/cookie-keys',
  SSOHUB_SIGNING_KEYS_FILE: '/run/secrets/ssohub/jwks.json',
  SSOHUB_REDIS_URL_FILE: '/run/secrets/ssohub/redis-url',
  SSOHUB_LOG_LEVEL: 'info',
};

type Labels = Record<string, string>;
interface Meta {
  name: string;
  labels?: Labels;
  annotations?: Labels;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: Meta;
}
interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
  privileged?: boolean;
}
interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: EnvVar[];
  envFrom?: unknown[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Labels; limits?: Labels };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}
interface ServiceMonitor extends K8sObject {
  metadata: Meta & { namespace?: string };
  spec: {
    selector: LabelSelector;
    namespaceSelector?: { matchNames?: string[] };
    endpoints: {
      port: string;
      path: string;
      scheme: string;
      interval: string;
      scrapeTimeout: string;
      authorization?: unknown;
      bearerTokenSecret?: unknown;
      relabelings?: { action?: string; targetLabel?: string; replacement?: string; sourceLabels?: string[] }[];
    }[];
  };
}
interface PrometheusRule extends K8sObject {
  spec: { groups: unknown[] };
}
interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  emptyDir?: unknown;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  securityContext?: SecurityContext & { fsGroup?: number };
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  hostNetwork?: boolean;
  topologySpreadConstraints?: { topologyKey: string; labelSelector: LabelSelector; matchLabelKeys?: string[] }[];
  restartPolicy?: string;
}
interface PodTemplate {
  metadata: { labels: Labels };
  spec: PodSpec;
}
interface Deployment extends K8sObject {
  spec: { replicas?: number; selector: LabelSelector; strategy?: { type: string }; template: PodTemplate };
}
interface Job extends K8sObject {
  spec: { template: PodTemplate };
}
interface Service extends K8sObject {
  spec: { type?: string; selector: Labels; ports: { name?: string; port: number; targetPort?: number | string; nodePort?: number }[] };
}
interface Ingress extends K8sObject {
  spec: {
    ingressClassName?: string;
    tls?: { hosts: string[]; secretName: string }[];
    rules: { host: string; http: { paths: { path: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }[] } }[];
  };
}
interface Pdb extends K8sObject {
  spec: { selector: LabelSelector; maxUnavailable?: number | string; minAvailable?: number | string };
}
interface Hpa extends K8sObject {
  spec: { scaleTargetRef: { apiVersion: string; kind: string; name: string }; minReplicas: number; maxReplicas: number; metrics: { resource?: { name: string } }[] };
}
interface NetworkPolicy extends K8sObject {
  spec: {
    podSelector: LabelSelector;
    policyTypes: string[];
    ingress: { from?: { podSelector?: LabelSelector; namespaceSelector?: LabelSelector }[]; ports?: { port: number | string; protocol: string }[] }[];
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Builds (first time only) or finds a cached Go tool; throws with the build's own message. */
async function goTool(...args: string[]): Promise<string> {
  const res = await run('bash', [buildGoTool, ...args]);
  if (res.code !== 0) throw new Error(`${buildGoTool} ${args.join(' ')} failed:\n${res.stderr}`);
  const path = res.stdout.trim();
  if (!path) throw new Error(`${buildGoTool} ${args.join(' ')} printed no path:\n${res.stderr}`);
  return path;
}

function matches(selector: LabelSelector, labels: Labels): boolean {
  const keys = Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions?.length ?? 0);
  if (keys === 0) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && e.values?.includes(value!))) return false;
    if (e.operator === 'NotIn' && has && e.values?.includes(value!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

class Render {
  readonly manifest: string;
  readonly objects: K8sObject[];
  constructor(manifest: string, objects: K8sObject[]) {
    this.manifest = manifest;
    this.objects = objects;
  }
  all<T extends K8sObject>(kind: string): T[] {
    return this.objects.filter((o) => o.kind === kind) as T[];
  }
  one<T extends K8sObject>(kind: string, name: string): T {
    const found = this.objects.filter((o) => o.kind === kind && o.metadata.name === name);
    expect(found.map((o) => `${o.kind}/${o.metadata.name}`), `exactly one ${kind}/${name}`).toEqual([`${kind}/${name}`]);
    return found[0] as T;
  }
  /** Every pod template of the release: Deployments and Jobs. */
  podTemplates(): { owner: string; template: PodTemplate }[] {
    return [...this.all<Deployment>('Deployment'), ...this.all<Job>('Job')].map((o) => ({ owner: `${o.kind}/${o.metadata.name}`, template: o.spec.template }));
  }
}

function container(deployment: Deployment | Job, name: string): Container {
  const spec = deployment.spec.template.spec as { containers: Container[]; initContainers?: Container[] };
  const c = [...(spec.initContainers ?? []), ...spec.containers].find((x) => x.name === name);
  expect(c, `container ${name} of ${deployment.metadata.name}`).toBeDefined();
  return c!;
}

function envOf(c: Container): Record<string, string | undefined> {
  return Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
}

describe('Helm chart deploy/helm/ssohub, rendered by real Helm and decoded against the Kubernetes API types', () => {
  let helm: string;
  let validator: string;
  let helmHome: string;
  const renders = new Map<string, Render>();

  // A failed build is kept and rethrown by every test: a throwing beforeAll would only mark the
  // tests skipped, and a missing tool must read as a failure.
  let missingTool: unknown;

  beforeAll(async () => {
    try {
      helm = await goTool('install', HELM_MODULE, 'helm');
      validator = await goTool('local', 'test/deploy/tools/k8s-validate', 'k8s-validate');
    } catch (err) {
      missingTool = err;
    }
    // Helm's own config, cache and data stay out of the user's home.
    helmHome = mkdtempSync(join(tmpdir(), 'ssohub-helm-'));
  });
  afterAll(() => {
    if (helmHome) rmSync(helmHome, { recursive: true, force: true });
  });

  const tools = () => {
    if (missingTool !== undefined) throw missingTool;
    return { helm, validator };
  };

  const helmEnv = () => ({ HELM_CONFIG_HOME: join(helmHome, 'config'), HELM_CACHE_HOME: join(helmHome, 'cache'), HELM_DATA_HOME: join(helmHome, 'data') });
  const helmRun = (args: string[]) => run(tools().helm, args, { env: helmEnv() });

  async function template(extra: string[]): Promise<Run> {
    return helmRun(['template', 'ssohub', chart, '--namespace', 'sso', ...extra]);
  }

  /** Renders with Helm, pipes the stream to the validator, and returns the decoded objects. */
  async function render(extra: string[] = []): Promise<Render> {
    const key = extra.join(' ');
    const cached = renders.get(key);
    if (cached) return cached;
    const rendered = await template(extra);
    expect(rendered.code, `helm template ${key}: ${rendered.stderr}`).toBe(0);
    const checked = await run(tools().validator, ['--json'], { input: rendered.stdout });
    expect(checked.code, `k8s-validate:\n${checked.stderr}`).toBe(0);
    const lines = checked.stderr.trim().split('\n');
    const objects = JSON.parse(checked.stdout) as K8sObject[];
    // One "ok" line per object, and as many objects as Helm printed documents with a kind.
    expect(lines.every((l) => l.startsWith('ok '))).toBe(true);
    expect(lines).toHaveLength(objects.length);
    expect(objects.length).toBe(rendered.stdout.match(/^kind: /gm)?.length);
    const result = new Render(rendered.stdout, objects);
    renders.set(key, result);
    return result;
  }

  const defaults = () => render();
  const production = () => render(['-f', productionValues]);
  const observability = () => render(OBSERVABILITY);

  it('passes `helm lint --strict` with the default values and with values-production.example.yaml', async () => {
    for (const extra of [[], ['-f', productionValues], OBSERVABILITY]) {
      const res = await helmRun(['lint', '--strict', chart, ...extra]);
      expect(res.code, res.stdout + res.stderr).toBe(0);
      expect(res.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(res.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    }
  });

  it('renders the default values (no --set) into objects that all decode strictly', async () => {
    const r = await defaults();
    const kinds = r.objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        'apps/v1 Deployment ssohub-hub',
        'apps/v1 Deployment ssohub-kratos',
        'apps/v1 Deployment ssohub-kratos-courier',
        'batch/v1 Job ssohub-kratos-migrate',
        'networking.k8s.io/v1 Ingress ssohub-hub',
        'networking.k8s.io/v1 NetworkPolicy ssohub-kratos',
        'policy/v1 PodDisruptionBudget ssohub-hub',
        'policy/v1 PodDisruptionBudget ssohub-kratos',
        'v1 Service ssohub-hub',
        'v1 Service ssohub-kratos-admin',
        'v1 Service ssohub-kratos-public',
        'v1 ServiceAccount ssohub',
      ].sort(),
    );
    expect(r.one<Deployment>('Deployment', 'ssohub-hub').spec.replicas).toBe(2);
    // The same default images as deploy/compose/compose.yaml.
    const images = new Set(r.podTemplates().flatMap(({ template }) => template.spec.containers.map((c) => c.image)));
    expect([...images].sort()).toEqual(['ssohub/hub:0.1.0', 'ssohub/kratos:v1.3.1']);
  });

  it('renders values-production.example.yaml with the autoscaler, pinned images and both app origins', async () => {
    const r = await production();
    const hub = r.one<Deployment>('Deployment', 'ssohub-hub');
    const hpa = r.one<Hpa>('HorizontalPodAutoscaler', 'ssohub-hub');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ssohub-hub' });
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(hpa.spec.metrics.map((m) => m.resource?.name)).toContain('cpu');
    // Left to the autoscaler: a replicas field would reset the pod count on every `helm upgrade`.
    expect(hub.spec.replicas).toBeUndefined();
    expect(envOf(container(hub, 'hub')).SSOHUB_ALLOWED_RETURN_ORIGINS).toBe('https://portal.acme.example,https://shop.acme-retail.example');
    expect(envOf(container(hub, 'hub')).SSOHUB_PUBLIC_URL).toBe('https://login.acme.example');
    for (const { owner, template } of r.podTemplates()) {
      for (const c of template.spec.containers) {
        expect(c.image, owner).toMatch(/^registry\.acme\.example\/ssohub\/(hub|kratos):v?\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?$/);
        expect(c.resources?.requests?.cpu, owner).toBeDefined();
        expect(c.resources?.limits?.memory, owner).toBeDefined();
      }
    }
    expect(r.one<Deployment>('Deployment', 'ssohub-kratos').spec.replicas).toBe(3);
    const ingress = r.one<Ingress>('Ingress', 'ssohub-hub');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBeDefined();
    expect(ingress.spec.tls).toEqual([{ hosts: ['login.acme.example'], secretName: 'ssohub-login-tls' }]);
    expect(ingress.spec.rules.map((rule) => rule.host)).toEqual(['login.acme.example']);
  });

  it('gives the hub the contract environment, with every secret read from a mounted file', async () => {
    const productionEnv = { ...HUB_ENV, SSOHUB_PUBLIC_URL: 'https://login.acme.example', SSOHUB_ALLOWED_RETURN_ORIGINS: 'https://portal.acme.example,https://shop.acme-retail.example' };
    for (const [r, expected] of [
      [await defaults(), HUB_ENV],
      [await production(), productionEnv],
    ] as const) {
      const hub = r.one<Deployment>('Deployment', 'ssohub-hub');
      const c = container(hub, 'hub');
      const env = envOf(c);
      for (const [name, value] of Object.entries(expected)) expect(env[name], name).toBe(value);
      // Only the contract's variables and the worker count: no inline SSOHUB_ADMIN_TOKEN,
      // SSOHUB_REDIS_URL or SSOHUB_COOKIE_KEYS.
      expect(Object.keys(env).sort()).toEqual([...Object.keys(HUB_ENV), 'SSOHUB_WORKERS'].sort());
      expect(c.envFrom).toBeUndefined();
      // Each *_FILE names a file that a read-only mount of the hub Secret really provides.
      const volumes = new Map((hub.spec.template.spec.volumes ?? []).map((v) => [v.name, v]));
      const provided = new Map<string, string>();
      for (const m of c.volumeMounts ?? []) {
        const secret = volumes.get(m.name)?.secret;
        if (!secret) continue;
        expect(m.readOnly, m.mountPath).toBe(true);
        for (const item of secret.items ?? []) provided.set(`${m.mountPath}/${item.path}`, `${secret.secretName}:${item.key}`);
      }
      expect(provided.get(env.SSOHUB_ADMIN_TOKEN_FILE!)).toBe('ssohub-hub:admin-token');
      expect(provided.get(env.SSOHUB_COOKIE_KEYS_FILE!)).toBe('ssohub-hub:cookie-keys');
      expect(provided.get(env.SSOHUB_SIGNING_KEYS_FILE!)).toBe('ssohub-hub:jwks.json');
      expect(provided.get(env.SSOHUB_REDIS_URL_FILE!)).toBe('ssohub-hub:redis-url');
      expect(provided.get(env.SSOHUB_KRATOS_CONFIG_FILES!)).toBe('ssohub-kratos-site:site.yml');
      // The Kratos URLs name Services of this release on the ports Kratos listens on.
      expect(r.one<Service>('Service', 'ssohub-kratos-public').spec.ports.map((p) => p.port)).toEqual([4433]);
      expect(r.one<Service>('Service', 'ssohub-kratos-admin').spec.ports.map((p) => p.port)).toEqual([4434]);
    }
  });

  it('probes the hub on /health/serving (readiness) and /health/alive (liveness) of its public port', async () => {
    for (const r of [await defaults(), await production()]) {
      const c = container(r.one<Deployment>('Deployment', 'ssohub-hub'), 'hub');
      expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/health/serving', port: 'http' });
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/health/alive', port: 'http' });
    }
  });

  it('never exposes the admin listener: no Service, Ingress or container port leads to 8081', async () => {
    for (const r of [await defaults(), await production(), await observability()]) {
      const hub = r.one<Deployment>('Deployment', 'ssohub-hub');
      const hubPods = hub.spec.template.metadata.labels;
      expect(envOf(container(hub, 'hub')).SSOHUB_ADMIN_HOST).toBe('127.0.0.1');
      for (const svc of r.all<Service>('Service')) {
        for (const p of svc.spec.ports) {
          expect([p.port, p.targetPort], `Service ${svc.metadata.name}`).not.toContain(8081);
        }
        expect(svc.spec.type ?? 'ClusterIP', svc.metadata.name).toBe('ClusterIP');
        if (matches({ matchLabels: svc.spec.selector }, hubPods)) {
          // The public Service, and with metrics on the metrics Service, each with its one port.
          const expected = svc.metadata.name === 'ssohub-hub-metrics' ? [[9464, 'metrics']] : [[8080, 'http']];
          expect(svc.spec.ports.map((p) => [p.port, p.targetPort]), svc.metadata.name).toEqual(expected);
        }
      }
      for (const { owner, template } of r.podTemplates()) {
        for (const c of template.spec.containers) {
          expect((c.ports ?? []).map((p) => p.containerPort), owner).not.toContain(8081);
        }
        expect(template.spec.hostNetwork, owner).toBeUndefined();
      }
      for (const ingress of r.all<Ingress>('Ingress')) {
        for (const rule of ingress.spec.rules) {
          for (const path of rule.http.paths) {
            expect(path.backend.service).toEqual({ name: 'ssohub-hub', port: { name: 'http' } });
          }
        }
      }
    }
  });

  it('routes the Ingress for publicUrl\'s host to the hub with TLS by default', async () => {
    const ingress = (await defaults()).one<Ingress>('Ingress', 'ssohub-hub');
    expect(ingress.spec.rules.map((rule) => rule.host)).toEqual(['login.example.com']);
    expect(ingress.spec.tls).toEqual([{ hosts: ['login.example.com'], secretName: 'ssohub-tls' }]);
  });

  it('references Secrets by name only: none is rendered and no secret value is inlined', async () => {
    for (const r of [await defaults(), await production()]) {
      expect(r.all('Secret')).toEqual([]);
      expect(r.all('ConfigMap')).toEqual([]);
      expect(r.manifest).not.toMatch(/(postgres|postgresql|redis|rediss|smtps?):\/\//);
      const secretNames = new Set<string>();
      for (const { owner, template } of r.podTemplates()) {
        for (const c of template.spec.containers) {
          for (const e of c.env ?? []) {
            // A secret-looking variable may only name a file; Kratos' DSN comes from the site file.
            if (/TOKEN|PASSWORD|SECRET|COOKIE_KEYS|REDIS_URL|DSN/.test(e.name)) expect(e.name, owner).toMatch(/_FILE$/);
          }
        }
        for (const v of template.spec.volumes ?? []) if (v.secret) secretNames.add(v.secret.secretName);
      }
      expect([...secretNames].sort()).toEqual(['ssohub-hub', 'ssohub-kratos-site']);
    }
  });

  it('runs every container as a non-root user with a read-only root, no capabilities and the runtime seccomp profile', async () => {
    for (const r of [await defaults(), await production(), await observability()]) {
      const templates = r.podTemplates();
      expect(templates.map((t) => t.owner).sort()).toEqual(['Deployment/ssohub-hub', 'Deployment/ssohub-kratos', 'Deployment/ssohub-kratos-courier', 'Job/ssohub-kratos-migrate']);
      for (const { owner, template } of templates) {
        const pod = template.spec.securityContext ?? {};
        expect(template.spec.automountServiceAccountToken, owner).toBe(false);
        for (const c of [...template.spec.containers, ...(template.spec.initContainers ?? [])]) {
          const sc = c.securityContext ?? {};
          const where = `${owner} container ${c.name}`;
          expect(sc.runAsNonRoot ?? pod.runAsNonRoot, where).toBe(true);
          const uid = sc.runAsUser ?? pod.runAsUser;
          // The metrics sidecar runs from the hub image, as its user.
          expect(uid, where).toBe(c.name === 'hub' || c.name === 'metrics' ? 1000 : 10000);
          expect(sc.readOnlyRootFilesystem, where).toBe(true);
          expect(sc.allowPrivilegeEscalation, where).toBe(false);
          expect(sc.privileged ?? false, where).toBe(false);
          expect(sc.capabilities?.drop, where).toEqual(['ALL']);
          expect(sc.capabilities?.add, where).toBeUndefined();
          expect((sc.seccompProfile ?? pod.seccompProfile)?.type, where).toBe('RuntimeDefault');
        }
      }
    }
  });

  it('runs Kratos from the baked base config plus the site Secret, probed on its admin port, with SQA opted out', async () => {
    const r = await defaults();
    const server = r.one<Deployment>('Deployment', 'ssohub-kratos');
    const courier = r.one<Deployment>('Deployment', 'ssohub-kratos-courier');
    const job = r.one<Job>('Job', 'ssohub-kratos-migrate');
    const config = ['-c', '/etc/kratos/kratos.yml', '-c', '/run/secrets/kratos/site.yml'];
    expect(container(server, 'kratos').args).toEqual(['serve', ...config, '--sqa-opt-out']);
    expect(container(courier, 'courier').args).toEqual(['courier', 'watch', ...config]);
    expect(container(job, 'migrate').args).toEqual(['migrate', 'sql', '-e', '--yes', ...config]);
    // After the migration (an init container), one Kratos creates the network and stops, before
    // the replicas and the courier start together (see the Job template).
    expect((job.spec.template.spec as { initContainers?: Container[] }).initContainers?.map((c) => c.name)).toEqual(['migrate']);
    expect(job.spec.template.spec.containers.map((c) => c.name)).toEqual(['network']);
    expect(container(job, 'network').command?.slice(0, 2)).toEqual(['bash', '-c']);
    expect(container(job, 'network').command?.[2]).toContain('kratos serve "$@" --sqa-opt-out');
    expect(container(job, 'network').args).toEqual(config);
    for (const [owner, c] of [
      ['server', container(server, 'kratos')],
      ['courier', container(courier, 'courier')],
      ['migration', container(job, 'migrate')],
      ['network', container(job, 'network')],
    ] as const) {
      expect(envOf(c).SQA_OPT_OUT, owner).toBe('true');
      expect(c.args, owner).not.toContain('--dev');
      expect(c.args, owner).not.toContain('--watch-courier');
      // Kratos picks the parser from the extension, so the mounted site file must end in .yml.
      const mount = c.volumeMounts?.find((m) => m.name === 'kratos-site');
      expect(mount?.mountPath, owner).toBe('/run/secrets/kratos');
      expect(mount?.readOnly, owner).toBe(true);
    }
    const kratos = container(server, 'kratos');
    expect(kratos.ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ['public', 4433],
      ['admin', 4434],
    ]);
    expect(kratos.readinessProbe?.httpGet).toEqual({ path: '/admin/health/ready', port: 'admin' });
    expect(kratos.livenessProbe?.httpGet).toEqual({ path: '/admin/health/alive', port: 'admin' });
    for (const name of ['ssohub-kratos-public', 'ssohub-kratos-admin']) {
      const svc = r.one<Service>('Service', name);
      expect(svc.spec.type).toBe('ClusterIP');
      expect(matches({ matchLabels: svc.spec.selector }, server.spec.template.metadata.labels), name).toBe(true);
      expect(matches({ matchLabels: svc.spec.selector }, courier.spec.template.metadata.labels), name).toBe(false);
    }
    expect(r.all<Ingress>('Ingress').flatMap((i) => i.spec.rules.flatMap((rule) => rule.http.paths.map((p) => p.backend.service.name)))).not.toContain(
      expect.stringMatching(/kratos/),
    );
  });

  it('runs exactly one courier, replaced with Recreate so two never run at once', async () => {
    for (const r of [await defaults(), await production()]) {
      const courier = r.one<Deployment>('Deployment', 'ssohub-kratos-courier');
      expect(courier.spec.replicas).toBe(1);
      expect(courier.spec.strategy?.type).toBe('Recreate');
      expect(r.all<Hpa>('HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name)).not.toContain('ssohub-kratos-courier');
    }
  });

  it('runs the migrations as a pre-install and pre-upgrade hook Job', async () => {
    const job = (await defaults()).one<Job>('Job', 'ssohub-kratos-migrate');
    const hooks = job.metadata.annotations?.['helm.sh/hook']?.split(',').map((h) => h.trim());
    expect(hooks?.sort()).toEqual(['pre-install', 'pre-upgrade']);
    expect(job.metadata.annotations?.['helm.sh/hook-delete-policy']).toContain('before-hook-creation');
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    // A pre-install hook runs before the chart's ServiceAccount exists.
    expect(job.spec.template.spec.serviceAccountName).toBeUndefined();
  });

  it('protects the hub with a PodDisruptionBudget and spreads it over zones and nodes', async () => {
    for (const r of [await defaults(), await production()]) {
      const hub = r.one<Deployment>('Deployment', 'ssohub-hub');
      const labels = hub.spec.template.metadata.labels;
      const pdb = r.one<Pdb>('PodDisruptionBudget', 'ssohub-hub');
      expect(matches(pdb.spec.selector, labels)).toBe(true);
      expect(pdb.spec.maxUnavailable ?? pdb.spec.minAvailable).toBeDefined();
      const spread = hub.spec.template.spec.topologySpreadConstraints ?? [];
      expect(spread.map((s) => s.topologyKey).sort()).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
      for (const s of spread) {
        expect(matches(s.labelSelector, labels), s.topologyKey).toBe(true);
        expect(s.matchLabelKeys).toEqual(['pod-template-hash']);
      }
      const resources = container(hub, 'hub').resources;
      expect(resources?.requests?.cpu).toBeDefined();
      expect(resources?.requests?.memory).toBeDefined();
      expect(resources?.limits?.memory).toBeDefined();
    }
  });

  it('lets only hub pods reach Kratos, on 4433 and 4434', async () => {
    const r = await defaults();
    const policy = r.one<NetworkPolicy>('NetworkPolicy', 'ssohub-kratos');
    const labelsOf = (name: string) => r.one<Deployment>('Deployment', name).spec.template.metadata.labels;
    expect(matches(policy.spec.podSelector, labelsOf('ssohub-kratos'))).toBe(true);
    expect(matches(policy.spec.podSelector, labelsOf('ssohub-kratos-courier'))).toBe(true);
    expect(matches(policy.spec.podSelector, labelsOf('ssohub-hub'))).toBe(false);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toHaveLength(1);
    const [rule] = policy.spec.ingress;
    expect(rule!.from).toHaveLength(1);
    const peer = rule!.from![0]!;
    expect(peer.namespaceSelector).toBeUndefined();
    expect(matches(peer.podSelector!, labelsOf('ssohub-hub'))).toBe(true);
    expect(matches(peer.podSelector!, labelsOf('ssohub-kratos'))).toBe(false);
    expect(rule!.ports?.map((p) => p.port).sort()).toEqual([4433, 4434]);

    const off = await render(['--set', 'networkPolicy.enabled=false']);
    expect(off.all('NetworkPolicy')).toEqual([]);
  });

  it('refuses values that would deploy a broken or exposed hub', async () => {
    const refused = async (args: string[], message: RegExp) => {
      const res = await template(args);
      expect(res.code, args.join(' ')).not.toBe(0);
      expect(res.stderr).toMatch(message);
    };
    // values.schema.json: a misspelt key fails instead of being ignored, and so do values the
    // hub refuses in production.
    await refused(['--set', 'hub.replica=3'], /at '\/hub': additional properties 'replica' not allowed/);
    await refused(['--set', 'publicUrl=http://login.example.com'], /at '\/publicUrl'/);
    await refused(['--set', 'publicUrl=https://login.example.com/sso'], /at '\/publicUrl'/);
    await refused(['--set-json', 'allowedReturnOrigins=[]'], /at '\/allowedReturnOrigins': minItems/);
    await refused(['--set', 'hub.existingSecret='], /at '\/hub\/existingSecret'/);
    await refused(['--set', 'hub.trustProxy=true'], /at '\/hub\/trustProxy'/);
    // The templates refuse the same without the schema (--skip-schema-validation).
    await refused(['--skip-schema-validation', '--set', 'publicUrl=http://login.example.com'], /publicUrl must be an https:\/\/ URL/);
    await refused(['--skip-schema-validation', '--set-json', 'allowedReturnOrigins=[]'], /allowedReturnOrigins needs at least one/);
    // extraEnv cannot re-point the admin listener (a later duplicate would win in the pod).
    await refused(['--set', 'hub.extraEnv[0].name=SSOHUB_ADMIN_HOST', '--set', 'hub.extraEnv[0].value=0.0.0.0'], /hub\.extraEnv: SSOHUB_ADMIN_HOST is set by the chart/);
  });

  it('leaves out the Kratos PodDisruptionBudget for a single Kratos pod, where it would block every drain', async () => {
    const single = await render(['--set', 'kratos.replicas=1']);
    expect(single.all<Pdb>('PodDisruptionBudget').map((p) => p.metadata.name)).toEqual(['ssohub-hub']);
    expect(single.one<Deployment>('Deployment', 'ssohub-kratos').spec.replicas).toBe(1);
  });

  it('prints NOTES that reach the admin API only through kubectl exec or port-forward', async () => {
    // --dry-run=client renders NOTES.txt without a cluster; KUBECONFIG points nowhere on purpose.
    const res = await run(tools().helm, ['install', 'ssohub', chart, '--namespace', 'sso', '--dry-run=client'], {
      env: { ...helmEnv(), KUBECONFIG: join(helmHome, 'no-kubeconfig') },
    });
    expect(res.code, res.stderr).toBe(0);
    const notes = res.stdout.slice(res.stdout.indexOf('NOTES:'));
    expect(notes).toContain('kubectl -n sso exec deploy/ssohub-hub -c hub --');
    expect(notes).toContain('kubectl -n sso port-forward deploy/ssohub-hub 8081:8081');
    expect(notes).toContain('ssohub-hub: admin-token, cookie-keys, jwks.json, redis-url');
    expect(notes).toContain('ssohub-kratos-site: site.yml');
  });

  it('has a validator that bites: unknown or miscased fields, removed API versions and duplicates fail', async () => {
    const { manifest } = await defaults();
    const check = (input: string) => run(tools().validator, [], { input });
    const expectFailure = async (input: string, message: RegExp) => {
      const res = await check(input);
      expect(res.code).toBe(1);
      expect(res.stdout).toMatch(message);
    };
    expect((await check(manifest)).code).toBe(0);
    // A typo in a field name that a lenient decoder would drop without a word.
    const typo = manifest.replace('  revisionHistoryLimit: 5\n', '  revisionHistoryLimit: 5\n  replica: 3\n');
    expect(typo).not.toBe(manifest);
    await expectFailure(typo, /^FAIL apps\/v1 Deployment ssohub-\S+ .*unknown field "replica"/m);
    // Nested unknown field inside a container.
    await expectFailure(manifest.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: true\n            readOnlyRoot: true'), /unknown field/);
    // encoding/json would accept this casing; the API server does not.
    await expectFailure(manifest.replace('maxUnavailable: 1', 'MaxUnavailable: 1'), /^FAIL policy\/v1 PodDisruptionBudget .*unknown field "spec.MaxUnavailable"/m);
    await expectFailure(manifest.replace('apiVersion: policy/v1\n', 'apiVersion: policy/v1beta1\n'), /^FAIL policy\/v1beta1 PodDisruptionBudget .*unknown kind/m);
    await expectFailure(`${manifest}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ssohub-hub\nspec:\n  ports: [{port: 80}]\n`, /same kind, namespace and name/);
    await expectFailure('', /no Kubernetes object/);
  });

  describe('observability: metrics for Prometheus, rules, tracing', () => {
    const MONITORING_KINDS = ['ServiceMonitor', 'PrometheusRule'];

    it('adds nothing for metrics or tracing by default', async () => {
      for (const r of [await defaults()]) {
        expect(r.objects.filter((o) => o.apiVersion.startsWith('monitoring.coreos.com/'))).toEqual([]);
        expect(r.all<Service>('Service').map((s) => s.metadata.name)).not.toContain('ssohub-hub-metrics');
        expect(r.all<NetworkPolicy>('NetworkPolicy').map((p) => p.metadata.name)).toEqual(['ssohub-kratos']);
        for (const { owner, template } of r.podTemplates()) {
          for (const c of [...template.spec.containers, ...(template.spec.initContainers ?? [])]) {
            expect(c.name, owner).not.toBe('metrics');
            expect((c.env ?? []).map((e) => e.name).filter((n) => /^(OTEL_|TRACING_)/.test(n)), `${owner} ${c.name}`).toEqual([]);
          }
        }
      }
    });

    it('renders the ServiceMonitor and PrometheusRule, decoded strictly into the prometheus-operator types', async () => {
      for (const r of [await observability(), await production()]) {
        expect(r.objects.filter((o) => o.apiVersion === 'monitoring.coreos.com/v1').map((o) => `${o.kind} ${o.metadata.name}`).sort()).toEqual([
          'PrometheusRule ssohub-hub',
          'ServiceMonitor ssohub-hub',
        ]);
        expect(r.all<K8sObject>('ServiceMonitor')[0]!.metadata.labels?.release).toBe('kube-prometheus-stack');
      }
      // The production example leaves tracing commented out.
      expect(envOf(container((await production()).one<Deployment>('Deployment', 'ssohub-hub'), 'hub')).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
      // The PrometheusRule alone does not need the sidecar; the ServiceMonitor alone brings it.
      const rulesOnly = await render(['--set', 'metrics.prometheusRule.enabled=true']);
      expect(rulesOnly.objects.filter((o) => MONITORING_KINDS.includes(o.kind)).map((o) => o.kind)).toEqual(['PrometheusRule']);
      expect(rulesOnly.all<Service>('Service').map((s) => s.metadata.name)).not.toContain('ssohub-hub-metrics');
      const monitorOnly = await render(['--set', 'metrics.serviceMonitor.enabled=true']);
      expect(monitorOnly.objects.filter((o) => MONITORING_KINDS.includes(o.kind)).map((o) => o.kind)).toEqual(['ServiceMonitor']);
      expect(monitorOnly.one<Service>('Service', 'ssohub-hub-metrics')).toBeDefined();
      // Metrics without the operator: the sidecar and Service, no monitoring.coreos.com object.
      const plain = await render(['--set', 'metrics.enabled=true', '--set-json', 'metrics.service.annotations={"prometheus.io/scrape":"true","prometheus.io/port":"9464"}']);
      expect(plain.objects.filter((o) => MONITORING_KINDS.includes(o.kind))).toEqual([]);
      expect(plain.one<Service>('Service', 'ssohub-hub-metrics').metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464' });
    });

    it('scrapes each hub pod through the metrics Service, as job="ssohub-hub", without the admin token', async () => {
      const r = await observability();
      const hub = r.one<Deployment>('Deployment', 'ssohub-hub');
      const monitor = r.one<ServiceMonitor>('ServiceMonitor', 'ssohub-hub');
      expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
      expect(monitor.spec.namespaceSelector).toBeUndefined();
      // It selects the metrics Service and no other.
      const selected = r.all<Service>('Service').filter((s) => matches(monitor.spec.selector, s.metadata.labels ?? {}));
      expect(selected.map((s) => s.metadata.name)).toEqual(['ssohub-hub-metrics']);
      const service = selected[0]!;
      expect(matches({ matchLabels: service.spec.selector }, hub.spec.template.metadata.labels)).toBe(true);
      expect(monitor.spec.endpoints).toHaveLength(1);
      const [endpoint] = monitor.spec.endpoints;
      expect(endpoint).toMatchObject({ port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s', scrapeTimeout: '10s' });
      // /metrics needs no token, and the admin token would open the whole admin API to Prometheus.
      expect(endpoint!.authorization).toBeUndefined();
      expect(endpoint!.bearerTokenSecret).toBeUndefined();
      expect(JSON.stringify(monitor)).not.toMatch(/admin-token|ssohub-hub"?,"key/);
      // The rules and the dashboard select job="ssohub-hub"; the operator would name it after the Service.
      expect(endpoint!.relabelings).toEqual([{ action: 'replace', targetLabel: 'job', replacement: 'ssohub-hub' }]);
      // Service port `metrics` -> the sidecar's container port `metrics`, which is not the admin port.
      expect(service.spec.ports).toEqual([{ name: 'metrics', port: 9464, targetPort: 'metrics', protocol: 'TCP' }]);
      const sidecar = container(hub, 'metrics');
      expect(sidecar.ports).toEqual([{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
      expect(sidecar.image).toBe(container(hub, 'hub').image);
      expect(envOf(sidecar)).toEqual({ METRICS_PORT: '9464', METRICS_UPSTREAM: 'http://127.0.0.1:8081/metrics' });
      expect(sidecar.command?.slice(0, 2)).toEqual(['node', '-e']);
      expect(sidecar.command?.[2]).toBe(readFileSync(join(chart, 'files/metrics-proxy.cjs'), 'utf8'));
      expect(sidecar.resources?.limits?.memory).toBeDefined();
      expect(container(hub, 'hub').ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);

      // In another namespace (where the operator looks), it names the release's.
      const elsewhere = await render(['--set', 'metrics.serviceMonitor.enabled=true', '--set', 'metrics.serviceMonitor.namespace=monitoring', '--set', 'metrics.serviceMonitor.interval=15s']);
      const moved = elsewhere.one<ServiceMonitor>('ServiceMonitor', 'ssohub-hub');
      expect(moved.metadata.namespace).toBe('monitoring');
      expect(moved.spec.namespaceSelector).toEqual({ matchNames: ['sso'] });
      expect(moved.spec.endpoints[0]!.interval).toBe('15s');
    });

    it('admits only the monitoring pods to the metrics port, and the public port as before', async () => {
      const r = await observability();
      const hubPods = r.one<Deployment>('Deployment', 'ssohub-hub').spec.template.metadata.labels;
      const policy = r.one<NetworkPolicy>('NetworkPolicy', 'ssohub-hub');
      expect(matches(policy.spec.podSelector, hubPods)).toBe(true);
      expect(matches(policy.spec.podSelector, r.one<Deployment>('Deployment', 'ssohub-kratos').spec.template.metadata.labels)).toBe(false);
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      expect(policy.spec.ingress).toEqual([
        { ports: [{ protocol: 'TCP', port: 8080 }] },
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
          ports: [{ protocol: 'TCP', port: 9464 }],
        },
      ]);
      // Kratos' own policy still admits the hub pods.
      expect(r.one<NetworkPolicy>('NetworkPolicy', 'ssohub-kratos').spec.ingress[0]!.from![0]!.podSelector).toBeDefined();
      const custom = await render(['--set', 'metrics.enabled=true', '--set-json', 'metrics.networkPolicy.from=[{"namespaceSelector":{"matchLabels":{"team":"observability"}}}]']);
      expect(custom.one<NetworkPolicy>('NetworkPolicy', 'ssohub-hub').spec.ingress[1]!.from).toEqual([{ namespaceSelector: { matchLabels: { team: 'observability' } } }]);
      const noPolicy = await render(['--set', 'metrics.enabled=true', '--set', 'networkPolicy.enabled=false']);
      expect(noPolicy.all('NetworkPolicy')).toEqual([]);
    });

    it('copies deploy/observability/prometheus/ssohub-rules.yml into the chart byte for byte', () => {
      const source = readFileSync(join(root, RULES_SOURCE), 'utf8');
      const copy = readFileSync(join(root, RULES_COPY), 'utf8');
      // Helm cannot read outside the chart, so the PrometheusRule renders a copy; after changing the
      // rules run: cp deploy/observability/prometheus/ssohub-rules.yml deploy/helm/ssohub/files/
      expect(copy === source, `${RULES_COPY} differs from ${RULES_SOURCE}: run \`cp ${RULES_SOURCE} deploy/helm/ssohub/files/\``).toBe(true);
    });

    it('renders exactly the groups of ssohub-rules.yml in the PrometheusRule', async () => {
      const rule = (await observability()).one<PrometheusRule>('PrometheusRule', 'ssohub-hub');
      expect(rule.metadata.labels?.release).toBe('kube-prometheus-stack');
      const source = parseYaml(readFileSync(join(root, RULES_SOURCE), 'utf8')) as { groups: unknown[] };
      expect(source.groups.length).toBeGreaterThan(0);
      expect(rule.spec.groups).toEqual(source.groups);
    });

    it('has a validator that knows the prometheus-operator types: a typo or a bad duration fails', async () => {
      const { manifest } = await observability();
      const check = (input: string) => run(tools().validator, [], { input });
      const expectFailure = async (edited: string, message: RegExp) => {
        expect(edited).not.toBe(manifest);
        const res = await check(edited);
        expect(res.code, res.stdout).toBe(1);
        expect(res.stdout).toMatch(message);
      };
      const ok = await check(manifest);
      expect(ok.code, ok.stdout).toBe(0);
      expect(ok.stdout).toMatch(/^ok monitoring\.coreos\.com\/v1 ServiceMonitor ssohub-hub /m);
      expect(ok.stdout).toMatch(/^ok monitoring\.coreos\.com\/v1 PrometheusRule ssohub-hub /m);
      await expectFailure(manifest.replace('      interval: 30s\n      scrapeTimeout', '      intervall: 30s\n      scrapeTimeout'), /^FAIL monitoring\.coreos\.com\/v1 ServiceMonitor ssohub-hub .*unknown field "intervall"/m);
      await expectFailure(manifest.replace('      interval: 30s\n      scrapeTimeout', '      interval: 30 s\n      scrapeTimeout'), /^FAIL .*ServiceMonitor .*spec\.endpoints\[0\]\.interval: "30 s" is not a Prometheus duration/m);
      await expectFailure(manifest.replace('  selector:\n    matchLabels:\n      app.kubernetes.io/name: ssohub\n      app.kubernetes.io/instance: ssohub\n      app.kubernetes.io/component: hub-metrics\n  endpoints:', '  selectors:\n    matchLabels:\n      app.kubernetes.io/name: ssohub\n      app.kubernetes.io/instance: ssohub\n      app.kubernetes.io/component: hub-metrics\n  endpoints:'), /^FAIL .*ServiceMonitor .*unknown field "selectors"/m);
      await expectFailure(manifest.replace('      - alert: SsoHubInstanceDown', '      - alertname: SsoHubInstanceDown'), /^FAIL monitoring\.coreos\.com\/v1 PrometheusRule ssohub-hub .*unknown field "alertname"/m);
      await expectFailure(manifest.replace(/for: 2m/, 'for: 2 minutes'), /^FAIL .*PrometheusRule .*\.for: "2 minutes" is not a Prometheus duration/m);
      // Miscased: encoding/json would take it, the API server (and so the operator) would drop it.
      await expectFailure(manifest.replace('      scrapeTimeout: 10s', '      ScrapeTimeout: 10s'), /^FAIL .*ServiceMonitor .*unknown field "spec\.endpoints\[0\]\.ScrapeTimeout"/m);
      // What the operator's admission webhook refuses: a recording rule with `for`.
      await expectFailure(manifest.replace('        record: ssohub:http_requests:rate5m\n', '        record: ssohub:http_requests:rate5m\n        for: 5m\n'), /^FAIL .*PrometheusRule .*spec\.groups\[0\]\.rules\[0\]: a recording rule takes no for or annotations/m);
      await expectFailure(manifest.replace('kind: ServiceMonitor', 'kind: ServiceMonitors'), /^FAIL monitoring\.coreos\.com\/v1 ServiceMonitors .*unknown kind/m);
      await expectFailure(manifest.replace('apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule', 'apiVersion: monitoring.coreos.com/v1beta1\nkind: PrometheusRule'), /^FAIL monitoring\.coreos\.com\/v1beta1 PrometheusRule .*unknown kind/m);
    });

    it('runs a metrics sidecar that passes GET /metrics of the admin listener and nothing else', async () => {
      const hub = (await observability()).one<Deployment>('Deployment', 'ssohub-hub');
      const script = container(hub, 'metrics').command![2]!;
      // A stand-in admin listener on loopback: /metrics, and an admin route that must stay unreachable.
      const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
      const admin = createServer((req, res) => {
        seen.push({ url: req.url ?? '', headers: req.headers });
        if (req.url === '/metrics') res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'set-cookie': 'x=1' }).end('ssohub_up 1\n');
        else res.writeHead(200).end('admin secrets');
      });
      await new Promise<void>((resolve) => admin.listen(0, '127.0.0.1', resolve));
      const adminPort = (admin.address() as AddressInfo).port;
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
      const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, METRICS_PORT: String(port), METRICS_UPSTREAM: `http://127.0.0.1:${adminPort}/metrics` }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const base = `http://127.0.0.1:${port}`;
        let metrics: Response | undefined;
        for (let i = 0; i < 100 && !metrics; i++) {
          metrics = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer nope', cookie: 'sid=1', accept: 'text/plain' } }).catch(() => undefined);
          if (!metrics) await new Promise((r) => setTimeout(r, 50));
        }
        expect(metrics, stderr).toBeDefined();
        expect(metrics!.status).toBe(200);
        expect(await metrics!.text()).toBe('ssohub_up 1\n');
        expect(metrics!.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
        expect(metrics!.headers.get('set-cookie')).toBeNull();
        expect(seen.map((s) => s.url)).toEqual(['/metrics']);
        // Credentials of the caller never travel on to the admin listener.
        expect(seen[0]!.headers.authorization).toBeUndefined();
        expect(seen[0]!.headers.cookie).toBeUndefined();
        expect(seen[0]!.headers.accept).toBe('text/plain');
        // The query string is dropped; every other path and method is refused without asking upstream.
        expect((await fetch(`${base}/metrics?name[]=x`)).status).toBe(200);
        expect(seen.map((s) => s.url)).toEqual(['/metrics', '/metrics']);
        for (const path of ['/admin/clients', '/admin/sessions', '/metrics/../admin/clients', '/', '/metricsx']) {
          const res = await fetch(`${base}${path}`);
          expect(res.status, path).toBe(404);
          expect(await res.text()).not.toContain('admin secrets');
        }
        expect((await fetch(`${base}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
        expect(seen).toHaveLength(2);
        // The hub down or restarting: 502, so Prometheus marks the target down.
        await new Promise((resolve) => admin.close(resolve));
        expect((await fetch(`${base}/metrics`)).status).toBe(502);
        // SIGTERM ends it at once (it is PID 1 of its container).
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        child.kill('SIGKILL');
        admin.close();
      }
      // It refuses to forward anywhere but the loopback admin listener's /metrics.
      for (const upstream of ['http://10.0.0.5:8081/metrics', 'http://127.0.0.1:8081/admin/clients', 'http://127.0.0.1:8081/metrics?x=1', 'not a url']) {
        const res = await run(process.execPath, ['-e', script], { env: { METRICS_PORT: String(port), METRICS_UPSTREAM: upstream } });
        expect(res.code, upstream).not.toBe(0);
        expect(res.stderr, upstream).toContain('METRICS_UPSTREAM must be http://127.0.0.1:<admin port>/metrics');
      }
    });

    it('points the hub (OTEL_*) and every Kratos process (TRACING_*) at the same collector and sampling', async () => {
      const r = await observability();
      const hub = r.one<Deployment>('Deployment', 'ssohub-hub');
      const hubEnv = envOf(container(hub, 'hub'));
      expect(hubEnv).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_SERVICE_NAME: 'ssohub-hub',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=production,k8s.namespace.name=sso,k8s.pod.name=$(K8S_POD_NAME)',
      });
      // $(K8S_POD_NAME) expands only if the variable comes first.
      const names = (container(hub, 'hub').env ?? []).map((e) => e.name);
      expect(names.indexOf('K8S_POD_NAME')).toBeGreaterThanOrEqual(0);
      expect(names.indexOf('K8S_POD_NAME')).toBeLessThan(names.indexOf('OTEL_RESOURCE_ATTRIBUTES'));
      expect(container(hub, 'hub').env?.find((e) => e.name === 'K8S_POD_NAME')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
      // ory/x otelx's keys (Kratos v1.3.1's tracing config): OTLP/HTTP to host:port, plain HTTP.
      const kratosTracing = {
        TRACING_PROVIDER: 'otel',
        TRACING_SERVICE_NAME: 'ssohub-kratos',
        TRACING_DEPLOYMENT_ENVIRONMENT: 'production',
        TRACING_PROVIDERS_OTLP_SERVER_URL: 'otel-collector.observability:4318',
        TRACING_PROVIDERS_OTLP_INSECURE: 'true',
        TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO: '0.25',
      };
      const job = r.one<Job>('Job', 'ssohub-kratos-migrate');
      for (const [owner, c] of [
        ['server', container(r.one<Deployment>('Deployment', 'ssohub-kratos'), 'kratos')],
        ['courier', container(r.one<Deployment>('Deployment', 'ssohub-kratos-courier'), 'courier')],
        ['migration', container(job, 'migrate')],
        ['network', container(job, 'network')],
      ] as const) {
        const env = envOf(c);
        expect(env, owner).toMatchObject(kratosTracing);
        expect(Object.keys(env).filter((n) => n.startsWith('TRACING_')).sort(), owner).toEqual(Object.keys(kratosTracing).sort());
      }
      // An https collector: Kratos uses TLS, and the hub's protocol can be JSON.
      const tls = await render(['--set', 'tracing.otlpEndpoint=https://otlp.example.net', '--set', 'tracing.protocol=http/json', '--set', 'tracing.resourceAttributes.team=identity']);
      const tlsKratos = envOf(container(tls.one<Deployment>('Deployment', 'ssohub-kratos'), 'kratos'));
      // Kratos' schema wants host:port: the https default port when the URL names none.
      expect(tlsKratos.TRACING_PROVIDERS_OTLP_SERVER_URL).toBe('otlp.example.net:443');
      expect(tlsKratos.TRACING_PROVIDERS_OTLP_INSECURE).toBe('false');
      expect(tlsKratos.TRACING_DEPLOYMENT_ENVIRONMENT).toBeUndefined();
      const tlsHub = envOf(container(tls.one<Deployment>('Deployment', 'ssohub-hub'), 'hub'));
      expect(tlsHub.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('http/json');
      expect(tlsHub.OTEL_RESOURCE_ATTRIBUTES).toBe('k8s.namespace.name=sso,team=identity,k8s.pod.name=$(K8S_POD_NAME)');
      expect(tlsHub.OTEL_TRACES_SAMPLER_ARG).toBe('0.1');
    });

    it('refuses observability values that would not work', async () => {
      const refused = async (args: string[], message: RegExp) => {
        const res = await template(args);
        expect(res.code, args.join(' ')).not.toBe(0);
        expect(res.stderr).toMatch(message);
      };
      await refused(['--set', 'metrics.serviceMonitor.intervall=30s'], /at '\/metrics\/serviceMonitor': additional properties 'intervall' not allowed/);
      await refused(['--set', 'metrics.serviceMonitor.interval=30 s'], /at '\/metrics\/serviceMonitor\/interval'/);
      await refused(['--set', 'metrics.port=8081'], /at '\/metrics\/port'/);
      await refused(['--set-json', 'metrics.networkPolicy.from=[]'], /at '\/metrics\/networkPolicy\/from': minItems/);
      await refused(['--set-json', 'metrics.networkPolicy.from=[{}]'], /at '\/metrics\/networkPolicy\/from\/0'/);
      // Kratos takes host:port only, so a path would split the hub's and Kratos' destinations.
      await refused(['--set', 'tracing.otlpEndpoint=http://collector:4318/v1/traces'], /at '\/tracing\/otlpEndpoint'/);
      await refused(['--skip-schema-validation', '--set', 'tracing.otlpEndpoint=http://collector:4318/v1/traces'], /tracing\.otlpEndpoint must be the collector's OTLP\/HTTP base URL/);
      await refused(['--skip-schema-validation', '--set', 'tracing.otlpEndpoint=collector:4318'], /tracing\.otlpEndpoint must be/);
      await refused(['--set', 'tracing.protocol=grpc'], /at '\/tracing\/protocol'/);
      await refused(['--set', 'tracing.samplingRatio=1.5'], /at '\/tracing\/samplingRatio'/);
      // With tracing on, extraEnv cannot override what the chart sets for it.
      await refused([...OBSERVABILITY, '--set', 'hub.extraEnv[0].name=OTEL_TRACES_SAMPLER', '--set', 'hub.extraEnv[0].value=always_on'], /hub\.extraEnv: OTEL_TRACES_SAMPLER is set by the chart/);
      // Without it, they are the operator's to set.
      const own = await render(['--set', 'hub.extraEnv[0].name=OTEL_TRACES_SAMPLER', '--set', 'hub.extraEnv[0].value=always_on']);
      expect(envOf(container(own.one<Deployment>('Deployment', 'ssohub-hub'), 'hub')).OTEL_TRACES_SAMPLER).toBe('always_on');
    });
  });
});
