import { type AuditTarget, Findings, type RegistryClient } from './audit-context.ts';
import { checkApp, clientOfApp } from './checks/app-probes.ts';
import { checkClientRegistry } from './checks/client-registry.ts';
import { checkAuthorizationPolicy, checkOpenRedirects } from './checks/hub-authorization.ts';
import { checkDiscovery, checkHubCookies, checkHubHeaders } from './checks/hub-transport.ts';
import { cleanups, runSignInProbes, type ProbeTokens } from './checks/signin-probes.ts';
import { type IsolationReport, summarize } from './report.ts';

/**
 * Runs the session-isolation audit against a live deployment from the outside: the hub, its
 * client registry (through the admin API) and each client app given by URL. Never throws for a
 * finding; every problem is a check result with evidence.
 */
export async function runIsolationAudit(target: AuditTarget): Promise<IsolationReport> {
  const startedAt = new Date().toISOString();
  const f = new Findings(target.onCheck);
  const discovery = await checkDiscovery(target, f);
  await checkHubHeaders(target, f);

  let clients: RegistryClient[] = [];
  if (target.adminUrl && target.adminToken) {
    await f.run('registry.read', target.adminUrl, 'The client registry can be read', 'The registry is the list of apps that can receive codes and tokens.', async () => {
      const res = await fetch(`${target.adminUrl}/admin/clients`, { headers: { authorization: `Bearer ${target.adminToken}`, accept: 'application/json' } });
      if (!res.ok) return { verdict: 'fail', detail: `GET /admin/clients answered ${res.status}.` };
      clients = ((await res.json()) as { clients: RegistryClient[] }).clients;
      return { verdict: 'pass', detail: `${clients.length} client(s).` };
    });
    checkClientRegistry(f, clients);
  } else {
    f.add('registry.read', target.hubUrl, 'The client registry can be read', 'skip', 'needs --admin-url and --token', 'The registry is the list of apps that can receive codes and tokens.');
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
        f.add('hub.code.single-use', target.hubUrl, 'Authorization codes are single-use', 'fail', `The sign-in probe failed: ${(err as Error).message}`, 'A code that works twice can be redeemed by whoever saw it.');
      }
      const hubHost = new URL(target.hubUrl).hostname;
      await checkHubCookies(target, f, probeTokens?.browser.hops.filter((h) => new URL(h.url).hostname === hubHost).flatMap((h) => h.setCookies));
      for (const app of target.apps) await checkApp(target, f, discovery, app, clientOfApp(app, clients), probeTokens);
    }
  } finally {
    // The temporary client and the test account's sessions never outlive the audit.
    for (const c of cleanups.splice(0)) await c().catch(() => undefined);
  }
  return { tool: 'ssohub audit isolation', hub: target.hubUrl, startedAt, finishedAt: new Date().toISOString(), checks: f.checks, summary: summarize(f.checks) };
}
