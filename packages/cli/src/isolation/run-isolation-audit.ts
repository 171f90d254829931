import { type AuditTarget, Findings, type RegistryClient } from './audit-context.ts';
import { CheckCannotRun, httpRequest } from './audit-http.ts';
import { checkApp, clientOfApp } from './checks/app-probes.ts';
import { checkClientRegistry } from './checks/client-registry.ts';
import { checkAuthorizationPolicy, checkOpenRedirects } from './checks/hub-authorization.ts';
import { checkDiscovery, checkHubCookies, checkHubHeaders } from './checks/hub-transport.ts';
import { runLiveSessionChecks } from './checks/live-session.ts';
import { cleanups, type ProbeTokens, runSignInProbes } from './checks/signin-probes.ts';
import { type CheckResult, failsBySeverity, type IsolationReport, type RunContext, type Severity, summarize } from './report.ts';

/** What the caller says about the run, for the report's run context (never a secret). */
export interface RunOptions {
  /** The options as given, secrets already redacted. */
  options?: Record<string, string | string[]>;
  failOn?: Severity | 'none';
}

const REGISTRY_WHY = 'The registry is the list of apps that can receive codes and tokens.';

/**
 * Runs the session-isolation audit against a live deployment from the outside: the hub, its
 * client registry (through the admin API) and each client app given by URL. Never throws for a
 * finding; every problem is a check result with evidence, and a check that cannot run is
 * `inconclusive` with how to make it run.
 */
export async function runIsolationAudit(target: AuditTarget, run: RunOptions = {}): Promise<IsolationReport> {
  const startedAt = new Date().toISOString();
  const f = new Findings(target.onCheck, target.skip);
  const discovery = await checkDiscovery(target, f);
  await checkHubHeaders(target, f);
  const hubFacts = await readHubFacts(target);

  let clients: RegistryClient[] = [];
  if (target.adminUrl && target.adminToken) {
    const adminUrl = target.adminUrl;
    await f.run('registry.read', adminUrl, 'The client registry can be read', REGISTRY_WHY, async () => {
      const res = await httpRequest(`${adminUrl}/admin/clients`, { headers: { authorization: `Bearer ${target.adminToken}`, accept: 'application/json' } });
      if (res.status === 401 || res.status === 403) throw new CheckCannotRun(`GET /admin/clients answered ${res.status}: the admin token was refused.`, 'Give an admin token the hub accepts (--token or SSOHUB_ADMIN_TOKEN).');
      if (res.status !== 200) throw new CheckCannotRun(`GET /admin/clients answered ${res.status}.`, 'Check --admin-url: it must be the hub’s admin listener.');
      clients = (JSON.parse(res.body) as { clients: RegistryClient[] }).clients;
      return { verdict: 'pass', detail: `${clients.length} client(s).`, urls: [`${adminUrl}/admin/clients`] };
    });
    checkClientRegistry(f, clients);
  } else {
    f.add('registry.read', target.hubUrl, 'The client registry can be read', 'inconclusive', 'Needs the admin API: the registry and every client.* check are read through it.', REGISTRY_WHY, [], {
      howToRun: 'Give --admin-url and --token (or SSOHUB_ADMIN_URL and SSOHUB_ADMIN_TOKEN).',
    });
  }

  try {
    if (!discovery) await checkHubCookies(target, f, undefined);
    if (discovery) {
      const probeClient = target.apps.map((a) => clientOfApp(a, clients)).find(Boolean) ?? clients.find((c) => c.redirect_uris.length > 0);
      await checkAuthorizationPolicy(target, f, discovery, probeClient);
      await checkOpenRedirects(target, f, discovery, probeClient);
      let probeTokens: ProbeTokens | undefined;
      try {
        probeTokens = await runSignInProbes(target, f, discovery);
      } catch (err) {
        const howToRun = err instanceof CheckCannotRun ? err.howToRun : 'Fix what the detail names and run the audit again.';
        for (const [id, title, why] of [
          ['hub.code.single-use', 'Authorization codes are single-use', 'A code that works twice can be redeemed by whoever saw it.'],
          ['hub.refresh.rotation', 'Refresh tokens rotate and reuse is refused', 'Without rotation, a stolen refresh token stays useful forever.'],
        ] as const) {
          if (!f.checks.some((c) => c.id === id)) f.add(id, target.hubUrl, title, 'inconclusive', `The sign-in probe could not complete: ${(err as Error).message}`, why, [], { howToRun });
        }
      }
      const hubHost = new URL(target.hubUrl).hostname;
      await checkHubCookies(target, f, probeTokens?.browser.hops.filter((h) => new URL(h.url).hostname === hubHost).flatMap((h) => h.setCookies));
      for (const app of target.apps) await checkApp(target, f, discovery, app, clientOfApp(app, clients), probeTokens);
      // Last: the global logout ends the test user's hub session, which the checks above rely on.
      await runLiveSessionChecks({ t: target, f, d: discovery, clients, probeTokens });
    }
  } finally {
    // The temporary client and the test account's sessions never outlive the audit.
    // Last registered first: the test account's sessions end while the audit client still exists.
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  }
  const context: RunContext = {
    hubVersion: hubFacts.version,
    hubMode: hubFacts.mode,
    auditMode: target.browser ? 'http+chromium' : 'http',
    adminApi: Boolean(target.adminUrl && target.adminToken),
    testUser: target.testUser !== undefined,
    options: run.options ?? {},
    failOn: run.failOn ?? 'low',
    notRun: notRun(f.checks),
    hubReachable: hubReachable(f.checks),
  };
  return {
    tool: 'ssohub audit isolation',
    hub: target.hubUrl,
    startedAt,
    finishedAt: new Date().toISOString(),
    context,
    checks: f.checks,
    summary: summarize(f.checks),
    failsBySeverity: failsBySeverity(f.checks),
  };
}

function notRun(checks: CheckResult[]): RunContext['notRun'] {
  return checks
    .filter((c): c is CheckResult & { verdict: 'inconclusive' | 'skipped' } => c.verdict === 'inconclusive' || c.verdict === 'skipped')
    .map((c) => ({ id: c.id, target: c.target, verdict: c.verdict, reason: c.howToRun ? `${c.detail} To run it: ${c.howToRun}` : c.detail }));
}

/** The hub counts as unreachable when its discovery document could not be fetched at all (a network error, not an HTTP answer). */
function hubReachable(checks: CheckResult[]): boolean {
  const discovery = checks.find((c) => c.id === 'hub.discovery.consistent');
  return !(discovery?.verdict === 'inconclusive' && discovery.evidence.length === 0);
}

/**
 * The hub's version and mode, as far as the hub says: its admin API's doctor report (`config.mode`,
 * and a `version` field where the hub publishes one). The public side publishes neither.
 */
async function readHubFacts(t: AuditTarget): Promise<{ version: string; mode: string }> {
  if (!t.adminUrl || !t.adminToken) return { version: 'unknown', mode: 'unknown' };
  try {
    const res = await httpRequest(`${t.adminUrl}/admin/doctor`, { headers: { authorization: `Bearer ${t.adminToken}`, accept: 'application/json' }, timeoutMs: 15_000 });
    if (res.status !== 200) return { version: 'unknown', mode: 'unknown' };
    const body = JSON.parse(res.body) as { version?: unknown; config?: { mode?: unknown; version?: unknown } };
    const version = body.version ?? body.config?.version;
    return { version: typeof version === 'string' ? version : 'unknown', mode: typeof body.config?.mode === 'string' ? body.config.mode : 'unknown' };
  } catch {
    return { version: 'unknown', mode: 'unknown' };
  }
}
