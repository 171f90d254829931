import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  HttpSession,
  type RunningKratos,
  type SmtpCapture,
  startKratos,
  startSmtpCapture,
  type TestDatabase,
} from '@ssohub/testkit';

interface UiNode {
  attributes: { name?: string; value?: unknown; type?: string };
}

const exec = promisify(execFile);

function csrfOf(flow: { ui: { nodes: UiNode[] } }): string {
  const node = flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token');
  if (typeof node?.attributes.value !== 'string') throw new Error('flow has no csrf_token node');
  return node.attributes.value;
}

/** Drives a Kratos registration browser flow over plain HTTP, as a browser on Kratos' own origin. */
async function registerWithPassword(kratos: RunningKratos, email: string) {
  const browser = new HttpSession();
  // The browser endpoint sets the CSRF cookie and redirects to the UI URL with ?flow=<id>.
  const init = await browser.request(`${kratos.publicUrl}/self-service/registration/browser`, { follow: false });
  expect(init.status).toBe(303);
  const flowId = new URL(init.headers.get('location')!).searchParams.get('flow');
  expect(flowId).toMatch(/^[0-9a-f-]{36}$/);
  expect(browser.jar.all().some((c) => c.name.startsWith('csrf_token_') && c.httpOnly)).toBe(true);

  const flowRes = await browser.request(`${kratos.publicUrl}/self-service/registration/flows?id=${flowId}`, {
    headers: { accept: 'application/json' },
  });
  expect(flowRes.status).toBe(200);
  const flow = JSON.parse(flowRes.body);
  const submit = await browser.request(`${kratos.publicUrl}/self-service/registration?flow=${flowId}`, {
    form: { csrf_token: csrfOf(flow), method: 'password', 'traits.email': email, 'traits.name': 'Ada Lovelace', password: 'correct-horse-battery-9' },
    follow: false,
  });
  expect(submit.status).toBe(303);
  expect(submit.headers.getSetCookie().some((c) => c.startsWith('ory_kratos_session='))).toBe(true);

  const whoami = await browser.request(`${kratos.publicUrl}/sessions/whoami`, { headers: { accept: 'application/json' } });
  expect(whoami.status).toBe(200);
  return JSON.parse(whoami.body);
}

describe('Kratos on SQLite (built from its Go module)', () => {
  let smtp: SmtpCapture;
  let kratos: RunningKratos;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    // --dev drops the Secure flag from Kratos' cookies: this suite talks to Kratos over plain http.
    kratos = await startKratos({ smtpPort: smtp.port, database: { kind: 'sqlite' }, dev: true });
  });
  afterAll(async () => {
    await kratos?.stop();
    await smtp?.stop();
  });

  it('reports the pinned version and a ready, migrated database', async () => {
    const version = await (await fetch(`${kratos.adminUrl}/admin/version`)).json();
    expect(version).toEqual({ version: 'v1.3.1' });
    const ready = await fetch(`${kratos.adminUrl}/admin/health/ready`);
    expect(ready.status).toBe(200);
    expect(kratos.dsn).toMatch(/^sqlite:\/\/.+kratos\.sqlite/);
  });

  it('registers through the password browser flow and returns the session from whoami', async () => {
    const email = `ada.${Date.now()}@example.test`;
    const session = await registerWithPassword(kratos, email);
    expect(session.active).toBe(true);
    expect(session.identity.traits).toEqual({ email, name: 'Ada Lovelace' });
    expect(session.authentication_methods.map((m: { method: string }) => m.method)).toEqual(['password']);
  });

  it('sends a real verification code over SMTP after registration', async () => {
    const email = `verify.${Date.now()}@example.test`;
    const since = Date.now();
    const session = await registerWithPassword(kratos, email);
    const code = await smtp.latestCode(email, { since });
    expect(code).toMatch(/^\d{6}$/);
    const mail = smtp.messages.filter((m) => m.to.includes(email)).at(-1)!;
    expect(mail.subject.toLowerCase()).toContain('verify');
    expect(session.identity.verifiable_addresses[0]).toMatchObject({ value: email, verified: false, status: 'sent' });
  });
});

describe('Kratos on PostgreSQL', () => {
  let smtp: SmtpCapture;
  let kratos: RunningKratos;
  let db: TestDatabase;
  beforeAll(async () => {
    smtp = await startSmtpCapture();
    db = await createTestDatabase();
    kratos = await startKratos({ smtpPort: smtp.port, database: { kind: 'postgres', dsn: db.dsn }, dev: true });
  });
  afterAll(async () => {
    await kratos?.stop();
    await db?.drop();
    await smtp?.stop();
  });

  it('registers through the password browser flow with identities stored in PostgreSQL', async () => {
    const email = `pg.${Date.now()}@example.test`;
    const session = await registerWithPassword(kratos, email);
    expect(session.identity.traits.email).toBe(email);
    const identities = await (await fetch(`${kratos.adminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(email)}`)).json();
    expect(identities).toHaveLength(1);
    expect(kratos.dsn).toMatch(/^postgres:\/\//);
  });

  // Why the hub confirms a "no session" from whoami before ending anything
  // (packages/hub/src/bridge/sessions/kratos-bound-sessions.ts, isBoundToBrowser).
  it('answers whoami 401 while its database connections are being terminated, and the admin API 500, never 404', async () => {
    const email = `pg.kill.${Date.now()}@example.test`;
    const password = `pg-Kill-${Date.now()}-password`;
    const created = await fetch(`${kratos.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'person', traits: { email }, credentials: { password: { config: { password } } } }),
    });
    expect(created.status).toBe(201);
    const flow = (await (await fetch(`${kratos.publicUrl}/self-service/login/api`)).json()) as { ui: { action: string } };
    const login = (await (await fetch(flow.ui.action, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: 'password', identifier: email, password }) })).json()) as { session: { id: string }; session_token: string };
    const whoami = () => fetch(`${kratos.publicUrl}/sessions/whoami`, { headers: { 'x-session-token': login.session_token } });
    const admin = () => fetch(`${kratos.adminUrl}/admin/sessions/${login.session.id}?expand=identity`);

    const seen: Record<string, number> = {};
    const until = Date.now() + 8_000;
    const done = () => Date.now() > until || ((seen['whoami 401'] ?? 0) > 0 && (seen['admin 500'] ?? 0) > 0);
    const terminating = (async () => {
      while (!done()) {
        await exec('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres', '-tAc', `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${db.name}'`]);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        while (!done()) {
          const [name, res] = i % 2 ? ['admin', await admin()] : ['whoami', await whoami()];
          await res.arrayBuffer();
          seen[`${name} ${res.status}`] = (seen[`${name} ${res.status}`] ?? 0) + 1;
        }
      }),
    );
    await terminating;
    console.info(`answers while PostgreSQL connections were terminated: ${JSON.stringify(seen)}`);
    expect(seen['whoami 401']).toBeGreaterThan(0);
    expect(seen['admin 500']).toBeGreaterThan(0);
    expect(seen['admin 404']).toBeUndefined();
    // Nothing was signed out: the 401s were database failures.
    expect((await whoami()).status).toBe(200);
  });
});
