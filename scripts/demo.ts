/**
 * `npm run demo`: the hub, Kratos and two demo apps on unrelated host names, with embedded
 * defaults and nothing else to install or run:
 *   - Kratos v1.3.1 (built once from its Go module) on a SQLite file under .cache/demo/
 *   - the hub on its memory store (it warns loudly: sessions are lost on restart)
 *   - mail captured in-process; sign-in codes are printed here
 *   - App A and Shop B, each on @ssohub/client with its own memory session store
 * Browsers resolve *.localhost to loopback and treat it as a secure context, so no hosts file,
 * certificate or root is needed. Ctrl-C stops everything.
 *
 * The admin API listens on 127.0.0.1 only, with a token generated at each start and printed once
 * (never written to disk), so `ssohub sessions`, `lockouts`, `audit tail` and the isolation audit
 * work against the demo. A dedicated audit account (verified address, random password printed
 * with the token) is made at each start for `ssohub audit isolation --test-user`.
 *
 * Ports: DEMO_HUB_PORT (4000), DEMO_APP_A_PORT (4001), DEMO_SHOP_B_PORT (4002), DEMO_ADMIN_PORT
 * (4003). DEMO_LOG=info shows the hub's JSON logs.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MemorySessionStore } from '@ssohub/client';
import { createDemoApp, demoClientRegistration } from '@ssohub/demo-app';
import { buildApp, checkConfig, createLogger } from '@ssohub/hub';
import { mapTestHostsToLoopback, REPO_ROOT, SetupError, startKratos, startSmtpCapture } from '@ssohub/testkit';

const port = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    console.error(`demo: ${name}=${raw} is not a port number`);
    process.exit(2);
  }
  return value;
};
const ports = { hub: port('DEMO_HUB_PORT', 4000), appA: port('DEMO_APP_A_PORT', 4001), shopB: port('DEMO_SHOP_B_PORT', 4002), admin: port('DEMO_ADMIN_PORT', 4003) };
const hubUrl = `http://login.localhost:${ports.hub}`;
const adminUrl = `http://127.0.0.1:${ports.admin}`;
// A fresh secret per run: the admin API can end every session, so its token is never a constant
// in the repository nor left in a file; whoever started the demo reads it once in this terminal.
const adminToken = randomBytes(24).toString('base64url');
const auditUser = { email: 'isolation-audit@demo.localhost', password: `Audit-${randomBytes(12).toString('base64url')}` };
const apps = [
  { id: 'app-a', name: 'App A', url: `http://app-a.localhost:${ports.appA}`, port: ports.appA, accent: '#0b69a3', secret: 'demo-app-a-secret-0123456789abcdefghij' },
  { id: 'shop-b', name: 'Shop B', url: `http://shop-b.localhost:${ports.shopB}`, port: ports.shopB, accent: '#7a3db8', secret: 'demo-shop-b-secret-0123456789abcdefghi' },
] as const;

// The hub resolves the apps' back-channel URIs (http://app-a.localhost) the way browsers do.
mapTestHostsToLoopback();

const stops: (() => Promise<unknown>)[] = [];
async function stopAll() {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}

try {
  const smtp = await startSmtpCapture();
  stops.push(() => smtp.stop());
  let printed = 0;
  const mailTimer = setInterval(() => {
    for (const mail of smtp.messages.slice(printed)) {
      const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
      console.log(`\n  mail to ${mail.to.join(', ')}: "${mail.subject}"${code ? `  code: ${code}` : ''}\n`);
    }
    printed = smtp.messages.length;
  }, 300);
  stops.push(async () => clearInterval(mailTimer));

  const dataDir = join(REPO_ROOT, '.cache/demo');
  await mkdir(dataDir, { recursive: true });
  console.log('demo: starting Kratos (the first run builds it from its Go module, a few minutes)...');
  const kratos = await startKratos({
    hubUrl,
    smtpPort: smtp.port,
    allowedReturnUrls: apps.map((a) => `${a.url}/`),
    database: { kind: 'sqlite', file: join(dataDir, 'kratos.sqlite') },
  });
  stops.push(() => kratos.stop());

  const log = createLogger((process.env.DEMO_LOG as 'info' | undefined) ?? 'warn');
  const hub = await buildApp(
    checkConfig({
      mode: 'development',
      publicUrl: hubUrl,
      listen: { host: '127.0.0.1', port: ports.hub },
      admin: { host: '127.0.0.1', port: ports.admin, token: adminToken },
      kratos: { publicUrl: kratos.publicUrl, adminUrl: kratos.adminUrl, configFiles: kratos.configFiles },
      store: { kind: 'memory' },
      allowedReturnOrigins: apps.map((a) => a.url),
      logLevel: 'warn',
      bridge: {
        // As in the end-to-end deployment: Shop B takes ES256 ID tokens, App A the RS256 default.
        clients: apps.map((a) => demoClientRegistration({ clientId: a.id, name: a.name, url: a.url, secret: a.secret, idTokenAlg: a.id === 'shop-b' ? 'ES256' : undefined })),
      },
    }),
    { log },
  );
  stops.push(() => hub.close());
  await hub.app.listen({ host: '127.0.0.1', port: ports.hub });
  await hub.admin.listen({ host: '127.0.0.1', port: ports.admin });
  await resetAuditUser(kratos.adminUrl);

  for (const [i, a] of apps.entries()) {
    const other = apps[1 - i]!;
    const app = await createDemoApp({
      name: a.name,
      publicUrl: a.url,
      issuer: `${hubUrl}/oidc`,
      clientId: a.id,
      clientSecret: a.secret,
      otherAppUrl: other.url,
      otherAppName: other.name,
      accent: a.accent,
      store: new MemorySessionStore({ clientId: a.id }),
      cookieSecrets: [`demo-${a.id}-cookie-secret-0123456789abcdef`],
      allowVolatileStore: true,
    });
    stops.push(() => app.close());
    await app.listen({ host: '127.0.0.1', port: a.port });
  }

  console.log(`
SSO Hub demo is running (embedded defaults: Kratos on SQLite ${join(dataDir, 'kratos.sqlite')},
hub on its memory store, mail captured here). Open in a browser on this machine:

  App A          ${apps[0].url}
  Shop B         ${apps[1].url}
  Login domain   ${hubUrl}

Sign up from App A (choose "Email me a code": the code is printed here), then open Shop B:
you are signed in without a page. "Log out everywhere" ends both apps' sessions.

The admin API (this machine only) and an account for the isolation audit, new at each start;
the token and password are shown only here. In another terminal:

  export SSOHUB_ADMIN_URL=${adminUrl}
  export SSOHUB_ADMIN_TOKEN=${adminToken}
  export SSOHUB_AUDIT_TEST_USER='${auditUser.email}:${auditUser.password}'
  npm run ssohub -- lockouts list
  npm run ssohub -- audit tail
  npm run ssohub -- audit isolation --hub ${hubUrl} \\
    --app ${apps[0].url},api=/api/me --app ${apps[1].url},api=/api/me

The web console is on the same listener: open ${adminUrl}/console and sign in with your name
and the token above.

Press Ctrl-C to stop.
`);
} catch (err) {
  await stopAll();
  if (err instanceof SetupError) console.error(`demo: ${err.message}`);
  else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`demo: a port is already in use (${(err as Error).message}). Stop the other program or set DEMO_HUB_PORT / DEMO_APP_A_PORT / DEMO_SHOP_B_PORT.`);
  } else console.error(`demo: failed to start: ${(err as Error).stack ?? err}`);
  process.exit(1);
}

/**
 * Makes the isolation audit's test account anew (a previous run's is deleted first, since the
 * Kratos database is kept between runs): password sign-in, verified address, no second factor.
 */
async function resetAuditUser(kratosAdminUrl: string): Promise<void> {
  const found = await fetch(`${kratosAdminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(auditUser.email)}`);
  for (const identity of (await found.json()) as { id: string }[]) {
    await fetch(`${kratosAdminUrl}/admin/identities/${identity.id}`, { method: 'DELETE' });
  }
  const res = await fetch(`${kratosAdminUrl}/admin/identities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      schema_id: 'person',
      traits: { email: auditUser.email, name: 'Isolation audit' },
      credentials: { password: { config: { password: auditUser.password } } },
      verifiable_addresses: [{ value: auditUser.email, via: 'email', verified: true, status: 'completed' }],
    }),
  });
  if (res.status !== 201) throw new Error(`could not create the audit account in Kratos (${res.status}): ${(await res.text()).slice(0, 200)}`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\ndemo: stopping...');
    void stopAll().then(() => process.exit(0));
  });
}
