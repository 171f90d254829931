import { createServer, type Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, HttpSession, waitFor } from '@ssohub/testkit';
import { authorizationRequest, createUser, submitKratosLogin, walk } from '../support/bridge-kit.ts';
import { type HubStack, startHubStack } from '../support/hub-stack.ts';

// Back-channel logout POSTs go to registered URIs outside oidc-provider's SSRF guard, so they must
// never follow a redirect: a client endpoint answering 307 could aim the hub at an internal service.
const APP = 'https://shop-b.example';
const SECRET = 'redirect-app-secret-0123456789abcdefghij';

describe('back-channel logout delivery', () => {
  let stack: HubStack;
  let trap: Server;
  let redirector: https.Server;
  const trapHits: string[] = [];
  let redirectorHits = 0;

  beforeAll(async () => {
    trap = createServer((req, res) => {
      trapHits.push(`${req.method} ${req.url}`);
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', () => r()));
    const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/internal-admin`;
    const port = await freePort();
    redirector = https.createServer({ cert: inject('certPem'), key: inject('keyPem') }, (req, res) => {
      req.resume();
      redirectorHits++;
      res.writeHead(307, { location: trapUrl }).end();
    });
    await new Promise<void>((r) => redirector.listen(port, '127.0.0.1', () => r()));
    stack = await startHubStack({
      allowedReturnOrigins: [APP],
      config: {
        bridge: {
          backchannel: { retryDelaysMs: [50], pollIntervalMs: 20 },
          clients: [
            {
              client_id: 'shop-b',
              client_secret: SECRET,
              redirect_uris: [`${APP}/callback`],
              backchannel_logout_uri: `https://shop-b.example:${port}/backchannel-logout`,
              backchannel_logout_session_required: true,
              token_endpoint_auth_method: 'client_secret_basic',
              ssohub_first_party: true,
            },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => trap?.close(r));
    await new Promise((r) => redirector?.close(r));
  });

  it('never follows a redirect from a client endpoint, and records the failed attempts', async () => {
    const config = await oidc.discovery(new URL(`${stack.hubUrl}/oidc`), 'shop-b', undefined, oidc.ClientSecretBasic(SECRET));
    const user = await createUser(stack.kratos.adminUrl, 'redirect');
    const browser = new HttpSession();
    const req = await authorizationRequest(config, `${APP}/callback`);
    let end = await walk(browser, req.url, [APP]);
    end = await walk(browser, await submitKratosLogin(browser, stack.hubUrl, (end as { flowId: string }).flowId, user), [APP]);
    await oidc.authorizationCodeGrant(config, (end as { url: URL }).url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });

    // An admin signs the user out everywhere: the hub delivers back-channel logout to shop-b.
    const [session] = (await (await fetch(`${stack.kratos.adminUrl}/admin/identities/${user.id}/sessions`)).json()) as { id: string }[];
    await stack.hub.ctx.bridge!.endKratosSession(session!.id, 'test');
    await waitFor('two delivery attempts (first and one retry)', async () => (redirectorHits >= 2 ? true : undefined), { timeoutMs: 10_000 });
    await waitFor('the abandoned delivery in the audit trail', async () => {
      const events = await stack.hub.ctx.audit.tail({ count: 100 });
      return events.some((e) => e.type === 'bridge.backchannel.abandoned' && e.clientId === 'shop-b') ? true : undefined;
    });
    expect(trapHits).toEqual([]);
  });
});
