import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { HubTracing } from '@ssohub/hub';
import { HttpSession } from '@ssohub/testkit';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateSigningKey } from '../../packages/hub/src/bridge/provider/signing-keys.ts';
import { authorizationRequest, createUser, submitKratosLogin, walk } from '../support/bridge-kit.ts';
import { adminTokenForTests, type HubStack, startHubStack } from '../support/hub-stack.ts';

const APP = 'https://app-a.test';
const SECRET = 'app-a-secret-0123456789abcdefghijklmnop';
const TRACE = '5b8efff798038103d269b633813fc60c';
const CALLER = 'eee19b7ec3c1b174';

/**
 * A back-channel logout is part of the logout's trace: an admin disables a user inside a traced
 * request, the app's endpoint fails the first attempt and accepts the retry (sent later, from the
 * queue), and both POSTs are spans under that request and carry a `traceparent` naming them.
 */
describe('back-channel deliveries in the trace of the logout', () => {
  let stack: HubStack;
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const posts: { traceparent: string | undefined; status: number }[] = [];
  const endpoint = https.createServer({ cert: inject('certPem'), key: inject('keyPem') }, (req, res) => {
    req.resume().on('end', () => {
      const status = posts.length === 0 ? 500 : 200;
      posts.push({ traceparent: req.headers.traceparent as string | undefined, status });
      res.writeHead(status).end();
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const tracing: HubTracing = {
      tracer: provider.getTracer('@ssohub/hub'),
      settings: { endpoint: 'http://127.0.0.1:4318/v1/traces', protocol: 'http/protobuf', serviceName: 'ssohub', sampler: { kind: 'parentbased_always_on' }, resourceAttributes: {}, scheduleDelayMs: 100 },
      shutdown: () => provider.shutdown(),
    };
    stack = await startHubStack({
      allowedReturnOrigins: [APP],
      tracing,
      config: {
        bridge: {
          signingKeys: [await generateSigningKey('RS256', 'bctrace-rs-1')],
          backchannel: { retryDelaysMs: [200], pollIntervalMs: 50, leaseMs: 5_000 },
          clients: [
            {
              client_id: 'app-a',
              client_secret: SECRET,
              redirect_uris: [`${APP}/callback`],
              token_endpoint_auth_method: 'client_secret_basic',
              backchannel_logout_uri: `https://localhost:${(endpoint.address() as AddressInfo).port}/backchannel-logout?tenant=t-1`,
              backchannel_logout_session_required: true,
              ssohub_first_party: true,
            },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    endpoint.closeAllConnections();
    endpoint.close();
    await stack?.stop();
  });

  it('makes each attempt a span under the disabling request, and the app receives its traceparent', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'bctrace');
    const appA = await oidc.discovery(new URL(`${stack.hubUrl}/oidc`), 'app-a', undefined, oidc.ClientSecretBasic(SECRET));
    const browser = new HttpSession();
    const req = await authorizationRequest(appA, `${APP}/callback`);
    let end = await walk(browser, req.url, [APP]);
    expect(end.kind).toBe('login');
    end = await walk(browser, await submitKratosLogin(browser, stack.hubUrl, (end as { flowId: string }).flowId, user), [APP]);
    expect(end.kind).toBe('callback');
    await oidc.authorizationCodeGrant(appA, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });

    const disabled = await fetch(`${stack.adminUrl}/admin/users/${user.id}/disable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminTokenForTests}`, 'x-ssohub-actor': 'alice', traceparent: `00-${TRACE}-${CALLER}-01` },
    });
    expect(disabled.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (posts.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(posts.map((p) => p.status)).toEqual([500, 200]);

    const spans = exporter.getFinishedSpans();
    const disabling = spans.find((s) => s.kind === SpanKind.SERVER && s.parentSpanContext?.spanId === CALLER);
    expect(disabling?.name).toBe('POST /admin/users/:idOrEmail/disable');
    const deliveries = spans.filter((s) => s.name === 'POST backchannel_logout');
    expect(deliveries).toHaveLength(2);
    for (const [i, delivery] of deliveries.entries()) {
      expect(delivery.kind).toBe(SpanKind.CLIENT);
      expect(delivery.spanContext().traceId).toBe(TRACE);
      expect(delivery.parentSpanContext?.spanId).toBe(disabling!.spanContext().spanId);
      expect(posts[i]!.traceparent).toBe(`00-${TRACE}-${delivery.spanContext().spanId}-01`);
    }
    expect(deliveries.map((d) => [d.attributes['ssohub.backchannel.attempt'], d.attributes['ssohub.backchannel.outcome'], d.status.code])).toEqual([
      [1, 'failed', SpanStatusCode.ERROR],
      [2, 'delivered', SpanStatusCode.UNSET],
    ]);
    // Never the endpoint's query, the user or the session.
    const shown = JSON.stringify(deliveries.map((d) => [d.attributes, d.status]));
    for (const secret of ['tenant', user.id, 'localhost']) expect(shown).not.toContain(secret);
  }, 40_000);
});
