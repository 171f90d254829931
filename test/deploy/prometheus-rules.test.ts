import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

// The Prometheus side of deploy/observability checked by promtool v0.316.0, built from Prometheus'
// Go module by build-go-tool.sh: the rule file parses and type-checks (`check rules`), the
// overlay's Prometheus config loads with it (`check config`), and the alerts fire, and stay quiet,
// on the synthetic series of ssohub-rules.test.yml (`test rules`). That every metric the rules
// and the dashboard query exists is test/integration/observability-metrics.test.ts.

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(root, 'deploy/observability/prometheus');
const rules = join(dir, 'ssohub-rules.yml');
// Grafana's syntax for the dashboard's data-source variable, not a template placeholder here.
const DATASOURCE_VARIABLE = `\${datasource}`;
const PROMTOOL_MODULE = 'github.com/prometheus/prometheus/cmd/promtool@v0.316.0';

async function promtoolBin(): Promise<string> {
  try {
    const { stdout } = await run('bash', [join(root, 'test/deploy/tools/build-go-tool.sh'), 'install', PROMTOOL_MODULE, 'promtool'], {
      cwd: root,
      timeout: 900_000,
      maxBuffer: 1 << 20,
    });
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`promtool is needed to check the alert rules and could not be built: ${e.stderr || e.message}`);
  }
}

describe('the Prometheus rules (deploy/observability/prometheus/ssohub-rules.yml), checked by promtool', () => {
  let promtool: string;
  // Kept and rethrown by every test: a throwing beforeAll would only mark them skipped.
  let missingTool: unknown;
  const tool = (args: string[], cwd = dir) => {
    if (missingTool !== undefined) throw missingTool;
    return run(promtool, args, { cwd, maxBuffer: 16 << 20 }).then(
      ({ stdout, stderr }) => ({ code: 0, out: `${stdout}${stderr}` }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, out: `${err.stdout}${err.stderr}` }),
    );
  };

  beforeAll(async () => {
    try {
      promtool = await promtoolBin();
    } catch (err) {
      missingTool = err;
    }
  }, 900_000);

  it('passes `promtool check rules` with its recording and alerting rules', async () => {
    const res = await tool(['check', 'rules', rules]);
    expect(res.code, res.out).toBe(0);
    expect(res.out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('gives every alert a `for:`, a severity, a summary, a description and a runbook anchor that docs/runbook.md has', async () => {
    const text = await readFile(rules, 'utf8');
    const runbook = await readFile(join(root, 'docs/runbook.md'), 'utf8');
    const alerts = text.split(/^ {6}- alert: /m).slice(1);
    expect(alerts.length).toBeGreaterThanOrEqual(8);
    for (const alert of alerts) {
      const name = alert.split('\n')[0]?.trim() ?? '';
      expect(alert, name).toMatch(/^ {8}for: \d+m$/m);
      expect(alert, name).toMatch(/^ {10}severity: (critical|warning)$/m);
      expect(alert, name).toMatch(/^ {10}summary: \S/m);
      expect(alert, name).toMatch(/^ {10}description: \S/m);
      const anchor = /runbook_url: "docs\/runbook\.md#([a-z0-9-]+)"/.exec(alert)?.[1];
      expect(anchor, name).toBe(`alert-${name.toLowerCase()}`);
      expect(runbook, `docs/runbook.md has no heading for #${anchor}`).toMatch(new RegExp(`^#+ Alert: ${name}$`, 'm'));
    }
  });

  it('fails `promtool check rules` on a broken expression, so the check is real', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'ssohub-rules-'));
    try {
      const text = await readFile(rules, 'utf8');
      const broken = text.replace('expr: up{job="ssohub-hub"} == 0', 'expr: up{job="ssohub-hub" == 0');
      expect(broken).not.toBe(text);
      await writeFile(join(tmp, 'rules.yml'), broken);
      const res = await tool(['check', 'rules', join(tmp, 'rules.yml')]);
      expect(res.code).toBe(1);
      expect(res.out).toMatch(/parse error|unexpected/);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('passes `promtool test rules`: the 5xx, Kratos, Redis, instance, back-channel and lockout alerts fire on synthetic series, and not below threshold', async () => {
    const res = await tool(['test', 'rules', 'ssohub-rules.test.yml']);
    expect(res.code, res.out).toBe(0);
    expect(res.out).toMatch(/SUCCESS/);
  });

  it('fails `promtool test rules` when an alert\'s threshold no longer matches the unit test', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'ssohub-rules-'));
    try {
      const text = await readFile(rules, 'utf8');
      await writeFile(join(tmp, 'ssohub-rules.yml'), text.replace('ssohub:http_5xx:ratio_rate5m > 0.05', 'ssohub:http_5xx:ratio_rate5m > 0.5'));
      await copyFile(join(dir, 'ssohub-rules.test.yml'), join(tmp, 'ssohub-rules.test.yml'));
      const res = await tool(['test', 'rules', 'ssohub-rules.test.yml'], tmp);
      expect(res.code).toBe(1);
      expect(res.out).toContain('SsoHubHigh5xxRatio');
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('passes `promtool check config` for the compose overlay\'s Prometheus configuration, rules included', async () => {
    const res = await tool(['check', 'config', join(dir, 'prometheus.yml')]);
    expect(res.code, res.out).toBe(0);
    expect(res.out).toContain('ssohub-rules.yml');
  });

  // Grafana itself is not run here; its queries are PromQL, which promtool parses when they are
  // written as recording rules (Grafana's $variables replaced by what it would put there).
  it('parses every query of the Grafana dashboard as PromQL, and the dashboard takes its data source from a variable', async () => {
    const dashboard = JSON.parse(await readFile(join(root, 'deploy/observability/grafana/ssohub-dashboard.json'), 'utf8')) as {
      uid: string;
      templating: { list: { name: string; type: string; query: unknown }[] };
      panels: { id: number; type: string; datasource?: { uid: string }; targets?: { expr: string; datasource?: { uid: string } }[] }[];
    };
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const queries = dashboard.panels.flatMap((p) => {
      if (p.type === 'row') return [];
      expect(p.datasource?.uid, `panel ${p.id}`).toBe(DATASOURCE_VARIABLE);
      expect(p.targets?.length, `panel ${p.id}`).toBeGreaterThan(0);
      return (p.targets ?? []).map((t) => {
        expect(t.datasource?.uid, `panel ${p.id}`).toBe(DATASOURCE_VARIABLE);
        return t.expr;
      });
    });
    expect(queries.length).toBeGreaterThanOrEqual(20);
    const asRules = queries.map((q, i) => {
      const expr = q.replaceAll('$__rate_interval', '1m').replaceAll('$job', '.*').replaceAll('$instance', '.*');
      expect(expr, 'a Grafana variable the check does not know').not.toMatch(/\$/);
      return `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(expr)}\n`;
    });
    const tmp = await mkdtemp(join(tmpdir(), 'ssohub-dashboard-'));
    try {
      await writeFile(join(tmp, 'dashboard.yml'), `groups:\n  - name: dashboard\n    rules:\n${asRules.join('')}`);
      const res = await tool(['check', 'rules', join(tmp, 'dashboard.yml')]);
      expect(res.code, res.out).toBe(0);
      expect(res.out).toContain(`SUCCESS: ${queries.length} rules found`);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
