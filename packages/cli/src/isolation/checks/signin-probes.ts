import { createHash, randomBytes } from 'node:crypto';
import type { AuditTarget, Discovery, Findings } from '../audit-context.ts';
import { CheckCannotRun, httpRequest } from '../audit-http.ts';
import { BrowserSession, submitPasswordLogin } from '../browser-session.ts';
import { probe } from '../probe.ts';

const PROBE_REDIRECT = 'https://isolation-audit.invalid/callback';

export interface ProbeTokens {
  clientId: string;
  secret: string;
  browser: BrowserSession;
}

/** The tokens of one code redemption by the audit's own client. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string | undefined;
  idToken: string | undefined;
}

/**
 * Signs in again through single sign-on (the browser still holds the hub session) and redeems
 * the code: a fresh, active access token of the audit's own client for audience probes, with the
 * refresh token (the audit client is allowed the grant) and the ID token the redemption issued.
 */
export async function issueTokens(d: Discovery, p: ProbeTokens): Promise<IssuedTokens> {
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL(d.authorization_endpoint);
  for (const [k, v] of Object.entries({
    client_id: p.clientId, response_type: 'code', scope: 'openid', redirect_uri: PROBE_REDIRECT,
    state: randomBytes(8).toString('base64url'), nonce: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  })) auth.searchParams.set(k, v);
  const last = await p.browser.go(auth.toString(), { stay: (u) => u.origin !== new URL(PROBE_REDIRECT).origin });
  const code = last.location ? new URL(last.location).searchParams.get('code') : null;
  if (!code) throw new CheckCannotRun('single sign-on for the audit client did not end with a code', 'Check that the test user can sign in at the hub (--test-user) and that the admin API may create clients.');
  const res = await probe(d.token_endpoint, { form: { grant_type: 'authorization_code', code, redirect_uri: PROBE_REDIRECT, code_verifier: verifier }, basic: [p.clientId, p.secret], headers: { accept: 'application/json' } });
  const body = JSON.parse(res.body) as { access_token?: string; refresh_token?: string; id_token?: string };
  if (!body.access_token) throw new CheckCannotRun(`redeeming the code of the audit client answered ${res.status}`, 'Check the hub log for the token request of the isolation-audit client.');
  return { accessToken: body.access_token, refreshToken: body.refresh_token, idToken: body.id_token };
}

