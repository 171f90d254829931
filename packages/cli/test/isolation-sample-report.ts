import { Findings } from '../src/isolation/audit-context.ts';
import type { IsolationReport } from '../src/isolation/report.ts';
import { failsBySeverity, summarize } from '../src/isolation/report.ts';

/**
 * A report as the audit makes it (through Findings): a pass, failures of several severities, an
 * inconclusive check, a skipped one and a check on a logical target without URL.
 */
export function sampleReport(): IsolationReport {
  const f = new Findings();
  f.add('hub.pkce.required', 'http://login.localhost:4000 (client app-a)', 'A request without PKCE is refused', 'pass', 'Refused.', 'PKCE binds the code.', [{ request: 'GET http://login.localhost:4000/oidc/auth?code_challenge=[redacted]', answer: '303' }], { urls: ['http://login.localhost:4000/oidc/auth?client_id=app-a&state=s3cr3t'] });
  f.add('hub.redirect-uri.exact', 'http://login.localhost:4000 (client app-a)', 'Redirect URIs match exactly', 'fail', 'Accepted: added path', 'Loose matching leaks codes.', [], { urls: ['http://login.localhost:4000/oidc/auth'] });
  f.add('client.auth-method', 'client shop', 'Token endpoint authentication is strong enough', 'fail', 'client_secret_post', 'Weaker auth.', [], { severity: 'low' });
  f.add('client.auth-method', 'client spa', 'Token endpoint authentication is strong enough', 'fail', 'Public client', 'Weaker auth.', [], { severity: 'info' });
  f.add('hub.code.single-use', 'http://login.localhost:4000', 'Authorization codes are single-use', 'inconclusive', 'Needs a test user.', 'A code that works twice.', [], { howToRun: 'Give --test-user.' });
  f.add('hub.headers.hsts', 'http://login.localhost:4000', 'Login pages send HSTS (on https)', 'skipped', 'Served over http.', 'Downgrade.', [], { urls: ['http://login.localhost:4000/login'] });
  return {
    tool: 'ssohub audit isolation',
    hub: 'http://login.localhost:4000',
    startedAt: '2026-12-05T21:00:00.000Z',
    finishedAt: '2026-12-05T21:00:05.000Z',
    context: {
      hubVersion: 'unknown',
      hubMode: 'development',
      auditMode: 'http',
      adminApi: true,
      testUser: false,
      options: { '--hub': 'http://login.localhost:4000', '--token': '[redacted]' },
      failOn: 'low',
      notRun: [],
      hubReachable: true,
    },
    checks: f.checks,
    summary: summarize(f.checks),
    failsBySeverity: failsBySeverity(f.checks),
  };
}
