import { HttpSession } from '@ssohub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, submitKratosLogin, walk } from '../support/bridge-kit.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';

// The real stack (hub on Redis, Kratos on SQLite) with Kratos stopped after a user signed in:
// every page the browser can land on answers the hub's 503 page, fast, with Retry-After and the
// request id, and each failure is one error line in the hub's log.

const APP = 'https://app-a.test';
const SECRET = 'app-a-secret-0123456789abcdefghijklmnop';

type LogLine = { level: number; reqId?: string; msg: string; err?: { type?: string; stack?: string } };

describe('the error path with Kratos stopped', () => {
  let stack: HubStack;
  const lines: LogLine[] = [];
  const browser = new HttpSession();
  const signingIn = new HttpSession();
  let pendingInteraction: URL;
  let pendingFlowId: string;

  const authUrl = () => {
    const query = new URLSearchParams({
      client_id: 'app-a',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: `${APP}/callback`,
      state: `state-${Math.random().toString(36).slice(2)}`,
      nonce: `nonce-${Math.random().toString(36).slice(2)}`,
      code_challenge: 'E'.repeat(43),
      code_challenge_method: 'S256',
    });
    return `${stack.hubUrl}/oidc/auth?${query}`;
  };

  beforeAll(async () => {
    stack = await startHubStack({
      allowedReturnOrigins: [APP],
      log: { level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } },
      config: {
        bridge: {
          clients: [
            { client_id: 'app-a', client_secret: SECRET, redirect_uris: [`${APP}/callback`], token_endpoint_auth_method: 'client_secret_basic', ssohub_first_party: true },
          ],
        },
      },
    });
    // Signed in at the hub (a provider session bound to a Kratos session), as before an outage.
    const user = await createUser(stack.kratos.adminUrl, 'outage');
    const first = await walk(browser, authUrl(), [APP]);
    if (first.kind !== 'login') throw new Error(`expected the Kratos login page, got ${first.kind}`);
    const back = await submitKratosLogin(browser, stack.hubUrl, first.flowId, user);
    expect((await walk(browser, back, [APP])).kind).toBe('callback');
    // Another browser's sign-in under way when Kratos stops: its interaction and login flow.
    const pending = await walk(signingIn, authUrl(), [APP]);
    if (pending.kind !== 'login') throw new Error(`expected the Kratos login page, got ${pending.kind}`);
    pendingInteraction = pending.chain.find((u) => u.pathname.startsWith('/interaction/'))!;
    pendingFlowId = pending.flowId;
    expect(pendingInteraction).toBeDefined();
    await stack.kratos.stop();
  });
  afterAll(async () => stack?.stop());

  async function expectOutagePage(url: string | URL, session = browser) {
    const started = performance.now();
    const res = await session.request(url, { headers: { accept: 'text/html' } });
    const elapsed = performance.now() - started;
    expect(res.status, `${String(url)}: ${res.body.slice(0, 200)}`).toBe(503);
    expect(elapsed).toBeLessThan(2_000);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.body).toContain('The sign-in service is unavailable');
    const reference = /data-testid="error\/reference">([0-9a-f-]{36})</.exec(res.body)?.[1];
    expect(reference).toBeDefined();
    const logged = lines.filter((l) => l.reqId === reference && l.level >= 40);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, msg: 'request failed', err: { type: expect.stringMatching(/Kratos|SsoHubError/) } });
    expect(logged[0]!.err?.stack).toMatch(/\n\s+at /);
    return res;
  }

  it('answers /oidc/auth (the session re-check asks Kratos) with the 503 page', async () => {
    await expectOutagePage(authUrl());
  });

  it('answers a sign-in under way at /interaction/:uid with the 503 page', async () => {
    await expectOutagePage(pendingInteraction, signingIn);
  });

  it('answers the login page, with or without a flow, with the 503 page', async () => {
    await expectOutagePage(`${stack.hubUrl}/login?flow=${pendingFlowId}`, signingIn);
    // Without a flow the page sends the browser to Kratos' browser endpoint through the proxy.
    const res = await expectOutagePage(`${stack.hubUrl}/login`);
    expect(res.chain.map((u) => u.pathname)).toContain('/self-service/login/browser');
  });
});
