import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { AppTarget, AuditTarget, Discovery, Findings, RegistryClient } from '../audit-context.ts';
import { httpRequest } from '../audit-http.ts';
import { BrowserSession, submitPasswordLogin } from '../browser-session.ts';
import { probe } from '../probe.ts';
import type { Evidence } from '../report.ts';
import { redactUrl } from '../redact.ts';
import { cookieProblems } from './hub-transport.ts';
import { issueTokens, type ProbeTokens } from './signin-probes.ts';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function logoutClaims(issuer: string, aud: string) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer, aud, iat: now, exp: now + 120, jti: randomBytes(12).toString('base64url'), sid: randomBytes(12).toString('base64url'), events: { [EVENT]: {} } };
}

/** A logout token with `alg: none`: no signature at all. */
function unsignedToken(issuer: string, aud: string): string {
  return `${b64({ alg: 'none', typ: 'logout+jwt' })}.${b64(logoutClaims(issuer, aud))}.`;
}

/** A well-formed logout token signed by a key the hub never published. */
function forgedToken(issuer: string, aud: string): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const input = `${b64({ alg: 'ES256', typ: 'logout+jwt', kid: 'forged' })}.${b64(logoutClaims(issuer, aud))}`;
  const sig = createSign('SHA256').update(input).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${input}.${sig}`;
}

/** Asks the hub (admin API) to sign a genuine logout token for `clientId` with a random sid that matches no session. */
async function mintLogoutToken(t: AuditTarget, clientId: string): Promise<string | undefined> {
  if (!t.adminUrl || !t.adminToken) return undefined;
  const res = await httpRequest(`${t.adminUrl}/admin/clients/${encodeURIComponent(clientId)}/logout-token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.adminToken}`, accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ sid: `isolation-audit-${randomBytes(8).toString('hex')}` }),
  });
  if (res.status !== 200) return undefined;
  return (JSON.parse(res.body) as { logout_token?: string }).logout_token;
}

export function clientOfApp(app: AppTarget, clients: RegistryClient[]): RegistryClient | undefined {
  if (app.clientId) return clients.find((c) => c.client_id === app.clientId);
  const origin = new URL(app.url).origin;
  return clients.find((c) => c.redirect_uris.some((u) => new URL(u).origin === origin));
}

export async function checkApp(
  t: AuditTarget,
  f: Findings,
  d: Discovery,
  app: AppTarget,
  client: RegistryClient | undefined,
  probeTokens: ProbeTokens | undefined,
): Promise<void> {
  const target = `app ${app.url}${client ? ` (client ${client.client_id})` : ''}`;
  const appHost = new URL(app.url).hostname;
  const hubHost = new URL(t.hubUrl).hostname;

  await f.run('app.session-cookie', target, "The app's session cookie is host-only on its own host, with the right flags", 'A cookie shared with other hosts, readable by scripts, sent over http or on cross-site requests undoes the isolation of this app’s session.', async () => {
    if (!t.testUser) return { verdict: 'inconclusive', detail: 'Needs a test user to sign in through the app.', howToRun: 'Give --test-user email:password of a dedicated account.' };
    const browser = new BrowserSession();
    let last = await browser.go(`${app.url}${app.loginPath}`);
    if (last.url.includes('/login?flow=')) last = await submitPasswordLogin(browser, t.hubUrl, last, t.testUser, () => true);
    const appHops = browser.hops.filter((h) => new URL(h.url).hostname === appHost);
    const sessionCookies = appHops.flatMap((h) => h.setCookies).filter((c) => !/max-age=0/i.test(c) && !/expires=thu, 01 jan 1970/i.test(c));
    if (sessionCookies.length === 0) {
      return { verdict: 'inconclusive', detail: `Signing in through ${app.loginPath} set no cookie on ${appHost} (last answer ${last.status} at ${redactUrl(last.url)}), so there is no session cookie to judge.`, howToRun: `Check the app's sign-in path (--app ${app.url},login=/path) and that the test user can sign in there.` };
    }
    const secure = app.url.startsWith('https:');
    const problems = sessionCookies.flatMap((c) => cookieProblems(c, { requireSecure: secure, requireHostPrefix: secure }));
    const leaked = browser.cookieNamesFor(hubHost).filter((n) => browser.cookieNamesFor(appHost).includes(n) && !appHops.some((h) => h.setCookies.some((c) => c.startsWith(`${n}=`))));
    if (leaked.length) problems.push(`hub cookies visible to the app: ${leaked.join(', ')}`);
    const evidence = appHops.filter((h) => h.setCookies.length).map((h) => ({ request: `GET ${new URL(h.url).origin}${new URL(h.url).pathname}`, answer: `${h.status}\n${h.setCookies.map((c) => `Set-Cookie: ${c.split('=')[0]}=[redacted]; ${c.split(';').slice(1).join(';').trim()}`).join('\n')}` }));
    // Say only what was seen: over http, Secure is not required, so it is named only when every cookie has it.
    const allSecure = sessionCookies.every((c) => c.split(';').slice(1).some((a) => a.trim().toLowerCase() === 'secure'));
    const flags = ['host-only', ...(allSecure ? ['Secure'] : []), 'HttpOnly', 'SameSite', ...(secure ? ['__Host-'] : [])].join(', ');
    const note = secure || allSecure ? '' : ' (Secure is not judged over http; hub.https and the app URL judge the transport)';
    return problems.length ? { verdict: 'fail', detail: problems.join('; '), evidence } : { verdict: 'pass', detail: `${sessionCookies.length} cookie(s) set by ${appHost}, all ${flags}${note}.`, evidence };
  });

  await f.run('app.open-redirect.return-to', target, "The app's sign-in refuses a foreign returnTo", 'An app that sends the browser wherever returnTo says after sign-in is an open redirect with the trust of a fresh sign-in, a classic phishing step.', async () => {
    if (!t.testUser) return { verdict: 'inconclusive', detail: 'Needs a test user to complete a sign-in through the app.', howToRun: 'Give --test-user email:password of a dedicated account.' };
    const testUser = t.testUser;
    const appOrigin = new URL(app.url).origin;
    const variants = ['https://evil.example/phish', '//evil.example/phish', '/\\evil.example/phish', 'https:evil.example/phish'];
    const browser = new BrowserSession();
    const leaks: string[] = [];
    const evidence = [];
    for (const v of variants) {
      const start = new URL(`${app.url}${app.loginPath}`);
      start.searchParams.set('returnTo', v);
      start.searchParams.set('return_to', v);
      const stay = (u: URL) => u.hostname !== 'evil.example';
      const before = browser.hops.length;
      let last = await browser.go(start.toString(), { stay });
      if (last.url.includes('/login?flow=')) last = await submitPasswordLogin(browser, t.hubUrl, last, testUser, stay);
      const hops = browser.hops.slice(before);
      const leaked = hops.find((h) => h.location && new URL(h.location).hostname === 'evil.example');
      const back = [...hops].reverse().find((h) => new URL(h.url).origin === appOrigin);
      evidence.push({ request: `GET ${redactUrl(start.toString())} (sign-in followed to the end)`, answer: `${leaked ? `${leaked.status} Location: ${redactUrl(leaked.location!)}` : `${last.status} at ${redactUrl(last.url)}${last.location ? ` → ${redactUrl(last.location)}` : ''}`}${back && back !== last ? `\nlast answer of the app: ${back.status} at ${redactUrl(back.url)}` : ''}` });
      if (leaked) leaks.push(v);
    }
    return leaks.length
      ? { verdict: 'fail', detail: `After sign-in the app redirected to evil.example for returnTo ${leaks.join(', ')}.`, evidence }
      : { verdict: 'pass', detail: `${variants.length} foreign returnTo variants refused or kept on the app: ${variants.join(', ')}.`, evidence };
  });

  const bcl = client?.backchannel_logout_uri;
  const bclWhy = 'The back-channel endpoint ends sessions on request; if it accepts a token the hub did not sign for this app, anyone can log users out or replay a logout.';
  if (!client || !bcl) {
    const titles: [string, string][] = [
      ['app.backchannel.refuses-unsigned', 'The back-channel endpoint refuses an unsigned logout token'],
      ['app.backchannel.refuses-forged', 'The back-channel endpoint refuses a token signed by another key'],
      ['app.backchannel.refuses-wrong-audience', 'The back-channel endpoint refuses a genuine token for another client'],
      ['app.backchannel.refuses-replay', 'The back-channel endpoint refuses a replayed token'],
    ];
    for (const [id, title] of titles) {
      if (client) f.add(id, target, title, 'skipped', `Client ${client.client_id} has no back-channel logout URI, so there is no endpoint to probe (client.backchannel-logout reports the missing URI).`, bclWhy);
      else {
        f.add(id, target, title, 'inconclusive', 'No registered client is known for this app, so its back-channel endpoint is unknown.', bclWhy, [], {
          howToRun: t.adminToken ? `Give the app's client id: --app ${app.url},client=ID.` : 'Give the admin API (--admin-url and --token) so the audit reads the registry.',
        });
      }
    }
  } else {
    await f.run('app.backchannel.refuses-unsigned', target, 'The back-channel endpoint refuses an unsigned logout token', bclWhy, async () => {
      const res = await probe(bcl, { form: { logout_token: unsignedToken(d.issuer, client.client_id) } });
      return res.status >= 400 ? { verdict: 'pass', detail: `Refused (${res.status}).`, evidence: [res.evidence] } : { verdict: 'fail', detail: `Accepted an alg=none token (${res.status}).`, evidence: [res.evidence] };
    });
    await f.run('app.backchannel.refuses-forged', target, 'The back-channel endpoint refuses a token signed by another key', bclWhy, async () => {
      const res = await probe(bcl, { form: { logout_token: forgedToken(d.issuer, client.client_id) } });
      return res.status >= 400 ? { verdict: 'pass', detail: `Refused (${res.status}).`, evidence: [res.evidence] } : { verdict: 'fail', detail: `Accepted a token signed by an unknown key (${res.status}).`, evidence: [res.evidence] };
    });
    await f.run('app.backchannel.refuses-wrong-audience', target, 'The back-channel endpoint refuses a genuine token for another client', bclWhy, async () => {
      const other = probeTokens?.clientId;
      const token = other ? await mintLogoutToken(t, other) : undefined;
      if (!token) return { verdict: 'inconclusive', detail: 'Needs a genuine logout token for another client (the audit client), which the hub signs through the admin API.', howToRun: 'Give --admin-url with --token and --test-user (the audit client exists only while the sign-in probes run).' };
      const res = await probe(bcl, { form: { logout_token: token } });
      return res.status >= 400 ? { verdict: 'pass', detail: `Refused (${res.status}).`, evidence: [res.evidence] } : { verdict: 'fail', detail: `Accepted a token whose aud is ${other} (${res.status}).`, evidence: [res.evidence] };
    });
    await f.run('app.backchannel.refuses-replay', target, 'The back-channel endpoint refuses a replayed token', bclWhy, async () => {
      const token = await mintLogoutToken(t, client.client_id);
      if (!token) return { verdict: 'inconclusive', detail: 'Needs a genuine, harmless logout token for this client (a sid that matches no session), which the hub signs through the admin API.', howToRun: 'Give --admin-url with --token (or SSOHUB_ADMIN_TOKEN).' };
      const first = await probe(bcl, { form: { logout_token: token } });
      const second = await probe(bcl, { form: { logout_token: token } });
      if (first.status >= 400) {
        return { verdict: 'inconclusive', detail: `A genuine token was refused (${first.status}), so replay protection cannot be told apart from a broken endpoint.`, evidence: [first.evidence], howToRun: "Check that the app verifies logout tokens against this hub's issuer and JWKS (its back-channel endpoint must accept the hub's own tokens)." };
      }
      return second.status >= 400 ? { verdict: 'pass', detail: `First delivery accepted (${first.status}), replay refused (${second.status}).`, evidence: [first.evidence, second.evidence] } : { verdict: 'fail', detail: `The same token was accepted twice (${second.status}).`, evidence: [first.evidence, second.evidence] };
    });
  }

  await f.run(
    'app.token-confusion',
    target,
    "The app's API refuses a refresh token, an ID token and another client's access token (401)",
    'Tokens are audience-bound: a token a user gave app X must not open their data at app Y. Only access tokens open an API: a refresh token accepted there works for its whole lifetime without the client secret, and an ID token is proof of a sign-in, not a credential. An API that answers 503 to such a bearer lets anyone fake an outage.',
    async () => {
      if (!app.apiPath) return { verdict: 'inconclusive', detail: 'No API path of the app is known.', howToRun: `Give a path that takes a bearer token: --app ${app.url},api=/api/me (or --skip app.token-confusion for an app without an API).` };
      if (!probeTokens) return { verdict: 'inconclusive', detail: 'Needs tokens of another client, issued to the audit client by the sign-in probes.', howToRun: 'Give --admin-url with --token and --test-user.' };
      const tokens = await issueTokens(d, probeTokens);
      const presented: { label: string; token: string; refused: (status: number) => boolean; expect: string }[] = [
        { label: `access token of ${probeTokens.clientId}`, token: tokens.accessToken, refused: (s) => s === 401 || s === 403, expect: '401 or 403' },
        ...(tokens.refreshToken ? [{ label: `refresh token of ${probeTokens.clientId}`, token: tokens.refreshToken, refused: (s: number) => s === 401, expect: '401' }] : []),
        ...(tokens.idToken ? [{ label: `ID token of ${probeTokens.clientId}`, token: tokens.idToken, refused: (s: number) => s === 401, expect: '401' }] : []),
      ];
      const evidence: Evidence[] = [];
      const problems: string[] = [];
      for (const p of presented) {
        const res = await probe(`${app.url}${app.apiPath}`, { headers: { authorization: `Bearer ${p.token}`, accept: 'application/json' } });
        res.evidence.request = `${res.evidence.request}\nAuthorization: Bearer [${p.label}]`;
        evidence.push(res.evidence);
        if (!p.refused(res.status)) problems.push(`answered ${res.status} to the ${p.label} (expected ${p.expect}${res.status === 503 ? '; a 503 means any bearer can fake an outage' : ''})`);
      }
      const missing = [tokens.refreshToken ? '' : 'refresh token', tokens.idToken ? '' : 'ID token'].filter(Boolean);
      const note = missing.length ? ` The hub issued no ${missing.join(' or ')} to the audit client, so ${missing.length > 1 ? 'those were' : 'that was'} not presented.` : '';
      return problems.length
        ? { verdict: 'fail', detail: `The API ${problems.join('; ')}.${note}`, evidence }
        : { verdict: 'pass', detail: `Refused: ${presented.map((p, i) => `${p.label} (${evidence[i]!.answer.split('\n')[0]})`).join(', ')}.${note}`, evidence };
    },
  );
}
