import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSession } from '@ssohub/testkit';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';

describe('the hub fronts Kratos on the login domain', () => {
  let stack: HubStack;
  beforeAll(async () => {
    stack = await startHubStack();
  });
  afterAll(async () => stack?.stop());

  it('serves Kratos browser flows on its own https origin with host-only Secure cookies', async () => {
    const browser = new HttpSession();
    const init = await browser.request(`${stack.hubUrl}/self-service/registration/browser`, { follow: false });
    expect(init.status).toBe(303);
    expect(init.headers.get('location')).toMatch(new RegExp(`^${stack.hubUrl}/registration\\?flow=`));
    const csrf = browser.jar.all().find((c) => c.name.startsWith('csrf_token_'));
    expect(csrf).toMatchObject({ domain: 'login.sso.test', hostOnly: true, secure: true, httpOnly: true });
  });

  it('refuses Kratos API flows from browsers', async () => {
    const res = await fetch(`${stack.hubUrl}/self-service/login/api`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/API flows are not available/);
  });

  it('reports liveness, readiness and the store in use', async () => {
    expect((await fetch(`${stack.hubUrl}/health/alive`)).status).toBe(200);
    const ready = await fetch(`${stack.hubUrl}/health/ready`);
    const body = (await ready.json()) as { checks: { store: { backend: string }; kratosAdmin: { ok: boolean } } };
    expect(ready.status).toBe(200);
    expect(body.checks.store.backend).toMatch(/^redis: redis:\/\/127\.0\.0\.1:\d+ \(prefix "ssohub-test:hub:/);
    expect(body.checks.kratosAdmin.ok).toBe(true);
  });
});
