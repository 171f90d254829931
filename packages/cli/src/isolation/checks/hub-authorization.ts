import { createHash, randomBytes } from 'node:crypto';
import type { AuditTarget, Discovery, Findings, RegistryClient } from '../audit-context.ts';
import { BrowserSession } from '../browser-session.ts';
import { probe, type ProbeResponse } from '../probe.ts';
import { redactUrl } from '../redact.ts';
import type { Evidence } from '../report.ts';

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

const EVIL = 'https://evil.example/phish';
const isEvil = (u: string | undefined) => {
  try {
    return u !== undefined && new URL(u).hostname === 'evil.example';
  } catch {
    return false;
  }
};

/**
 * Where a foreign return_to ends up when a flow starts at `start` (no session): a redirect to the
 * foreign host, a Kratos flow that kept it as its `return_to` (the browser goes there right
 * after signing in), or a page that carries it in a form. Undefined when it was dropped or refused.
 */
async function foreignReturnTo(hubUrl: string, start: string): Promise<{ leak: string | undefined; evidence: Evidence[] }> {
  const hub = new URL(hubUrl).origin;
  const browser = new BrowserSession();
  const last = await browser.go(start, { stay: (u) => u.origin === hub, maxHops: 8 });
  const evidence: Evidence[] = [
    { request: `GET ${redactUrl(start)}${browser.hops.length > 1 ? ` (followed ${browser.hops.length - 1} redirect(s) on the hub)` : ''}`, answer: `${last.status}${last.location ? `\nLocation: ${redactUrl(last.location)}` : ''}\n(at ${redactUrl(last.url)})` },
  ];
  const redirected = browser.hops.find((h) => isEvil(h.location));
  if (redirected) return { leak: `redirected to ${redirected.location}`, evidence };
  const flow = /^\/(login|registration|recovery|verification|settings)$/.exec(new URL(last.url).pathname)?.[1];
  const flowId = new URL(last.url).searchParams.get('flow');
  if (last.status === 200 && flow && flowId) {
    const res = await browser.go(`${hub}/self-service/${flow}/flows?id=${encodeURIComponent(flowId)}`, { accept: 'application/json', stay: () => false });
    let returnTo: string | undefined;
    try {
      returnTo = (JSON.parse(res.body) as { return_to?: string }).return_to;
    } catch {
      returnTo = undefined;
    }
    evidence.push({ request: `GET ${hub}/self-service/${flow}/flows?id=[redacted]`, answer: `${res.status}\nreturn_to: ${returnTo ?? '(none)'}` });
    if (isEvil(returnTo)) return { leak: `the ${flow} flow kept return_to=${returnTo} (the browser goes there after the flow)`, evidence };
  }
  if (last.status < 300 && /name="return_to"[^>]*value="https?:\/\/evil\.example/.test(last.body)) return { leak: 'the page carries the foreign return_to in its form', evidence };
  return { leak: undefined, evidence };
}

/** return_to, post_logout_redirect_uri and every redirecting parameter refuse foreign hosts. */
export async function checkOpenRedirects(t: AuditTarget, f: Findings, d: Discovery, client: RegistryClient | undefined): Promise<void> {
  await f.run('hub.open-redirect.return-to', t.hubUrl, 'return_to refuses foreign hosts', 'An open redirect on the login domain lends its trust to phishing pages and can leak codes in the Referer.', async () => {
    const starts = ['/login', '/registration', '/recovery', '/verification', '/settings', '/logout', '/self-service/login/browser', '/self-service/registration/browser', '/self-service/recovery/browser', '/self-service/verification/browser'];
    const leaks: string[] = [];
    const evidence: Evidence[] = [];
    for (const path of starts) {
      const r = await foreignReturnTo(t.hubUrl, `${t.hubUrl}${path}?return_to=${encodeURIComponent(EVIL)}`);
      evidence.push(...r.evidence);
      if (r.leak) leaks.push(`${path}: ${r.leak}`);
    }
    return leaks.length
      ? { verdict: 'fail', detail: `A foreign return_to (${EVIL}) was accepted at ${leaks.length} of ${starts.length} entry points: ${leaks.join('; ')}`, evidence }
      : { verdict: 'pass', detail: `A foreign return_to was refused or dropped at all ${starts.length} entry points (no redirect, no flow keeping it).`, evidence };
  });
  if (d.end_session_endpoint) {
    const endSession = d.end_session_endpoint;
    const registered = client?.post_logout_redirect_uris?.[0];
    const endSessionUrl = (redirect: string) => {
      const url = new URL(endSession);
      url.searchParams.set('post_logout_redirect_uri', redirect);
      if (client) url.searchParams.set('client_id', client.client_id);
      return url.toString();
    };
    await f.run('hub.open-redirect.post-logout', t.hubUrl, 'post_logout_redirect_uri is allow-listed', 'Logout is reachable without authentication; an unchecked post-logout redirect is an open redirect.', async () => {
      // The registered URI opens the logout confirmation (200); a foreign one must be an error.
      const baseline = registered ? await probe(endSessionUrl(registered)) : undefined;
      const { chain, last } = await followForeign(endSessionUrl(EVIL), 4);
      const evidence = [...(baseline ? [{ ...baseline.evidence, request: `[registered] ${baseline.evidence.request}` }] : []), { ...last.evidence, request: `[foreign] ${last.evidence.request}` }];
      if (chain.some(isEvil)) return { verdict: 'fail', detail: 'The end-session endpoint redirected to evil.example.', evidence };
      if (last.status < 400) return { verdict: 'fail', detail: `A foreign post_logout_redirect_uri was not refused (answer ${last.status}${baseline ? `, the registered one answered ${baseline.status}` : ''}): the logout would end there.`, evidence };
      return { verdict: 'pass', detail: `Refused (${last.status})${baseline ? `, while the registered URI is accepted (${baseline.status})` : ''}.`, evidence };
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
