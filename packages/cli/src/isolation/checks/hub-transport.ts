import type { AuditTarget, Discovery, Findings } from '../audit-context.ts';
import { isLoopbackHost } from '../audit-http.ts';
import { probe } from '../probe.ts';
import { redactSetCookie } from '../redact.ts';

/** Issuer and endpoints on https, discovery consistent with the issuer, RFC 9207 and S256 advertised. */
export async function checkDiscovery(t: AuditTarget, f: Findings): Promise<Discovery | undefined> {
  let discovery: Discovery | undefined;
  const url = `${t.issuer}/.well-known/openid-configuration`;
  await f.run(
    'hub.discovery.consistent',
    t.hubUrl,
    'Discovery document matches the issuer',
    'Clients trust every endpoint the discovery document names; an endpoint on another origin or an issuer mismatch lets an attacker redirect tokens.',
    async () => {
      const res = await probe(url, { headers: { accept: 'application/json' } });
      const cannot = { verdict: 'inconclusive' as const, evidence: [res.evidence], urls: [url], howToRun: `Check --hub and --issuer: the discovery document must be at ${url}.` };
      if (res.status !== 200) return { ...cannot, detail: `Discovery answered ${res.status}, so no other hub check can run.` };
      try {
        discovery = JSON.parse(res.body) as Discovery;
      } catch {
        return { ...cannot, detail: 'Discovery did not answer JSON.' };
      }
      const problems: string[] = [];
      if (discovery.issuer !== t.issuer) problems.push(`issuer is ${discovery.issuer}, expected ${t.issuer}`);
      const origin = new URL(t.issuer).origin;
      for (const [k, v] of Object.entries(discovery)) {
        if (k.endsWith('_endpoint') || k === 'jwks_uri') {
          if (typeof v === 'string' && new URL(v).origin !== origin) problems.push(`${k} is on another origin (${new URL(v).origin})`);
        }
      }
      return problems.length
        ? { verdict: 'fail', detail: problems.join('; '), evidence: [res.evidence] }
        : { verdict: 'pass', detail: `Issuer ${discovery.issuer}; every endpoint is on ${origin}.`, evidence: [res.evidence], urls: [url] };
    },
  );
  if (!discovery) return undefined;
  const d = discovery;
  await f.run('hub.https', t.hubUrl, 'Issuer and endpoints use https', 'Over plain http, codes, tokens and session cookies can be read or changed on the network.', async () => {
    const endpoints = [d.issuer, d.authorization_endpoint, d.token_endpoint, d.jwks_uri, d.end_session_endpoint].filter((u): u is string => typeof u === 'string');
    const http = endpoints.filter((u) => !u.startsWith('https://'));
    // Browsers treat loopback hosts as secure over http (a local demo); nothing crosses a network.
    if (http.length && http.every((u) => isLoopbackHost(new URL(u).hostname))) {
      return { verdict: 'skipped', detail: `The hub runs on a loopback host over http (${new URL(d.issuer).host}), which browsers treat as secure and no network can observe; https is required on any other host.`, urls: endpoints };
    }
    return http.length ? { verdict: 'fail', detail: `Not https: ${http.join(', ')}`, urls: http } : { verdict: 'pass', detail: 'Issuer and every endpoint use https.', urls: endpoints };
  });
  await f.run('hub.iss-parameter', t.hubUrl, 'Authorization responses carry iss (RFC 9207)', 'Without iss in the response, a client talking to several issuers can be tricked into sending a code to the wrong one (mix-up attack).', async () =>
    d.authorization_response_iss_parameter_supported === true
      ? { verdict: 'pass', detail: 'authorization_response_iss_parameter_supported is true.' }
      : { verdict: 'fail', detail: 'The provider does not advertise iss in authorization responses.' },
  );
  await f.run('hub.pkce.methods', t.hubUrl, 'Only S256 is offered for PKCE', 'The plain method sends the verifier itself as the challenge, so an intercepted request reveals it.', async () => {
    const methods = d.code_challenge_methods_supported ?? [];
    return methods.length === 1 && methods[0] === 'S256'
      ? { verdict: 'pass', detail: 'code_challenge_methods_supported is ["S256"].' }
      : { verdict: 'fail', detail: `code_challenge_methods_supported is ${JSON.stringify(methods)}.` };
  });
  return discovery;
}

/**
 * Cookies of the login domain: host-only, Secure, HttpOnly, SameSite. Checks the CSRF cookie of a
 * fresh login flow and, when the sign-in probes ran, every cookie the hub set during a real
 * sign-in (the Kratos session cookie and the provider's interaction and session cookies).
 */