/** One admin API call; a refusal or an outage makes the calling check inconclusive, with what to fix. */
export async function admin(t: AuditTarget, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await httpRequest(`${t.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${t.adminToken}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    // not JSON: the status says enough
  }
  if (res.status === 401 || res.status === 403) throw new CheckCannotRun(`the admin API refused the token (${method} ${path}: ${res.status})`, 'Give an admin token the hub accepts (--token or SSOHUB_ADMIN_TOKEN).');
  if (res.status < 200 || res.status >= 300) throw new CheckCannotRun(`admin API ${method} ${path} answered ${res.status}: ${JSON.stringify(json).slice(0, 200)}`, 'Check the hub log for this admin request.');
  return json;
}

/**
 * Signs in the test user with a temporary first-party client created for the audit and removed
 * afterwards, then proves that codes are single-use (and that reuse revokes what they issued)
 * and that refresh tokens rotate. Returns an access token of that client for audience probes.
 */
export async function runSignInProbes(t: AuditTarget, f: Findings, d: Discovery): Promise<ProbeTokens | undefined> {
  const why = {
    code: 'A code that works twice can be redeemed by whoever saw it (Referer, logs, history) after the app did.',
    refresh: 'Without rotation, a stolen refresh token stays useful forever; with rotation, reuse is detected.',
  };
  if (!t.adminUrl || !t.adminToken || !t.testUser) {
    const missing = [!t.adminToken ? 'the admin API (--admin-url and --token)' : '', !t.testUser ? 'a test user (--test-user email:password)' : ''].filter(Boolean).join(' and ');
    const reason = `Needs ${missing}: a temporary client signs in a test account.`;
    const howToRun = 'Give --admin-url with --token (or SSOHUB_ADMIN_TOKEN) and --test-user email:password of a dedicated account.';
    f.add('hub.code.single-use', t.hubUrl, 'Authorization codes are single-use', 'inconclusive', reason, why.code, [], { howToRun });
    f.add('hub.refresh.rotation', t.hubUrl, 'Refresh tokens rotate and reuse is refused', 'inconclusive', reason, why.refresh, [], { howToRun });
    return undefined;
  }
  const clientId = `isolation-audit-${randomBytes(4).toString('hex')}`;
  const created = await admin(t, 'POST', '/admin/clients', {
    client_id: clientId,
    client_name: 'Isolation audit (temporary)',
    redirect_uris: [PROBE_REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'openid email offline_access',
    ssohub_first_party: true,
  });
  const secret = String(created.client_secret);
  // Registered at once, so the client is removed even when a later check throws.
  cleanups.push(() => admin(t, 'DELETE', `/admin/clients/${encodeURIComponent(clientId)}`).then(() => undefined));
  // The test account's sessions (Kratos and provider) end with the audit too.
  const user = t.testUser;
  cleanups.push(() => admin(t, 'DELETE', `/admin/identities/${encodeURIComponent(user.email)}/sessions`).then(() => undefined));
  {
    const verifier = randomBytes(32).toString('base64url');
    const auth = new URL(d.authorization_endpoint);
    for (const [k, v] of Object.entries({
      client_id: clientId,
      response_type: 'code',
      scope: 'openid email offline_access',
      prompt: 'consent',
      redirect_uri: PROBE_REDIRECT,
      state: randomBytes(8).toString('base64url'),
      nonce: randomBytes(8).toString('base64url'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    })) auth.searchParams.set(k, v);
    const browser = new BrowserSession();
    const stay = (u: URL) => u.origin !== new URL(PROBE_REDIRECT).origin;
    let last = await browser.go(auth.toString(), { stay });
    if (last.url.includes('/login?flow=')) last = await submitPasswordLogin(browser, t.hubUrl, last, t.testUser, stay);
    const code = last.location ? new URL(last.location).searchParams.get('code') : null;
    if (!code) throw new CheckCannotRun(`the sign-in of the test user did not end with a code at the audit client (last answer ${last.status} at ${last.url.replace(/\?.*$/, '')})`, 'Check that the test user can sign in at the hub with a password, has a verified address and no second factor.');

    const redeem = () => probe(d.token_endpoint, { form: { grant_type: 'authorization_code', code, redirect_uri: PROBE_REDIRECT, code_verifier: verifier }, basic: [clientId, secret], headers: { accept: 'application/json' } });
    const first = await redeem();
    if (first.status !== 200) throw new CheckCannotRun(`redeeming the code of the audit client answered ${first.status}`, 'Check the hub log for the token request of the isolation-audit client.');
    const tokens = JSON.parse(first.body) as { access_token: string; refresh_token?: string };
    const second = await redeem();
    const introspect = d.introspection_endpoint
      ? await probe(d.introspection_endpoint, { form: { token: tokens.access_token }, basic: [clientId, secret], headers: { accept: 'application/json' } })
      : undefined;
    const stillActive = introspect ? (JSON.parse(introspect.body) as { active?: boolean }).active === true : undefined;
    const reuseRefused = second.status === 400 && /invalid_grant/.test(second.body);
    f.add(
      'hub.code.single-use',
      t.hubUrl,
      'Authorization codes are single-use, and reuse revokes what they issued',
      reuseRefused && stillActive !== true ? 'pass' : 'fail',
      !reuseRefused ? `A second redemption answered ${second.status}.` : stillActive ? 'Reuse was refused, but the access token from the first redemption stayed active.' : 'The second redemption was refused (invalid_grant) and the first access token was revoked.',
      why.code,
      [first.evidence, second.evidence, ...(introspect ? [introspect.evidence] : [])],
    );

    // The first redemption's grant was revoked by the code reuse; sign in again for a clean pair.
    await checkRefreshRotation(t, f, d, { clientId, secret, browser, why: why.refresh });
    return { clientId, secret, browser };
  }
}

/** Work to do once every probe that needs the audit client has run (deleting the client). */
export const cleanups: (() => Promise<void>)[] = [];

async function checkRefreshRotation(
  t: AuditTarget,
  f: Findings,
  d: Discovery,
  { clientId, secret, browser, why }: { clientId: string; secret: string; browser: BrowserSession; why: string },
): Promise<void> {
  await f.run('hub.refresh.rotation', t.hubUrl, 'Refresh tokens rotate and reuse is refused', why, async () => {
    const verifier = randomBytes(32).toString('base64url');
    const auth = new URL(d.authorization_endpoint);
    for (const [k, v] of Object.entries({
      client_id: clientId, response_type: 'code', scope: 'openid offline_access', prompt: 'consent', redirect_uri: PROBE_REDIRECT,
      state: randomBytes(8).toString('base64url'), nonce: randomBytes(8).toString('base64url'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    })) auth.searchParams.set(k, v);
    const stay = (u: URL) => u.origin !== new URL(PROBE_REDIRECT).origin;
    const last = await browser.go(auth.toString(), { stay });
    const code = last.location ? new URL(last.location).searchParams.get('code') : null;
    if (!code) throw new CheckCannotRun('the second sign-in (single sign-on) did not end with a code', 'Check that the hub keeps the test user signed in between two authorization requests.');
    const first = await probe(d.token_endpoint, { form: { grant_type: 'authorization_code', code, redirect_uri: PROBE_REDIRECT, code_verifier: verifier }, basic: [clientId, secret], headers: { accept: 'application/json' } });
    const rt = (JSON.parse(first.body) as { refresh_token?: string }).refresh_token;
    if (!rt) return { verdict: 'inconclusive', detail: 'No refresh token was issued to the audit client (scope offline_access), so rotation cannot be observed.', evidence: [first.evidence], howToRun: 'Check that the hub issues refresh tokens to first-party clients asking for offline_access.' };
    const refresh = () => probe(d.token_endpoint, { form: { grant_type: 'refresh_token', refresh_token: rt }, basic: [clientId, secret], headers: { accept: 'application/json' } });
    const a = await refresh();
    const rotated = a.status === 200 && (JSON.parse(a.body) as { refresh_token?: string }).refresh_token !== rt;
    const b = await refresh();
    const reuseRefused = b.status === 400 && /invalid_grant/.test(b.body);
    return rotated && reuseRefused
      ? { verdict: 'pass', detail: 'The refresh answered a new refresh token, and using the old one again was refused (invalid_grant).', evidence: [a.evidence, b.evidence] }
      : { verdict: 'fail', detail: `${rotated ? 'Rotated' : 'Did not rotate'}; reuse answered ${b.status}.`, evidence: [a.evidence, b.evidence] };
  });
}
