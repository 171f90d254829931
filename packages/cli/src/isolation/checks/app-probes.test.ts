import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditTarget, type Discovery, Findings } from '../audit-context.ts';
import { BrowserSession } from '../browser-session.ts';
import { checkApp } from './app-probes.ts';

// app.token-confusion against a stand-in hub (authorize → code, token → three tokens) and a
// stand-in app API whose answer per bearer each test decides.

const TOKENS = { access_token: 'audit-access-token', refresh_token: 'audit-refresh-token', id_token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdWRpdCJ9.c2ln' };
type Kind = keyof typeof TOKENS;

let server: Server;
let base: string;
let answers: Record<Kind, number>;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/auth') {
      res.writeHead(302, { location: `https://isolation-audit.invalid/callback?code=probe-code&state=${url.searchParams.get('state')}` }).end();
      return;
    }
    if (url.pathname === '/token') {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(TOKENS)));
      return;
    }
    if (url.pathname === '/api/me') {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const kind = (Object.keys(TOKENS) as Kind[]).find((k) => TOKENS[k] === bearer);
      if (kind) seen.push(kind);
      const status = kind ? answers[kind] : 401;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 200 ? { sub: 'audit' } : { error: status === 401 ? 'invalid_token' : 'temporarily_unavailable' }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function tokenAudience() {
  seen.length = 0;
  const t: AuditTarget = { hubUrl: base, issuer: base, adminUrl: undefined, adminToken: undefined, apps: [], testUser: undefined };
  const d: Discovery = { issuer: base, authorization_endpoint: `${base}/auth`, token_endpoint: `${base}/token`, jwks_uri: `${base}/jwks` };
  const f = new Findings();
  await checkApp(t, f, d, { url: base, clientId: undefined, loginPath: '/auth/login', apiPath: '/api/me' }, undefined, { clientId: 'isolation-audit-x', secret: 's', browser: new BrowserSession() });
  return f.checks.find((c) => c.id === 'app.token-confusion')!;
}

describe('app.token-confusion', () => {
  it("passes when the API refuses another client's access token, a refresh token and an ID token with 401", async () => {
    answers = { access_token: 401, refresh_token: 401, id_token: 401 };
    const check = await tokenAudience();
    expect(check.verdict, check.detail).toBe('pass');
    expect(seen).toEqual(['access_token', 'refresh_token', 'id_token']);
    expect(check.evidence.map((e) => e.request.split('\n')[1])).toEqual([
      'Authorization: Bearer [access token of isolation-audit-x]',
      'Authorization: Bearer [refresh token of isolation-audit-x]',
      'Authorization: Bearer [ID token of isolation-audit-x]',
    ]);
    // The evidence names the tokens, never shows them.
    for (const token of Object.values(TOKENS)) expect(JSON.stringify(check)).not.toContain(token);
  });

  it('fails when the API accepts a refresh token', async () => {
    answers = { access_token: 401, refresh_token: 200, id_token: 401 };
    const check = await tokenAudience();
    expect(check.verdict).toBe('fail');
    expect(check.detail).toContain('answered 200 to the refresh token of isolation-audit-x');
  });

  it('fails when the API answers 503 to an ID token (anyone could fake an outage)', async () => {
    answers = { access_token: 401, refresh_token: 401, id_token: 503 };
    const check = await tokenAudience();
    expect(check.verdict).toBe('fail');
    expect(check.detail).toContain('answered 503 to the ID token of isolation-audit-x');
    expect(check.detail).toContain('fake an outage');
  });

  it("still fails when the API accepts another client's access token", async () => {
    answers = { access_token: 200, refresh_token: 401, id_token: 401 };
    expect((await tokenAudience()).verdict).toBe('fail');
  });
});
