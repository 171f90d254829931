import { createHash, randomBytes } from 'node:crypto';
import type { AuditTarget, Discovery, Findings, RegistryClient } from '../audit-context.ts';
import { probe, type ProbeResponse } from '../probe.ts';

const b64url = (b: Buffer) => b.toString('base64url');

/** An authorization request the provider should accept, to vary one parameter at a time. */
function authorizeUrl(d: Discovery, client: RegistryClient, overrides: Record<string, string | undefined>): string {
  const verifier = b64url(randomBytes(32));
  const params: Record<string, string | undefined> = {
    client_id: client.client_id,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: client.redirect_uris[0],
    state: b64url(randomBytes(12)),
    nonce: b64url(randomBytes(12)),
    code_challenge: b64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
    ...overrides,
  };
  const url = new URL(d.authorization_endpoint);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

/** How the provider answered an authorization request. */
export function outcomeOf(res: ProbeResponse, hubUrl: string): 'accepted' | 'refused' {
  if (res.status >= 300 && res.status < 400 && res.location) {
    const loc = new URL(res.location);
    if (loc.searchParams.has('error')) return 'refused';
    if (loc.origin === new URL(hubUrl).origin) return 'accepted';
    // A redirect to a client without an error would mean the provider issued something.
    return 'accepted';
  }
  return 'refused';
}

export async function checkAuthorizationPolicy(t: AuditTarget, f: Findings, d: Discovery, client: RegistryClient | undefined): Promise<void> {
  if (!client?.redirect_uris[0]) {
    f.add('hub.pkce.required', t.hubUrl, 'PKCE is required', 'skip', 'No client with a redirect URI is known (give --admin-url and --token, or --app with a client id).', 'PKCE binds the code to the client that asked for it.');
    return;
  }
  const baseline = await probe(authorizeUrl(d, client, {}));
  const target = `${t.hubUrl} (client ${client.client_id})`;
  if (outcomeOf(baseline, t.hubUrl) !== 'accepted') {
    f.add('hub.authorize.baseline', target, 'A well-formed authorization request is accepted', 'fail', `The baseline request was refused (${baseline.status}), so the refusals below prove nothing.`, 'Each probe changes one parameter of a request that is otherwise accepted.', [baseline.evidence]);
    return;
  }
  await f.run('hub.pkce.required', target, 'A request without PKCE is refused', 'Without PKCE, a stolen authorization code can be redeemed by whoever intercepted it.', async () => {
    const res = await probe(authorizeUrl(d, client, { code_challenge: undefined, code_challenge_method: undefined }));
    return outcomeOf(res, t.hubUrl) === 'refused'
      ? { verdict: 'pass', detail: 'Refused.', evidence: [res.evidence] }
      : { verdict: 'fail', detail: 'The provider accepted an authorization request without code_challenge.', evidence: [res.evidence] };
  });
  await f.run('hub.pkce.plain-refused', target, 'PKCE method plain is refused', 'With plain, the challenge equals the verifier, so PKCE protects nothing against an observer of the request.', async () => {
    const verifier = b64url(randomBytes(32));
    const res = await probe(authorizeUrl(d, client, { code_challenge: verifier, code_challenge_method: 'plain' }));
    return outcomeOf(res, t.hubUrl) === 'refused'
      ? { verdict: 'pass', detail: 'Refused.', evidence: [res.evidence] }
      : { verdict: 'fail', detail: 'The provider accepted code_challenge_method=plain.', evidence: [res.evidence] };
  });
  await f.run('hub.redirect-uri.exact', target, 'Redirect URIs match exactly', 'Any looser matching lets an attacker have the code delivered to a URL they control.', async () => {
    const registered = new URL(client.redirect_uris[0]!);
    const variants = redirectVariants(registered);
    const accepted: string[] = [];
    const evidence = [];
    for (const [label, uri] of variants) {
      const res = await probe(authorizeUrl(d, client, { redirect_uri: uri }));
      evidence.push({ request: `[${label}] ${res.evidence.request}`, answer: res.evidence.answer });
      if (outcomeOf(res, t.hubUrl) === 'accepted') accepted.push(`${label} (${uri})`);
    }
    return accepted.length
      ? { verdict: 'fail', detail: `Accepted: ${accepted.join('; ')}`, evidence }
      : { verdict: 'pass', detail: `All ${variants.length} variants refused: ${variants.map(([l]) => l).join(', ')}.`, evidence };
  });
}

/** Variants of a registered redirect URI that an exact matcher must refuse. */
export function redirectVariants(u: URL): [string, string][] {
  const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  const path = u.pathname;
  const withPath = (p: string) => { const c = new URL(u); c.pathname = p; return c.toString(); };
  const other = new URL(u);
  other.port = String(port === 65535 ? port - 1 : port + 1);
  const query = new URL(u);
  query.searchParams.set('x', '1');
  const scheme = new URL(u);
  scheme.protocol = u.protocol === 'https:' ? 'http:' : 'https:';
  const hostPort = u.host;
  return [
    ['prefix', withPath(path.length > 1 ? path.slice(0, -1) : '/')],
    ['added path', withPath(`${path.replace(/\/$/, '')}/evil`)],
    ['suffix', withPath(`${path}.evil`)],
    ['case', withPath(path.toUpperCase() === path ? path.toLowerCase() : path.toUpperCase())],
    ['added query', query.toString()],
    ['other port', other.toString()],
    ['other scheme', scheme.toString()],
    ['fragment', `${u.toString()}#evil`],
    ['host suffix', `${u.protocol}//${u.hostname}.evil.example${u.port ? `:${u.port}` : ''}${path}`],
    ['userinfo before host', `${u.protocol}//evil.example@${hostPort}${path}`],
    ['userinfo trick', `${u.protocol}//${hostPort}@evil.example${path}`],
  ];
}

/** return_to, post_logout_redirect_uri and every redirecting parameter refuse foreign hosts. */
export async function checkOpenRedirects(t: AuditTarget, f: Findings, d: Discovery, client: RegistryClient | undefined): Promise<void> {
  const evil = 'https://evil.example/phish';
  await f.run('hub.open-redirect.return-to', t.hubUrl, 'return_to refuses foreign hosts', 'An open redirect on the login domain lends its trust to phishing pages and can leak codes in the Referer.', async () => {
    const starts = ['/login', '/registration', '/recovery', '/verification', '/settings', '/logout', '/self-service/login/browser', '/self-service/registration/browser', '/self-service/logout/browser'];
    const leaks: string[] = [];
    const evidence = [];
    for (const path of starts) {
      const { chain, last } = await followForeign(`${t.hubUrl}${path}?return_to=${encodeURIComponent(evil)}`, 6);
      evidence.push(last.evidence);
      if (chain.some((u) => new URL(u).hostname === 'evil.example')) leaks.push(path);
    }
    return leaks.length
      ? { verdict: 'fail', detail: `Redirected to evil.example from: ${leaks.join(', ')}`, evidence }
      : { verdict: 'pass', detail: `No redirect to a foreign host from ${starts.length} entry points.`, evidence };
  });
  if (d.end_session_endpoint) {
    const endSession = d.end_session_endpoint;
    await f.run('hub.open-redirect.post-logout', t.hubUrl, 'post_logout_redirect_uri is allow-listed', 'Logout is reachable without authentication; an unchecked post-logout redirect is an open redirect.', async () => {
      const url = new URL(endSession);
      url.searchParams.set('post_logout_redirect_uri', evil);
      if (client) url.searchParams.set('client_id', client.client_id);
      const { chain, last } = await followForeign(url.toString(), 4);
      return chain.some((u) => new URL(u).hostname === 'evil.example')
        ? { verdict: 'fail', detail: 'The end-session endpoint redirected to evil.example.', evidence: [last.evidence] }
        : { verdict: 'pass', detail: 'Refused.', evidence: [last.evidence] };
    });
  }
}

/** Follows redirects without cookies, stopping at a foreign host; returns every URL seen. */
async function followForeign(start: string, maxHops: number): Promise<{ chain: string[]; last: ProbeResponse }> {
  const chain: string[] = [start];
  let res = await probe(start);
  for (let i = 0; i < maxHops && res.location; i++) {
    chain.push(res.location);
    if (new URL(res.location).hostname === 'evil.example') break;
    res = await probe(res.location);
  }
  return { chain, last: res };
}
