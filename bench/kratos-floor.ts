/**
 * @file `npm run bench:kratos`: what Kratos alone costs for the checks the hub makes, with no hub
 * in the way. It starts Kratos (SQLite, as `npm run bench` does by default), signs one
 * identity in through an API flow (a benchmark of Kratos, not of a browser path), then drives each
 * call from this process at a closed-loop concurrency and prints Kratos CPU per call and the rate.
 * 2,000 ms of CPU per second on two cores divided by Kratos' ms per call is the most of that call
 * two cores can serve, whatever else runs: the floor under the SSO hop and refresh targets.
 *
 *   BENCH_ROW_S        seconds per call (default 10)
 *   BENCH_CONCURRENCY  requests in flight (default 32)
 */
import { startKratos, startSmtpCapture } from '@ssohub/testkit';
import { agent, browse, Jar, request } from './http.ts';
import { describeSpeed, measureMachineSpeed } from './machine-speed.ts';
import { childrenOf, cpuSeconds } from './procfs.ts';

const ROW_MS = Number(process.env.BENCH_ROW_S ?? 10) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

const call = async (url: string, headers: Record<string, string>) => (await request(new URL(url), { headers })).status;

async function main() {
  const smtp = await startSmtpCapture();
  const kratos = await startKratos({ smtpPort: smtp.port, dev: true, overrides: { log: { level: 'warning' } } });
  try {
    const email = 'floor@bench.test';
    const password = 'floor-bench-password-1';
    const created = await fetch(`${kratos.adminUrl}/admin/identities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ schema_id: 'person', traits: { email }, credentials: { password: { config: { password } } } }),
    });
    if (!created.ok) throw new Error(`creating the identity: ${created.status} ${await created.text()}`);
    const flow = (await (await fetch(`${kratos.publicUrl}/self-service/login/api`)).json()) as { id: string };
    const login = await fetch(`${kratos.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'password', identifier: email, password }),
    });
    if (!login.ok) throw new Error(`signing in: ${login.status} ${await login.text()}`);
    const { session_token: token, session } = (await login.json()) as { session_token: string; session: { id: string } };

    const cookie = await browserSessionCookie(kratos.publicUrl, email, password);

    const kratosPid = childrenOf(process.pid, 'kratos')[0];
    if (!kratosPid) throw new Error('cannot find the Kratos process');
    const calls: [string, string, Record<string, string>][] = [
      ['whoami with the browser cookies, as the hub asks at /auth', `${kratos.publicUrl}/sessions/whoami`, { cookie }],
      ['whoami with a session token', `${kratos.publicUrl}/sessions/whoami`, { 'x-session-token': token }],
      ['admin session lookup, identity expanded', `${kratos.adminUrl}/admin/sessions/${session.id}?expand=Identity`, {}],
      ['admin session lookup, nothing expanded', `${kratos.adminUrl}/admin/sessions/${session.id}`, {}],
      ['health (HTTP and router only)', `${kratos.publicUrl}/health/alive`, {}],
    ];
    console.log(`machine speed: ${describeSpeed(measureMachineSpeed())}`);
    console.log(`Kratos alone, SQLite, ${CONCURRENCY} requests in flight, ${ROW_MS / 1000} s per call, driver in this process`);
    console.log('| Kratos call | calls/s | Kratos CPU ms / call | driver CPU ms / call | two-core ceiling for Kratos alone /s |');
    console.log('|---|---:|---:|---:|---:|');
    for (const [name, url, headers] of calls) {
      for (let i = 0; i < 200; i++) await call(url, headers); // warm connections and caches
      const k0 = cpuSeconds(kratosPid);
      const d0 = process.cpuUsage();
      const t0 = performance.now();
      let done = 0;
      let bad = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() - t0 < ROW_MS) {
            const status = await call(url, headers);
            if (status !== 200) bad++;
            done++;
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const kratosMs = ((cpuSeconds(kratosPid) - k0) * 1000) / done;
      const d = process.cpuUsage(d0);
      const driverMs = (d.user + d.system) / 1000 / done;
      if (bad) throw new Error(`${name}: ${bad} of ${done} calls did not answer 200`);
      console.log(`| ${name} | ${(done / seconds).toFixed(0)} | ${kratosMs.toFixed(2)} | ${driverMs.toFixed(2)} | ${(2000 / kratosMs).toFixed(0)} |`);
    }
  } finally {
    agent.destroy();
    await kratos.stop();
    await smtp.stop();
  }
}

/** Signs in through a browser flow, as bench/load-driver.ts does, and returns the Cookie header a browser then sends. */
async function browserSessionCookie(publicUrl: string, email: string, password: string): Promise<string> {
  const jar = new Jar();
  const start = await browse(jar, new URL(`${publicUrl}/self-service/login/browser`));
  const flowId = start.headers.location ? new URL(start.headers.location, publicUrl).searchParams.get('flow') : null;
  if (start.status !== 303 || !flowId) throw new Error(`login/browser: ${start.status}`);
  const flowRes = await browse(jar, new URL(`${publicUrl}/self-service/login/flows?id=${flowId}`), { accept: 'application/json' });
  const flow = JSON.parse(flowRes.body) as { ui: { nodes: { attributes: { name?: string; value?: unknown } }[] } };
  const csrf = String(flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token')?.attributes.value ?? '');
  const res = await browse(jar, new URL(`${publicUrl}/self-service/login?flow=${flowId}`), {
    form: { csrf_token: csrf, identifier: email, password, method: 'password' },
  });
  if (res.status !== 303 || !jar.cookies.has('ory_kratos_session')) throw new Error(`browser sign-in: ${res.status} ${res.body.slice(0, 200)}`);
  return jar.header();
}

await main();
