import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionIdFor } from '../../packages/client/src/session/session-id.ts';
import { startTracing } from '@ssohub/hub';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver, type TestBrowser } from '@ssohub/testkit';
import { openBrowser } from '../support/browser.ts';
import { createUser, type TestUser } from '../support/bridge-kit.ts';
import { type Deployment, startDeployment } from '../support/deployment.ts';
import { button, node } from '../support/flow-page.ts';

// Issue 22: one browser sign-in through App A is one trace, across the app (@ssohub/client), the
// hub and Kratos, every span linked to its parent, and no span holds a secret. Each side exports
// with OTLP/HTTP to an in-test receiver, as each would to a collector: the apps through the
// OpenTelemetry SDK an app team sets up, the hub as server.ts starts it from OTEL_*, Kratos with
// its own tracing turned on (as deploy/kratos documents it).

describe('tracing: one sign-in, one trace (Chromium, app + hub + Kratos)', () => {
  let receiver: OtlpReceiver;
  let appTracing: TracerProvider;
  let d: Deployment;
  let browser: TestBrowser;
  let browserContext: BrowserContext;
  let page: Page;
  let user: TestUser;
  const callbacks: URL[] = [];
  const visited: string[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // The apps' side: what an app team's OpenTelemetry setup registers globally.
    appTracing = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'client-apps' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: receiver.tracesUrl }) })],
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(appTracing);
    const hubTracing = startTracing(
      {
        endpoint: receiver.tracesUrl,
        protocol: 'http/protobuf',
        serviceName: 'ssohub-hub',
        sampler: { kind: 'parentbased_always_on' },
        resourceAttributes: {},
        scheduleDelayMs: 100,
      },
      { version: 'test' },
    );
    d = await startDeployment({
      tracing: hubTracing,
      // Kratos records only what a caller asks it to (its root sampling ratio 0): its startup
      // and health spans stay out, the hub's sampled requests come in.
      kratosOverrides: {
        tracing: {
          provider: 'otel',
          service_name: 'kratos',
          providers: { otlp: { server_url: receiver.hostPort, insecure: true, sampling: { sampling_ratio: 0 } } },
        },
      },
    });
    user = await createUser(d.stack.kratos.adminUrl, 'traced');
    browser = await openBrowser();
    browserContext = await browser.newContext();
    page = await browserContext.newPage();
    page.on('request', (r) => {
      visited.push(r.url());
      if (r.url().startsWith(`${d.appA.url}/auth/callback`)) callbacks.push(new URL(r.url()));
    });
  });
  afterAll(async () => {
    await browser?.close();
    await d?.stop();
    await appTracing?.shutdown();
    trace.disable();
    context.disable();
    await receiver?.close();
  });

  it('gives the sign-in one trace holding the app’s, the hub’s and Kratos’ spans, each linked to its parent, without a secret', async () => {
    await page.goto(d.appA.url);
    await page.locator('[data-testid="sign-in"]').click();
    await page.waitForURL(new RegExp(`^${d.hubUrl}/login\\?flow=`));
    // A wrong password first: the guard's decisions are events of the trace too.
    await node(page, 'default/identifier').fill(user.email);
    await node(page, 'password/password').fill('not-the-password-0');
    await button(page, 'password', 'method').click();
    await page.waitForSelector('[data-testid="ui/message/4000006"]');
    await node(page, 'default/identifier').fill(user.email);
    await node(page, 'password/password').fill(user.password);
    await button(page, 'password', 'method').click();
    await page.waitForURL(`${d.appA.url}/`);
    expect(await page.locator('[data-testid="email"]').textContent()).toBe(user.email);

    // The callback's span names the trace; the hub's and Kratos' batches follow within seconds.
    await receiver.waitForSpans((spans) => spans.some((s) => s.name === 'ssohub.callback'));
    const traceId = receiver.spans.find((s) => s.name === 'ssohub.callback')!.traceId;
    await receiver.waitForSpans(
      (all) => {
        const t = all.filter((s) => s.traceId === traceId);
        return (
          t.some((s) => s.service === 'kratos') &&
          t.some((s) => s.service === 'ssohub-hub' && s.name === 'POST provider:token') &&
          t.every((s) => !s.parentSpanId || t.some((p) => p.spanId === s.parentSpanId))
        );
      },
      { timeoutMs: 20_000 },
    );
    const spans = receiver.trace(traceId);

    const byService = (service: string) => spans.filter((s) => s.service === service);
    const names = (service: string) => byService(service).map((s) => s.name);
    // The app: its sign-in starts the trace, and its callback continues it.
    expect(names('client-apps')).toEqual(expect.arrayContaining(['ssohub.sign_in', 'ssohub.callback']));
    const root = spans.filter((s) => !s.parentSpanId);
    expect(root.map((s) => s.name)).toEqual(['ssohub.sign_in']);
    // The hub: the authorization request (child of the app's sign-in), its pages, the form post it
    // proxies to Kratos, the resume, and the code exchange (child of the app's callback).
    const hub = names('ssohub-hub');
    expect(hub).toEqual(expect.arrayContaining(['GET provider:authorization', 'GET /login', 'POST provider:token']));
    expect(hub.some((n) => n.startsWith('kratos POST /self-service/login'))).toBe(true);
    expect(hub.some((n) => n.startsWith('redis '))).toBe(true);
    const span = (service: string, name: string) => spans.find((s) => s.service === service && s.name === name)!;
    expect(span('ssohub-hub', 'GET provider:authorization').parentSpanId).toBe(span('client-apps', 'ssohub.sign_in').spanId);
    expect(span('ssohub-hub', 'POST provider:token').parentSpanId).toBe(span('client-apps', 'ssohub.callback').spanId);
    expect(span('client-apps', 'ssohub.callback').parentSpanId).toBe(span('client-apps', 'ssohub.sign_in').spanId);
    // Kratos: its spans hang under the hub's calls to it.
    const kratosServerSpans = byService('kratos').filter((s) => s.kind === 2);
    expect(kratosServerSpans.length).toBeGreaterThan(0);
    for (const s of kratosServerSpans) expect(spans.find((p) => p.spanId === s.parentSpanId)?.service).toBe('ssohub-hub');
    // The provider's steps and the client are on the hub's spans.
    const authorization = span('ssohub-hub', 'GET provider:authorization');
    expect(authorization.attributes['ssohub.client_id']).toBe('app-a');
    expect(spans.flatMap((s) => s.events.map((e) => e.name))).toEqual(expect.arrayContaining(['oidc.interaction.started', 'oidc.grant.success']));
    const attempts = spans.flatMap((s) => s.events.filter((e) => e.name === 'ssohub.guard.attempt').map((e) => e.attributes['ssohub.guard.outcome']));
    expect(attempts).toEqual(['failure', 'success']);

    // The hub's latency histograms carry sampled traces as exemplars (OpenMetrics, tracing on).
    const scrape = await (await fetch(`${d.stack.adminUrl}/metrics`)).text();
    expect(scrape).toContain(`ssohub_http_request_duration_seconds_bucket`);
    expect(scrape).toContain(`# {trace_id="${traceId}"}`);

    // No secret in any span: the password, the address, the code and state, the tokens the app
    // holds, and every cookie value of every host.
    const appCookie = (await browserContext.cookies(d.appA.url)).find((c) => c.name.startsWith('__Host-ssohub-'));
    const record = await d.appA.store.get(sessionIdFor(appCookie!.value));
    const secrets = [
      user.password,
      user.email,
      ...callbacks.flatMap((u) => [u.searchParams.get('code'), u.searchParams.get('state')]),
      record?.tokens.accessToken,
      record?.tokens.idToken,
      record?.tokens.refreshToken,
      // A cookie whose value the browser's own addresses carry is no secret: the provider's
      // interaction cookie holds the interaction's id, which is also its page's path (and
      // Kratos records that path as the flow's return_to).
      ...(await browserContext.cookies()).map((c) => c.value).filter((v) => !visited.some((u) => u.includes(v))),
    ].filter((v): v is string => typeof v === 'string' && v.length >= 8);
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    const leaks = spans.flatMap((s) => {
      const texts = [s.name, ...valuesOf(s.attributes), ...s.events.flatMap((e) => [e.name, ...valuesOf(e.attributes)])];
      return secrets.filter((secret) => texts.some((t) => t.includes(secret) || t.includes(encodeURIComponent(secret)))).map((secret) => `${s.service} ${s.name}: ${secret.slice(0, 4)}…`);
    });
    expect(leaks).toEqual([]);
  });
});

function valuesOf(attributes: ReceivedSpan['attributes']): string[] {
  return Object.values(attributes).map((v) => (typeof v === 'string' ? v : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x))));
}
