import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditTarget, type Discovery, Findings } from '../audit-context.ts';
import { checkAuthorizationPolicy, checkOpenRedirects } from './hub-authorization.ts';

// hub.open-redirect.post-logout follows the logout as a browser does (redirects, and the
// confirmation form submitted as a user clicks it) and fails only when the browser is sent to the
// foreign host. A stand-in hub answers end_session in each of the ways a provider might.

type Mode = 'success' | 'confirm' | 'confirm-then-evil' | 'redirect-evil' | 'meta-evil' | 'error-page';
let mode: Mode;
let server: Server;
let base: string;
const posts: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const page = (body: string, status = 200) => res.writeHead(status, { 'content-type': 'text/html' }).end(`<!doctype html><html><body>${body}</body></html>`);
    const foreign = url.searchParams.get('post_logout_redirect_uri') ?? '';
    if (url.pathname === '/oidc/session/end') {
      if (mode === 'success') res.writeHead(303, { location: '/oidc/session/end/success' }).end();
      else if (mode === 'redirect-evil') res.writeHead(303, { location: foreign }).end();
      else if (mode === 'error-page') page('<h1>This address is not registered</h1>', 400);
      else if (mode === 'meta-evil') page(`<meta http-equiv="refresh" content="0;url=${foreign}">`);
      else page(`<form method="post" action="/oidc/session/end/confirm"><input type="hidden" name="xsrf" value="x1"><button type="submit" name="logout" value="yes">Sign out everywhere</button></form>`);
    } else if (url.pathname === '/oidc/session/end/confirm' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        posts.push(body);
        res.writeHead(303, { location: mode === 'confirm-then-evil' ? 'https://evil.example/phish' : '/oidc/session/end/success' }).end();
      });
    } else if (url.pathname === '/oidc/session/end/success') page('<h1>Signed out</h1><a href="/login">Sign in again</a>');
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function postLogout(m: Mode) {
  mode = m;
  posts.length = 0;
  const t: AuditTarget = { hubUrl: base, issuer: `${base}/oidc`, adminUrl: undefined, adminToken: undefined, apps: [], testUser: undefined };
  const d: Discovery = { issuer: t.issuer, authorization_endpoint: `${base}/oidc/auth`, token_endpoint: `${base}/oidc/token`, jwks_uri: `${base}/oidc/jwks`, end_session_endpoint: `${base}/oidc/session/end` };
  const f = new Findings();
  await checkOpenRedirects(t, f, d, undefined);
  return f.checks.find((c) => c.id === 'hub.open-redirect.post-logout')!;
}

describe('hub.open-redirect.post-logout', () => {
  it('passes when the browser ends on the signed-out page (the issue #23 false FAIL)', async () => {
    const c = await postLogout('success');
    expect(c.verdict, c.detail).toBe('pass');
    expect(c.detail).toMatch(/ends at http:\/\/127\.0\.0\.1:\d+\/oidc\/session\/end\/success \(200\) and never reaches evil\.example/);
    expect(c.severity).toBe('medium');
  });

  it('submits the logout confirmation as a user would, and passes when that ends on the hub', async () => {
    const c = await postLogout('confirm');
    expect(c.verdict, c.detail).toBe('pass');
    expect(posts).toEqual(['xsrf=x1&logout=yes']);
    expect(c.detail).toMatch(/confirmation form submitted/);
    expect(c.evidence.map((e) => e.request).join('\n')).toMatch(/POST .*\/oidc\/session\/end\/confirm \(the confirmation form/);
    expect(JSON.stringify(c.evidence)).not.toContain('x1');
  });

  it('passes when the hub refuses the foreign URI with an error page', async () => {
    expect((await postLogout('error-page')).verdict).toBe('pass');
  });

  it('fails when end_session redirects to the foreign host', async () => {
    const c = await postLogout('redirect-evil');
    expect(c.verdict).toBe('fail');
    expect(c.detail).toMatch(/was redirected to https:\/\/evil\.example\/phish/);
  });

  it('fails when the confirmation sends the browser to the foreign host', async () => {
    const c = await postLogout('confirm-then-evil');
    expect(c.verdict).toBe('fail');
    expect(posts).toHaveLength(1);
  });

  it('fails when a meta refresh sends the browser on to the foreign host', async () => {
    const c = await postLogout('meta-evil');
    expect(c.verdict).toBe('fail');
    expect(c.detail).toMatch(/meta refresh/);
  });
});

describe('the authorization policy without a known client', () => {
  it('marks the PKCE and redirect-URI checks inconclusive, saying how to make them run', async () => {
    const t: AuditTarget = { hubUrl: base, issuer: `${base}/oidc`, adminUrl: undefined, adminToken: undefined, apps: [], testUser: undefined };
    const d: Discovery = { issuer: t.issuer, authorization_endpoint: `${base}/oidc/auth`, token_endpoint: `${base}/oidc/token`, jwks_uri: `${base}/oidc/jwks` };
    const f = new Findings();
    await checkAuthorizationPolicy(t, f, d, undefined);
    expect(f.checks.map((c) => [c.id, c.verdict])).toEqual([
      ['hub.pkce.required', 'inconclusive'],
      ['hub.pkce.plain-refused', 'inconclusive'],
      ['hub.redirect-uri.exact', 'inconclusive'],
    ]);
    expect(f.checks[0]!.howToRun).toMatch(/--admin-url and --token/);
  });
});
