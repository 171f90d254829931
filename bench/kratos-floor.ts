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
import { Agent, request } from 'node:http';
import { startKratos, startSmtpCapture } from '@ssohub/testkit';
import { describeSpeed, measureMachineSpeed } from './machine-speed.ts';
import { childrenOf, cpuSeconds } from './procfs.ts';

const ROW_MS = Number(process.env.BENCH_ROW_S ?? 10) * 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function call(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

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

/** Signs in through a browser flow (JSON) and returns the Cookie header a browser would then send. */
async function browserSessionCookie(publicUrl: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const init = await fetch(`${publicUrl}/self-service/login/browser`, { headers: { accept: 'application/json' } });
  keep(init);
  const flow = (await init.json()) as { id: string; ui: { nodes: { attributes: { name?: string; value?: unknown } }[] } };
  const csrf = flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token')?.attributes.value;
  const res = await fetch(`${publicUrl}/self-service/login?flow=${flow.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', cookie: header() },
    body: JSON.stringify({ method: 'password', identifier: email, password, csrf_token: csrf }),
  });
  keep(res);
  if (!res.ok || !jar.has('ory_kratos_session')) throw new Error(`browser sign-in: ${res.status} ${await res.text()}`);
  return header();
}

await main();
