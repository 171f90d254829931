import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';

// The Grafana dashboard and the Prometheus rules of deploy/observability query metrics by name;
// a renamed or missing metric would leave a panel empty or an alert silently never firing. Every
// name they query must be on a real hub's admin /metrics. prom-client lists a metric's `# TYPE`
// line even before its first sample, so no traffic is needed for the names; one request checks
// the labels the rules select on. promtool checks the rules' syntax (test/deploy/prometheus-rules).

const root = fileURLToPath(new URL('../../', import.meta.url));
const dashboardFile = join(root, 'deploy/observability/grafana/ssohub-dashboard.json');
const rulesFile = join(root, 'deploy/observability/prometheus/ssohub-rules.yml');

// Our metrics and the Node process metrics prom-client exports; `up` and the like are Prometheus' own.
const METRIC = /\b(?:ssohub_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+)\b/g;
const RECORDED = /\bssohub:[a-z0-9_:]+/g;

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

async function dashboardExpressions(): Promise<string[]> {
  const dashboard = JSON.parse(await readFile(dashboardFile, 'utf8')) as {
    panels: Panel[];
    templating: { list: { query?: string | { query?: string } }[] };
  };
  const walk = (panels: Panel[]): string[] => panels.flatMap((p) => [...(p.targets ?? []).map((t) => t.expr ?? ''), ...walk(p.panels ?? [])]);
  const variables = dashboard.templating.list.map((v) => (typeof v.query === 'string' ? v.query : (v.query?.query ?? '')));
  return [...walk(dashboard.panels), ...variables].filter(Boolean);
}

async function ruleExpressions(): Promise<string[]> {
  const text = await readFile(rulesFile, 'utf8');
  return [...text.matchAll(/^\s+expr: (.+)$/gm)].map((m) => m[1] ?? '');
}

/** Names as scraped: a histogram's _bucket/_sum/_count series belong to the histogram's name. */
function typedNames(exposition: string): Map<string, string> {
  return new Map([...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

function exists(name: string, types: Map<string, string>): boolean {
  if (types.has(name)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && ['histogram', 'summary'].includes(types.get(base) ?? '');
}

describe('the metrics the dashboard and the alert rules query', () => {
  let stack: HubStack;
  let exposition: string;

  beforeAll(async () => {
    stack = await startHubStack();
    // One request through the public listener, so the request histogram has labelled samples.
    await fetch(`${stack.hubUrl}/health/alive`).catch(() => undefined);
    exposition = await (await fetch(`${stack.adminUrl}/metrics`)).text();
  });
  afterAll(async () => stack?.stop());

  it('finds metric names in both files (the extraction itself works)', async () => {
    const dashboard = (await dashboardExpressions()).join('\n').match(METRIC) ?? [];
    const rules = (await ruleExpressions()).join('\n').match(METRIC) ?? [];
    expect(new Set(dashboard).size).toBeGreaterThanOrEqual(15);
    expect(new Set(rules).size).toBeGreaterThanOrEqual(6);
  });

  it('serves every metric the Grafana dashboard queries', async () => {
    const types = typedNames(exposition);
    const names = new Set((await dashboardExpressions()).join('\n').match(METRIC) ?? []);
    expect([...names].filter((n) => !exists(n, types)), 'queried by the dashboard but not on /metrics').toEqual([]);
  });

  it('serves every metric the Prometheus rules query, and every recorded series they use is recorded there', async () => {
    const types = typedNames(exposition);
    const exprs = await ruleExpressions();
    const names = new Set(exprs.join('\n').match(METRIC) ?? []);
    expect([...names].filter((n) => !exists(n, types)), 'queried by the rules but not on /metrics').toEqual([]);
    const text = await readFile(rulesFile, 'utf8');
    const recorded = new Set([...text.matchAll(/^\s+- record: (\S+)$/gm)].map((m) => m[1]));
    const used = new Set(exprs.join('\n').match(RECORDED) ?? []);
    expect([...used].filter((n) => !recorded.has(n)), 'used by a rule but recorded by none').toEqual([]);
  });

  it('serves the gauges read from the store (live provider sessions, back-channel queue depth and age) as gauges, with a value', () => {
    const types = typedNames(exposition);
    for (const name of ['ssohub_oidc_sessions', 'ssohub_backchannel_queue_depth', 'ssohub_backchannel_queue_oldest_seconds']) {
      expect(types.get(name), name).toBe('gauge');
      expect(exposition, name).toMatch(new RegExp(`^${name}\\{service="ssohub-hub"\\} \\d`, 'm'));
    }
  });

  it('labels the request histogram with the route, method and status class the rules and panels select on', () => {
    const sample = /^ssohub_http_request_duration_seconds_count\{([^}]*)\} \d+/m.exec(exposition)?.[1] ?? '';
    expect(sample, 'no request sample on /metrics').not.toBe('');
    expect(sample).toMatch(/\broute="[^"]+"/);
    expect(sample).toMatch(/\bmethod="GET"/);
    expect(sample).toMatch(/\bstatus_class="2xx"/);
  });
});
