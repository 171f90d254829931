import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SsoClient } from '../src/index.ts';
import { makeClient, signIn } from './helpers/test-client.ts';
import { startTestHub, type TestHub } from './helpers/test-hub.ts';

// The SDK's spans (tracing/client-spans.ts): nothing without an OpenTelemetry SDK in the app;
// with one, a sign-in and its callback are one trace, and the hub hears of it.

let hub: TestHub;
let client: SsoClient;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  hub = await startTestHub();
  client = await makeClient(hub);
});
afterAll(async () => {
  trace.disable();
  context.disable();
  await hub.close();
});

describe('tracing in @ssohub/client', () => {
  it('adds nothing when the app set up no OpenTelemetry SDK', async () => {
    const start = await client.beginSignIn({});
    expect(start.url.searchParams.has('traceparent')).toBe(false);
  });

  it('makes the sign-in and its callback one trace, tells the hub, and names its steps without secrets', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
    const sent: { url: string; traceparent: string | undefined }[] = [];
    const realFetch = globalThis.fetch;
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      sent.push({ url: String(input), traceparent: headers.traceparent });
      return realFetch(input, init);
    });
    try {
      const { session, callback } = await signIn(hub, client);
      await client.refreshSession(session);
      const spans = exporter.getFinishedSpans();
      const byName = (name: string) => spans.find((s) => s.name === name)!;
      const signInSpan = byName('ssohub.sign_in');
      const callbackSpan = byName('ssohub.callback');
      expect(callbackSpan.spanContext().traceId).toBe(signInSpan.spanContext().traceId);
      expect(callbackSpan.parentSpanContext?.spanId).toBe(signInSpan.spanContext().spanId);
      expect(byName('ssohub.refresh').attributes).toEqual({ 'ssohub.client_id': 'app-a' });
      // The token request carried the callback's trace context to the hub.
      const token = sent.find((s) => s.url.endsWith('/token'));
      expect(token?.traceparent).toBe(`00-${callbackSpan.spanContext().traceId}-${callbackSpan.spanContext().spanId}-01`);
      // Nothing of the exchange is on a span.
      const texts = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]));
      for (const secret of [callback.searchParams.get('code'), callback.searchParams.get('state'), session.tokens.accessToken, session.tokens.refreshToken, session.id]) {
        expect(texts).not.toContain(secret);
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('puts the sign-in’s trace context on the authorization request for the hub to continue', async () => {
    const start = await client.beginSignIn({});
    expect(start.url.searchParams.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('ends a failing step’s span with the SDK error code', async () => {
    exporter.reset();
    await expect(client.completeSignIn('/auth/callback?state=x&code=y', undefined)).rejects.toThrow();
    const span = exporter.getFinishedSpans().find((s) => s.name === 'ssohub.callback');
    expect(span?.status).toEqual({ code: 2, message: 'SSOHUB_CLIENT_ERR_NO_PENDING_SIGN_IN' });
  });
});
