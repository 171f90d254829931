import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@ssohub/testkit';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';
import { Browser, createIdentity, FAST_HASHING, uniqueEmail } from './guard-helpers.ts';

const SENDS = 3;
const WRONG_PER_FLOW = 3;

/** Code mail floods, code guessing and the token endpoint, against real Kratos, Redis and SMTP. */
describe('guard: codes and the token endpoint', () => {
  let stack: HubStack;
  beforeAll(async () => {
    stack = await startHubStack({
      kratosOverrides: FAST_HASHING,
      config: {
        trustProxy: true,
        guard: {
          codes: { sendsPerAddress: SENDS, sendWindowMs: 60_000, wrongPerFlow: WRONG_PER_FLOW },
          token: { ipBurst: 3, ipPerMinute: 1, clientBurst: 2, clientPerMinute: 1 },
        },
      },
    });
  });
  afterAll(async () => stack?.stop());

  const mailsTo = (email: string, since: number) => stack.smtp.messages.filter((m) => m.to.includes(email) && m.receivedAt >= since);

  it('cuts a code resend flood at the configured count of mails per address', async () => {
    const email = uniqueEmail('resend');
    await createIdentity(stack, email, 'correct-horse-battery-9');
    const since = Date.now();
    const browser = new Browser('203.0.113.110');
    const flow = await browser.startFlow(stack.hubUrl, 'login');
    const first = await browser.submit(stack.hubUrl, flow, { method: 'code', identifier: email });
    expect(first.status).toBe(303);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await browser.submit(stack.hubUrl, flow, { method: 'code', identifier: email, resend: 'code' })).status);
    }
    expect(statuses).toEqual([303, 303, 429, 429, 429, 429]);
    // A fresh flow (or another IP) does not reset the count: it is kept per address.
    const other = new Browser('198.51.100.110');
    const again = await other.submit(stack.hubUrl, await other.startFlow(stack.hubUrl, 'login'), { method: 'code', identifier: email });
    expect(again.status).toBe(429);
    expect(Number(again.retryAfter)).toBeGreaterThan(30);

    await waitFor(`${SENDS} code mails`, async () => (mailsTo(email, since).length >= SENDS ? true : undefined), { timeoutMs: 20_000 });
    await sleep(2_500); // Kratos' courier would have sent any further mail by now
    expect(mailsTo(email, since)).toHaveLength(SENDS);
  });

  it('cuts a wrong-code flood on one login flow, and a new flow still works', async () => {
    const email = uniqueEmail('guess');
    await createIdentity(stack, email, 'correct-horse-battery-9');
    const browser = new Browser('203.0.113.120');
    const flow = await browser.startFlow(stack.hubUrl, 'login');
    let since = Date.now();
    expect((await browser.submit(stack.hubUrl, flow, { method: 'code', identifier: email })).status).toBe(303);
    const code = await stack.smtp.latestCode(email, { since });
    const wrong = code === '000000' ? '111111' : '000000';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await browser.submit(stack.hubUrl, flow, { method: 'code', identifier: email, code: wrong })).status);
    }
    expect(statuses).toEqual([303, 303, 303, 429, 429]);
    // The flow is spent, even for the right code: the guesser cannot keep trying on it.
    expect((await browser.submit(stack.hubUrl, flow, { method: 'code', identifier: email, code })).status).toBe(429);

    const fresh = await browser.startFlow(stack.hubUrl, 'login');
    since = Date.now();
    expect((await browser.submit(stack.hubUrl, fresh, { method: 'code', identifier: email })).status).toBe(303);
    const next = await stack.smtp.latestCode(email, { since });
    const ok = await browser.submit(stack.hubUrl, fresh, { method: 'code', identifier: email, code: next });
    expect(ok.status).toBe(303);
    expect(ok.session).toBe(true);
  });

  it('cuts a wrong-code flood on one verification flow', async () => {
    const email = uniqueEmail('verify');
    await createIdentity(stack, email, 'correct-horse-battery-9');
    const browser = new Browser('203.0.113.130');
    const flow = await browser.startFlow(stack.hubUrl, 'verification');
    expect((await browser.submit(stack.hubUrl, flow, { method: 'code', email })).status).toBe(303);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await browser.submit(stack.hubUrl, flow, { method: 'code', code: '000000' })).status);
    expect(statuses).toEqual([303, 303, 303, 429, 429]);
  });

  it('throttles the token endpoint per IP and per client_id, whatever serves it', async () => {
    const token = (ip: string, headers: Record<string, string> = {}) =>
      fetch(`${stack.hubUrl}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'x-forwarded-for': ip, ...headers },
        body: 'grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fapp-a.test%2Fcb',
      }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() }));

    const byIp = [];
    for (let i = 0; i < 4; i++) byIp.push(await token('203.0.113.140'));
    expect(byIp.slice(0, 3).map((r) => r.status)).not.toContain(429);
    expect(byIp[3]!.status).toBe(429);
    expect(Number(byIp[3]!.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await token('203.0.113.141')).status).not.toBe(429);

    const basic = { authorization: `Basic ${Buffer.from('app-a:secret').toString('base64')}` };
    const byClient = [await token('198.51.100.1', basic), await token('198.51.100.2', basic), await token('198.51.100.3', basic)];
    expect(byClient.map((r) => r.status === 429)).toEqual([false, false, true]);
    expect(byClient[2]!.body).not.toContain('secret');

    const metrics = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/ssohub_guard_throttled_total\{kind="token_ip",service="ssohub-hub"\} 1/);
    expect(metrics).toMatch(/ssohub_guard_throttled_total\{kind="token_client",service="ssohub-hub"\} 1/);
    expect(metrics).toMatch(/ssohub_guard_throttled_total\{kind="code_send",service="ssohub-hub"\} [1-9]/);
    expect(metrics).toMatch(/ssohub_guard_throttled_total\{kind="code_flow",service="ssohub-hub"\} [1-9]/);
  });
});
