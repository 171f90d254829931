import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  authorizationRequest,
  FROM_SOURCE,
  freePort,
  HttpSession,
  type RunningKratos,
  type SmtpCapture,
  startKratos,
  startSmtpCapture,
  uniquePrefix,
  waitFor,
} from '@ssohub/testkit';
import { createUser, submitKratosLogin, walk } from '../support/bridge-kit.ts';

// One scrape of the admin listener's /metrics under packages/hub/src/cluster.ts speaks for every
// worker (metrics/cluster-metrics.ts): known traffic spread over two workers is counted exactly.
const CLUSTER = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'packages/hub/src/cluster.ts');
const ADMIN_TOKEN = 'metrics-test-admin-token-0123456789';
const APP = 'https://metrics-app.test';

/** The value of one sample (`name{labels} value`) with exactly `labels`, in any order. */
function sample(text: string, name: string, labels: string): number | undefined {
  const wanted = labels.split(',').sort().join(',');
  for (const line of text.split('\n')) {
    const match = /^([^{ ]+)\{(.*)\} (\S+)$/.exec(line);
    if (match?.[1] === name && match[2]!.split(',').sort().join(',') === wanted) return Number(match[3]);
  }
  return undefined;
}

describe('metrics of a two-worker cluster', () => {
  let smtp: SmtpCapture;
  let kratos: RunningKratos;
  let child: ChildProcess;
  let exited: Promise<unknown>;
  let url: string;
  let adminUrl: string;
  let out = '';
  beforeAll(async () => {
    const port = await freePort();
    const adminPort = await freePort();
    url = `http://127.0.0.1:${port}`;
    adminUrl = `http://127.0.0.1:${adminPort}`;
    smtp = await startSmtpCapture();
    kratos = await startKratos({ hubUrl: url, smtpPort: smtp.port, dev: true });
    child = spawn(process.execPath, ['--import', FROM_SOURCE, CLUSTER], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SSOHUB_WORKERS: '2',
        SSOHUB_MODE: 'development',
        SSOHUB_PUBLIC_URL: url,
        SSOHUB_LISTEN_HOST: '127.0.0.1',
        SSOHUB_LISTEN_PORT: String(port),
        SSOHUB_ADMIN_PORT: String(adminPort),
        SSOHUB_ADMIN_TOKEN: ADMIN_TOKEN,
        SSOHUB_KRATOS_PUBLIC_URL: kratos.publicUrl,
        SSOHUB_KRATOS_ADMIN_URL: kratos.adminUrl,
        SSOHUB_REDIS_URL: inject('redisUrl'),
        SSOHUB_REDIS_PREFIX: uniquePrefix('metrics'),
        SSOHUB_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    exited = new Promise((r) => child.once('exit', r));
    // Both workers built (each counts itself in ssohub_processes) and the admin listener up.
    await waitFor('both workers in one scrape', async () => {
      if (child.exitCode !== null) throw new Error(`the hub exited (${child.exitCode}):\n${out}`);
      const res = await fetch(`${adminUrl}/metrics`).catch(() => undefined);
      return res?.status === 200 && sample(await res.text(), 'ssohub_processes', 'service="ssohub-hub"') === 2 ? true : undefined;
    });
    await waitFor('the public listener', async () => ((await fetch(`${url}/health/alive`).catch(() => undefined))?.status === 200 ? true : undefined));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await kratos?.stop();
    await smtp?.stop();
  });

  it('counts every request of known traffic, whichever worker served it', async () => {
    const ALIVE = 7;
    const TOKEN = 5;
    const DISCOVERY = 6;
    const READY = 3;
    // A new connection per request: the primary hands connections to the workers in turn.
    const close = { connection: 'close' };
    // /health/alive was asked once above, before the scrape below: counted too.
    for (let i = 0; i < ALIVE - 1; i++) expect((await fetch(`${url}/health/alive`, { headers: close })).status).toBe(200);
    for (let i = 0; i < READY; i++) expect((await fetch(`${url}/health/ready`, { headers: close })).status).toBe(200);
    for (let i = 0; i < DISCOVERY; i++) expect((await fetch(`${url}/oidc/.well-known/openid-configuration`, { headers: close })).status).toBe(200);
    for (let i = 0; i < TOKEN; i++) {
      const res = await fetch(`${url}/oidc/token`, {
        method: 'POST',
        headers: { ...close, 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('no-such-client:wrong').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://rp.test/cb' }),
      });
      expect(res.status).toBe(401);
    }
    const text = await (await fetch(`${adminUrl}/metrics`)).text();
    const count = (labels: string) => sample(text, 'ssohub_http_request_duration_seconds_count', `service="ssohub-hub",${labels}`);
    expect(sample(text, 'ssohub_processes', 'service="ssohub-hub"')).toBe(2);
    expect(count('route="/health/alive",method="GET",status_class="2xx"')).toBe(ALIVE);
    expect(count('route="/health/ready",method="GET",status_class="2xx"')).toBe(READY);
    expect(count('route="provider:discovery",method="GET",status_class="2xx"')).toBe(DISCOVERY);
    expect(count('route="provider:token",method="POST",status_class="4xx"')).toBe(TOKEN);
    expect(sample(text, 'ssohub_oidc_token_failures_total', 'service="ssohub-hub",grant_type="authorization_code",error="invalid_client"')).toBe(TOKEN);
    // The histogram's +Inf bucket holds every observation too.
    expect(sample(text, 'ssohub_http_request_duration_seconds_bucket', 'le="+Inf",service="ssohub-hub",route="/health/alive",method="GET",status_class="2xx"')).toBe(ALIVE);
    // Calls the hub made to Kratos (the readiness probes) and Redis (the token guard, audit) are timed.
    expect(text).toMatch(/^ssohub_kratos_request_duration_seconds_count\{[^}]*outcome="2xx"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^ssohub_store_command_duration_seconds_count\{[^}]*outcome="ok"[^}]*\} [1-9]/m);
    // No raw URL reached a label.
    expect(text).not.toContain('openid-configuration');
  });

  it('counts the provider sessions of known sign-ins exactly (one shared store: not per worker), and each sign-in once', async () => {
    const created = await fetch(`${adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', 'x-ssohub-actor': 'metrics-test' },
      body: JSON.stringify({ client_id: 'metrics-app', redirect_uris: [`${APP}/callback`], token_endpoint_auth_method: 'none', ssohub_first_party: true }),
    });
    expect(created.status, await created.text()).toBe(201);
    const scrape = async () => {
      const text = await (await fetch(`${adminUrl}/metrics`)).text();
      const signIns = (outcome: string) => sample(text, 'ssohub_sign_ins_total', `service="ssohub-hub",method="password",outcome="${outcome}"`) ?? 0;
      return { sessions: sample(text, 'ssohub_oidc_sessions', 'service="ssohub-hub"'), succeeded: signIns('success'), failed: signIns('failure') };
    };
    expect(await scrape()).toEqual({ sessions: 0, succeeded: 0, failed: 0 });
    const SIGN_INS = 3;
    const browsers: HttpSession[] = [];
    for (let i = 0; i < SIGN_INS; i++) {
      const browser = new HttpSession();
      const user = await createUser(kratos.adminUrl, `metrics-${i}`);
      const { url: start } = authorizationRequest({ issuer: `${url}/oidc`, clientId: 'metrics-app', redirectUri: `${APP}/callback`, scope: 'openid email' });
      const login = await walk(browser, start, [APP]);
      if (login.kind !== 'login') throw new Error(`expected the login page, got ${login.kind}`);
      if (i === 0) {
        // One wrong password first: a failed sign-in, and no session.
        await expect(submitKratosLogin(browser, url, login.flowId, { email: user.email, password: 'wrong-password-0' })).rejects.toThrow(/did not succeed/);
      }
      const end = await walk(browser, await submitKratosLogin(browser, url, login.flowId, user), [APP]);
      expect(end.kind).toBe('callback');
      browsers.push(browser);
    }
    expect(await scrape()).toEqual({ sessions: SIGN_INS, succeeded: SIGN_INS, failed: 1 });
    // Signing out at the hub ends that browser's provider session.
    const out = await browsers[0]!.request(`${url}/self-service/logout/browser`, { headers: { accept: 'application/json' } });
    expect(out.status, out.body).toBe(200);
    const logoutUrl = (JSON.parse(out.body) as { logout_url: string }).logout_url;
    expect((await browsers[0]!.request(logoutUrl, { follow: false })).status).toBe(303);
    expect((await scrape()).sessions).toBe(SIGN_INS - 1);
  });
});