export async function checkHubCookies(t: AuditTarget, f: Findings, signInCookies: string[] | undefined): Promise<void> {
  await f.run(
    'hub.cookies.flags',
    t.hubUrl,
    "Login-domain cookies are host-only, Secure, HttpOnly and SameSite",
    'A Domain attribute would share the session with sibling hosts; without Secure it travels over http; without HttpOnly scripts can steal it; without SameSite it rides along on cross-site requests.',
    async () => {
      const res = await probe(`${t.hubUrl}/self-service/login/browser`);
      const fromFlow = res.headers.getSetCookie();
      if (fromFlow.length === 0) {
        return { verdict: 'inconclusive', detail: `Starting a login flow set no cookie (expected Kratos' CSRF cookie), so there is nothing to judge.`, evidence: [res.evidence], howToRun: 'Check that --hub is the login domain and that it serves /self-service/login/browser.' };
      }
      const live = (signInCookies ?? []).filter((c) => !/max-age=(0|-)/i.test(c) && !/expires=thu, 01 jan 1970/i.test(c) && !/^[^=]+=;/.test(c));
      const cookies = [...fromFlow, ...live];
      const evidence = [res.evidence, ...(live.length ? [{ request: `sign-in of the test user at ${t.hubUrl} (cookies the hub set)`, answer: [...new Map(live.map((c) => [c.split('=')[0], `Set-Cookie: ${redactSetCookie(c)}`])).values()].join('\n') }] : [])];
      const problems = [...new Set(cookies.flatMap((c) => cookieProblems(c, { requireSecure: t.hubUrl.startsWith('https:') })))];
      const names = [...new Set(cookies.map((c) => c.split('=')[0]))];
      const scope = signInCookies ? 'the login flow and a real sign-in' : 'the login flow only (give --admin-url, --token and --test-user to check the session cookies too)';
      const urls = [`${t.hubUrl}/self-service/login/browser`];
      return problems.length
        ? { verdict: 'fail', detail: problems.join('; '), evidence, urls }
        : { verdict: 'pass', detail: `${names.length} cookie(s) from ${scope}: ${names.join(', ')}${t.hubUrl.startsWith('https:') ? '' : ' (Secure is not judged over http; hub.https judges the transport)'}.`, evidence, urls };
    },
  );
}

/** Problems of one Set-Cookie header against the hub's cookie policy. */
export function cookieProblems(header: string, { requireSecure, requireHostPrefix = false }: { requireSecure: boolean; requireHostPrefix?: boolean }): string[] {
  const name = header.split('=')[0]?.trim() ?? '';
  const attrs = header.split(';').slice(1).map((a) => a.trim().toLowerCase());
  const has = (a: string) => attrs.some((x) => x === a || x.startsWith(`${a}=`));
  const problems: string[] = [];
  if (has('domain')) problems.push(`${name} has a Domain attribute (not host-only): ${redactSetCookie(header)}`);
  if (requireSecure && !has('secure')) problems.push(`${name} lacks Secure`);
  if (!has('httponly')) problems.push(`${name} lacks HttpOnly`);
  const sameSite = attrs.find((a) => a.startsWith('samesite='))?.split('=')[1];
  if (!sameSite || sameSite === 'none') problems.push(`${name} has SameSite=${sameSite ?? 'unset'}`);
  if (requireHostPrefix && !name.startsWith('__Host-')) problems.push(`${name} lacks the __Host- prefix`);
  return problems;
}

/**
 * The login pages' security headers: CSP with frame-ancestors and nosniff (`hub.headers.security`),
 * and HSTS (`hub.headers.hsts`), which only means something over https: browsers ignore it over
 * http, so there the check is skipped and says so.
 */
export async function checkHubHeaders(t: AuditTarget, f: Findings): Promise<void> {
  const url = `${t.hubUrl}/login`;
  let answer: Awaited<ReturnType<typeof probe>> | undefined;
  const login = async () => {
    answer ??= await probe(url);
    return answer;
  };
  await f.run(
    'hub.headers.security',
    t.hubUrl,
    "Login pages send CSP with frame-ancestors 'none' and nosniff",
    'Without frame-ancestors the login page can be framed for clickjacking; without nosniff a browser may run an upload as a script.',
    async () => {
      const res = await login();
      const csp = res.headers.get('content-security-policy') ?? '';
      const problems: string[] = [];
      if (!/frame-ancestors\s+'none'/.test(csp) && res.headers.get('x-frame-options')?.toUpperCase() !== 'DENY') problems.push("no frame-ancestors 'none' (nor X-Frame-Options: DENY)");
      if (!csp) problems.push('no Content-Security-Policy');
      const nosniff = res.headers.get('x-content-type-options');
      if (nosniff !== 'nosniff') problems.push('no X-Content-Type-Options: nosniff');
      const evidence = [{ ...res.evidence, answer: `${res.evidence.answer}\nContent-Security-Policy: ${csp || '(none)'}\nX-Content-Type-Options: ${nosniff ?? '(none)'}` }];
      return problems.length
        ? { verdict: 'fail', detail: problems.join('; '), evidence, urls: [url] }
        : { verdict: 'pass', detail: "Content-Security-Policy with frame-ancestors 'none' and X-Content-Type-Options: nosniff are present.", evidence, urls: [url] };
    },
  );
  await f.run(
    'hub.headers.hsts',
    t.hubUrl,
    'Login pages send Strict-Transport-Security (on https)',
    'Without HSTS a first visit typed without https:// can be downgraded to http and the login page replaced.',
    async () => {
      if (!t.hubUrl.startsWith('https:')) {
        return { verdict: 'skipped', detail: 'The hub is served over http, where browsers ignore Strict-Transport-Security; HSTS is only checked on https (hub.https judges the transport).', urls: [url] };
      }
      const res = await login();
      const hsts = res.headers.get('strict-transport-security');
      const evidence = [{ ...res.evidence, answer: `${res.evidence.answer}\nStrict-Transport-Security: ${hsts ?? '(none)'}` }];
      const maxAge = Number(/max-age=(\d+)/i.exec(hsts ?? '')?.[1] ?? Number.NaN);
      if (!hsts) return { verdict: 'fail', detail: 'No Strict-Transport-Security header.', evidence, urls: [url] };
      if (!(maxAge >= 100_000)) return { verdict: 'fail', detail: `Strict-Transport-Security has max-age ${Number.isNaN(maxAge) ? '(missing)' : maxAge}, below 100000 s.`, evidence, urls: [url] };
      return { verdict: 'pass', detail: `Strict-Transport-Security: ${hsts}.`, evidence, urls: [url] };
    },
  );
}
