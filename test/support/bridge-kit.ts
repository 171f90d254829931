import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type BrowserResponse, freePort, type HttpSession } from '@ssohub/testkit';
import * as oidc from 'openid-client';

/**
 * Helpers for the bridge suites: identities created through Kratos' admin API, a browser walk
 * through the authorization redirects that signs in through the real Kratos login flow when asked
 * to, and small back-channel logout receivers standing in for client apps.
 */

export interface TestUser {
  email: string;
  password: string;
  name: string;
  id: string;
}

export async function createUser(kratosAdminUrl: string, label: string, { verified = true } = {}): Promise<TestUser> {
  const email = `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 7)}@example.test`;
  const password = `correct-horse-${Math.random().toString(36).slice(2)}-9`;
  const name = `${label} Tester`;
  const res = await fetch(`${kratosAdminUrl}/admin/identities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      schema_id: 'person',
      traits: { email, name },
      credentials: { password: { config: { password } } },
      verifiable_addresses: [{ value: email, via: 'email', verified, status: verified ? 'completed' : 'pending' }],
    }),
  });
  if (res.status !== 201) throw new Error(`creating identity failed: ${res.status} ${await res.text()}`);
  const identity = (await res.json()) as { id: string };
  return { email, password, name, id: identity.id };
}

export type WalkEnd =
  | { kind: 'callback'; url: URL; chain: URL[]; pages: number }
  | { kind: 'login'; flowId: string; loginUrl: URL; chain: URL[]; pages: number }
  | { kind: 'page'; res: BrowserResponse; chain: URL[]; pages: number };

/**
 * Follows redirects like a browser from `start` until the browser lands on a client callback
 * (`callbackOrigins`), on the Kratos login page of the hub (`/login?flow=`), or on any other page
 * (consent, logout, errors). `pages` counts HTML pages the user would have seen (0 for pure SSO).
 */
export async function walk(browser: HttpSession, start: string | URL, callbackOrigins: string[], init: { method?: string; form?: Record<string, string> } = {}): Promise<WalkEnd> {
  let url = new URL(start);
  const chain: URL[] = [];
  let method = init.method;
  let form = init.form;
  for (let i = 0; i < 25; i++) {
    chain.push(url);
    if (callbackOrigins.includes(url.origin)) return { kind: 'callback', url, chain, pages: 0 };
    if (url.pathname === '/login' && url.searchParams.get('flow')) return { kind: 'login', flowId: url.searchParams.get('flow')!, loginUrl: url, chain, pages: 0 };
    const res = await browser.request(url, { follow: false, ...(method ? { method } : {}), ...(form ? { form } : {}) });
    method = undefined;
    form = undefined;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url);
      continue;
    }
    return { kind: 'page', res, chain, pages: 1 };
  }
  throw new Error(`too many redirects from ${String(start)}`);
}

interface UiNode {
  attributes: { name?: string; value?: unknown };
}

/** Submits the Kratos login flow (password method) the way the hub's login page would. */
export async function submitKratosLogin(browser: HttpSession, hubUrl: string, flowId: string, user: { email: string; password: string }): Promise<URL> {
  const flowRes = await browser.request(`${hubUrl}/self-service/login/flows?id=${flowId}`, { headers: { accept: 'application/json' } });
  if (flowRes.status !== 200) throw new Error(`reading login flow failed: ${flowRes.status} ${flowRes.body}`);
  const flow = JSON.parse(flowRes.body) as { ui: { action: string; nodes: UiNode[] }; refresh?: boolean; requested_aal?: string };
  const csrf = flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token')?.attributes.value as string;
  const res = await browser.request(flow.ui.action, {
    form: { csrf_token: csrf, identifier: user.email, password: user.password, method: 'password' },
    follow: false,
  });
  const location = res.headers.get('location');
  if (res.status !== 303 || !location || new URL(location, hubUrl).pathname === '/login') {
    throw new Error(`Kratos login did not succeed: ${res.status} ${location ?? res.body.slice(0, 300)}`);
  }
  return new URL(location, hubUrl);
}

export interface LoginFlowInfo {
  refresh: boolean;
  requestedAal: string | undefined;
  returnTo: string | undefined;
}

export async function readLoginFlow(browser: HttpSession, hubUrl: string, flowId: string): Promise<LoginFlowInfo> {
  const res = await browser.request(`${hubUrl}/self-service/login/flows?id=${flowId}`, { headers: { accept: 'application/json' } });
  const flow = JSON.parse(res.body) as { refresh?: boolean; requested_aal?: string; return_to?: string };
  return { refresh: flow.refresh === true, requestedAal: flow.requested_aal, returnTo: flow.return_to };
}

/** One authorization request as a client app builds it (state, nonce, PKCE S256). */
export async function authorizationRequest(config: oidc.Configuration, redirectUri: string, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

export interface BackchannelReceiver {
  uri: string;
  tokens: string[];
  /** Status codes to answer with before accepting (e.g. [500] = fail the first attempt). */
  failFirst: number[];
  attempts: number;
  close(): Promise<void>;
}

/** A client app's back-channel logout endpoint on https://`host` (resolved to loopback by the test kit). */
export async function startBackchannelReceiver(host: string, tls: { cert: string; key: string }): Promise<BackchannelReceiver> {
  const port = await freePort();
  const receiver: BackchannelReceiver = {
    uri: `https://${host}:${port}/backchannel-logout`,
    tokens: [],
    failFirst: [],
    attempts: 0,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      receiver.attempts++;
      const fail = receiver.failFirst.shift();
      if (fail) {
        res.writeHead(fail).end();
        return;
      }
      const token = new URLSearchParams(body).get('logout_token');
      if (req.method !== 'POST' || !token) {
        res.writeHead(400).end();
        return;
      }
      receiver.tokens.push(token);
      res.writeHead(200, { 'cache-control': 'no-store' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  void (server.address() as AddressInfo);
  return receiver;
}
