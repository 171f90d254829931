import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Hub } from '@ssohub/hub';
import { HttpSession } from '@ssohub/testkit';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createBackchannelQueue } from '../../packages/hub/src/bridge/logout/create-backchannel-queue.ts';
import { generateSigningKey } from '../../packages/hub/src/bridge/provider/signing-keys.ts';
import { authorizationRequest, createUser, submitKratosLogin, walk } from '../support/bridge-kit.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';

const APP = 'https://app-a.test';
const SECRET = 'app-a-secret-0123456789abcdefghijklmnop';
const LEASE_MS = 5_000;

/**
 * Issue 18: a back-channel logout was lost when the instance attempting it died mid-attempt.
 * Two hub instances on one real Redis; the one that ends the session is closed while its first
 * attempt hangs at the app's endpoint, so it never answers for the job. Once the lease has run
 * out, the other instance takes the job over and the app gets its logout.
 */
describe('back-channel logout survives the instance that was delivering it', () => {
  let stack: HubStack;
  let dying: { url: string; hub: Hub };
  const received: string[] = [];
  let requests = 0;
  const endpoint = https.createServer({ cert: inject('certPem'), key: inject('keyPem') }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      // The first attempt never gets an answer: its instance "dies" while waiting for it.
      if (++requests === 1) return;
      const token = new URLSearchParams(body).get('logout_token');
      if (token) received.push(token);
      res.writeHead(200).end();
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    const uri = `https://localhost:${(endpoint.address() as AddressInfo).port}/backchannel-logout`;
    stack = await startHubStack({
      allowedReturnOrigins: [APP],
      config: {
        bridge: {
          signingKeys: [await generateSigningKey('RS256', 'lease-rs-1')],
          backchannel: { retryDelaysMs: [300], pollIntervalMs: 50, leaseMs: LEASE_MS },
          clients: [
            {
              client_id: 'app-a',
              client_secret: SECRET,
              redirect_uris: [`${APP}/callback`],
              token_endpoint_auth_method: 'client_secret_basic',
              backchannel_logout_uri: uri,
              backchannel_logout_session_required: true,
              ssohub_first_party: true,
            },
          ],
        },
      },
    });
    dying = await stack.startInstance();
  });
  afterAll(async () => {
    endpoint.closeAllConnections();
    endpoint.close();
    await stack?.stop();
  });

  it('is delivered exactly once, by the other instance, after the lease ran out', async () => {
    const user = await createUser(stack.kratos.adminUrl, 'lease');
    const appA = await oidc.discovery(new URL(`${stack.hubUrl}/oidc`), 'app-a', undefined, oidc.ClientSecretBasic(SECRET));
    const browser = new HttpSession();
    const req = await authorizationRequest(appA, `${APP}/callback`);
    let end = await walk(browser, req.url, [APP]);
    expect(end.kind).toBe('login');
    end = await walk(browser, await submitKratosLogin(browser, stack.hubUrl, (end as { flowId: string }).flowId, user), [APP]);
    expect(end.kind).toBe('callback');
    const tokens = await oidc.authorizationCodeGrant(appA, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    const sid = tokens.claims()!.sid as string;
    const [binding] = await stack.hub.ctx.bridge!.listBindings(user.id);

    // The instance that ends the session stores the job, starts the first attempt, and dies.
    const ending = dying.hub.ctx.bridge!.endKratosSession(binding!.kratosSessionId, 'admin_revoked').catch(() => undefined);
    const started = Date.now();
    while (requests === 0 && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 20));
    expect(requests).toBe(1);
    await dying.hub.close();

    const deadline = Date.now() + LEASE_MS + 8_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const tookMs = Date.now() - started;
    expect(received).toHaveLength(1);
    expect(JSON.parse(Buffer.from(received[0]!.split('.')[1]!, 'base64url').toString())).toMatchObject({ sid, sub: user.id });
    // Not before the lease ran out: until then the dead instance held the job.
    expect(tookMs).toBeGreaterThanOrEqual(LEASE_MS - 200);

    // Nothing more arrives, and nothing is left in the queue.
    await new Promise((r) => setTimeout(r, 500));
    expect(received).toHaveLength(1);
    const audit = await stack.hub.ctx.audit.tail({ count: 200 });
    const delivered = audit.filter((e) => e.type === 'bridge.backchannel.delivered' && e.subject === user.id);
    expect(delivered).toEqual([expect.objectContaining({ clientId: 'app-a', attempt: 2, takenOver: true, reason: 'admin_revoked' })]);
    expect(await createBackchannelQueue(stack.hub.ctx.storage).depth()).toBe(0);
    await ending;
  }, 30_000);
});
