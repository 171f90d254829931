import { createHash, randomBytes } from 'node:crypto';
import type { AuditTarget, Discovery, Findings, RegistryClient } from '../audit-context.ts';
import { BrowserSession, readForm } from '../browser-session.ts';
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
  const policy: [string, string, string][] = [
    ['hub.pkce.required', 'A request without PKCE is refused', 'Without PKCE, a stolen authorization code can be redeemed by whoever intercepted it.'],
    ['hub.pkce.plain-refused', 'PKCE method plain is refused', 'With plain, the challenge equals the verifier, so PKCE protects nothing against an observer of the request.'],
    ['hub.redirect-uri.exact', 'Redirect URIs match exactly', 'Any looser matching lets an attacker have the code delivered to a URL they control.'],
  ];
  if (!client?.redirect_uris[0]) {
    for (const [id, title, why] of policy) {
      f.add(id, t.hubUrl, title, 'inconclusive', 'No registered client with a redirect URI is known, and each probe varies one parameter of a request a client could make.', why, [], {
        howToRun: 'Give the admin API (--admin-url and --token, or SSOHUB_ADMIN_TOKEN) so the audit reads the registry, or --app URL,client=ID.',
      });
    }
    return;
  }
  const baseline = await probe(authorizeUrl(d, client, {}));
  const target = `${t.hubUrl} (client ${client.client_id})`;
  if (outcomeOf(baseline, t.hubUrl) !== 'accepted') {
    // A refusal of the unchanged request would make every refusal below meaningless, not a pass.
    for (const [id, title, why] of policy) {
      f.add(id, target, title, 'inconclusive', `A well-formed authorization request for ${client.client_id} was refused (${baseline.status}), so a refusal of a changed one proves nothing.`, why, [baseline.evidence], {
        howToRun: `Check that client ${client.client_id} is enabled for the code flow with the scope openid (ssohub clients show ${client.client_id}).`,
      });
    }
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
      const baseline = registered ? await probe(endSessionUrl(registered)) : undefined;
      const walk = await logoutAsBrowser(endSessionUrl(EVIL), new URL(t.hubUrl).origin);
      const evidence = [...(baseline ? [{ ...baseline.evidence, request: `[registered] ${baseline.evidence.request}` }] : []), ...walk.evidence];
      const urls = [endSessionUrl(EVIL)];
      if (walk.leak) return { verdict: 'fail', detail: `A browser following the logout ${walk.leak}.`, evidence, urls };
      return {
        verdict: 'pass',
        detail: `A browser following the logout with a foreign post_logout_redirect_uri (${EVIL}) ends at ${redactUrl(walk.end)} (${walk.status}) and never reaches evil.example${walk.confirmed ? ' (the confirmation form submitted too)' : ''}${baseline ? `; the registered URI answers ${baseline.status}` : ''}.`,
        evidence,
        urls,
      };
    });
  }
}

/**
 * Follows an end-session request as a browser does: redirects, and the logout confirmation form
 * submitted as a user who clicks it would. Reports a leak when any answer sends the browser to the
 * foreign host (a redirect, a meta refresh, the form's action or a link on the final page).
 */
async function logoutAsBrowser(start: string, hubOrigin: string): Promise<{ leak: string | undefined; end: string; status: number; confirmed: boolean; evidence: Evidence[] }> {
  const browser = new BrowserSession();
  const stay = (u: URL) => u.hostname !== 'evil.example';
  let last = await browser.go(start, { stay, maxHops: 8 });
  let confirmed = false;
  const form = last.status === 200 && new URL(last.url).origin === hubOrigin ? readForm(last) : undefined;
  if (form && !isEvil(form.action) && form.method === 'post') {
    confirmed = true;
    last = await browser.go(form.action, { form: form.fields, stay, maxHops: 8 });
  }
  const evidence: Evidence[] = browser.hops.map((h) => ({ request: `${h === browser.hops[0] ? '[foreign] ' : ''}GET ${redactUrl(h.url)}`, answer: `${h.status}${h.location ? `\nLocation: ${redactUrl(h.location)}` : ''}` }));
  if (confirmed && evidence.length > 1) {
    const i = browser.hops.findIndex((h) => h.url === form?.action);
    if (i >= 0) evidence[i] = { request: `POST ${redactUrl(form!.action)} (the confirmation form, as the user clicks it)\n${Object.keys(form!.fields).map((k) => `${k}=[redacted]`).join('&')}`, answer: evidence[i]!.answer };
  }
  const redirected = browser.hops.find((h) => isEvil(h.location));
  if (redirected) return { leak: `was redirected to ${redirected.location} by ${redactUrl(redirected.url)}`, end: redirected.location!, status: redirected.status, confirmed, evidence };
  if (form && isEvil(form.action)) return { leak: `was shown a form that posts to ${form.action}`, end: last.url, status: last.status, confirmed, evidence };
  const refresh = /<meta[^>]+http-equiv=["']?refresh["']?[^>]*content=["'][^"']*url=([^"'>\s]+)/i.exec(last.body)?.[1];
  if (refresh && isEvil(new URL(refresh, last.url).toString())) return { leak: `was sent on by a meta refresh to ${refresh}`, end: last.url, status: last.status, confirmed, evidence };
  const link = /<a\b[^>]*href=["'](https?:\/\/evil\.example[^"']*)/i.exec(last.body)?.[1];
  if (link) return { leak: `ended on a page that links to ${link}`, end: last.url, status: last.status, confirmed, evidence };
  return { leak: undefined, end: last.url, status: last.status, confirmed, evidence };
}
