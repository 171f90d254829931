import { createHash, randomBytes } from 'node:crypto';
import type { AppTarget, AuditTarget, Discovery, Findings, RegistryClient } from '../audit-context.ts';
import { CheckCannotRun, httpRequest } from '../audit-http.ts';
import { BrowserSession, type HeldCookie, type Hop, readForm, submitPasswordLogin } from '../browser-session.ts';
import { probe } from '../probe.ts';
import type { Evidence, FindingTable } from '../report.ts';
import { redactUrl } from '../redact.ts';
import { clientOfApp } from './app-probes.ts';
import { chromiumSignInAtApps, closeChromium } from './chromium-session.ts';
import { admin, type ProbeTokens } from './signin-probes.ts';

/**
 * The live checks with the test user: the cookie map after a sign-in at two apps, and the logout
 * proofs (global logout from the first app ends everything everywhere; local logout leaves the
 * second app alone). Each drives a cookie-keeping browser through the apps' own routes, as a
 * person would, and asks the hub (admin API) what it did.
 */

const DEFAULT_SESSION_PATH = '/account';
const PROBE_REDIRECT = 'https://isolation-audit.invalid/callback';
/** How long a back-channel delivery may take to arrive (the hub delivers from a queue). */
const DELIVERY_WAIT_MS = 10_000;

const sessionPathOf = (app: AppTarget) => app.sessionPath ?? DEFAULT_SESSION_PATH;
const hostOf = (url: string) => new URL(url).hostname;

/**
 * Signs the browser in at each app in turn through its sign-in route: a password at the first,
 * single sign-on at the others (in Chromium with `--browser`). Returns the cookies held afterwards.
 */
async function signInAtApps(t: AuditTarget, apps: AppTarget[], browser: BrowserSession): Promise<HeldCookie[]> {
  if (t.browser) return chromiumSignInAtApps(t, apps, browser);
  const user = t.testUser!;
  const hubOrigin = new URL(t.hubUrl).origin;
  for (const [i, app] of apps.entries()) {
    const before = browser.hops.length;
    let last = await browser.go(`${app.url}${app.loginPath}`);
    if (last.url.includes('/login?flow=')) {
      if (i > 0) throw new CheckCannotRun(`signing in at ${app.url} after ${apps[0]!.url} asked for a password again: single sign-on did not carry over`, 'Check that the hub keeps the test user signed in (its session cookie) between two apps.');
      last = await submitPasswordLogin(browser, t.hubUrl, last, user, () => true);
    }
    if (new URL(last.url).origin !== new URL(app.url).origin || last.status >= 400) {
      throw new CheckCannotRun(`the sign-in at ${app.url}${app.loginPath} ended at ${redactUrl(last.url)} (${last.status}), not back on the app`, `Check the app's sign-in path (--app ${app.url},login=/path) and that the test user may use the app.`);
    }
    // A sign-in that never went through the hub signed nobody in: nothing it shows would be about the hub's sessions.
    if (!browser.hops.slice(before).some((h) => new URL(h.url).origin === hubOrigin)) {
      throw new CheckCannotRun(`${app.url}${app.loginPath} answered ${last.status} without sending the browser to the hub`, `Give the app's sign-in path, the one that redirects to the hub: --app ${app.url},login=/path.`);
    }
  }
  return browser.heldCookies();
}

/** Whether the app treats the browser as signed in, asked the way an API call would (JSON, no redirect followed). */
async function appSession(browser: BrowserSession | undefined, app: AppTarget, replay?: string): Promise<{ signedIn: boolean; evidence: Evidence }> {
  const url = `${app.url}${sessionPathOf(app)}`;
  // `replay`: the cookies held before a logout, sent again, so a session ended only in the browser (cookie cleared) is not taken for ended.
  const cookie = replay ?? browser?.cookieHeader(new URL(url)) ?? '';
  const res = await httpRequest(url, { headers: { accept: 'application/json', ...(cookie ? { cookie } : {}) } });
  const location = res.headers.get('location');
  const sent = replay !== undefined ? '\nCookie: [the app cookies held before the logout, sent again]' : cookie ? '\nCookie: [the browser’s cookies for this host]' : ' (no cookie)';
  return {
    signedIn: res.status >= 200 && res.status < 300,
    evidence: { request: `GET ${redactUrl(url)}${sent}`, answer: `${res.status}${location ? `\nLocation: ${redactUrl(new URL(location, url).toString())}` : ''}` },
  };
}

/** Proves that the session path tells a signed-in browser from an anonymous one, or says how to fix it. */
async function requireSessionContrast(browser: BrowserSession, app: AppTarget): Promise<Evidence[]> {
  const anonymous = await appSession(undefined, app);
  const signedIn = await appSession(browser, app);
  if (anonymous.signedIn || !signedIn.signedIn) {
    throw new CheckCannotRun(
      `${app.url}${sessionPathOf(app)} does not tell a signed-in browser (${signedIn.evidence.answer.split('\n')[0]}) from an anonymous one (${anonymous.evidence.answer.split('\n')[0]})`,
      `Give a path of the app that needs its session (2xx signed in, 401 or a redirect when not): --app ${app.url},session=/path.`,
    );
  }
  return [anonymous.evidence, signedIn.evidence];
}

/** The hub's own Kratos session, asked through its /sessions/whoami with a given cookie header. */
async function whoami(t: AuditTarget, cookie: string): Promise<{ status: number; evidence: Evidence }> {
  const url = `${t.hubUrl}/sessions/whoami`;
  const res = await httpRequest(url, { headers: { accept: 'application/json', ...(cookie ? { cookie } : {}) } });
  return { status: res.status, evidence: { request: `GET ${url}\nCookie: [the hub cookies held before the logout]`, answer: `${res.status}` } };
}

/**
 * Posts one of the app's logout forms the way the app's own page does (same-origin form post), and
 * follows the logout as a browser does, submitting the hub's logout confirmation if it shows one.
 */
async function logoutThroughApp(t: AuditTarget, browser: BrowserSession, app: AppTarget, path: string): Promise<{ last: Hop; evidence: Evidence[] }> {
  const origin = new URL(app.url).origin;
  const before = browser.hops.length;
  let last = await browser.go(`${app.url}${path}`, { form: {}, headers: { origin, 'sec-fetch-site': 'same-origin' } });
  const hubOrigin = new URL(t.hubUrl).origin;
  const form = last.status === 200 && new URL(last.url).origin === hubOrigin ? readForm(last) : undefined;
  if (form && form.method === 'post' && new URL(form.action).origin === hubOrigin) {
    last = await browser.go(form.action, { form: form.fields, headers: { origin: hubOrigin, 'sec-fetch-site': 'same-origin' } });
  }
  const evidence = browser.hops.slice(before).map((h, i) => ({
    request: `${i === 0 || h.url === form?.action ? 'POST' : 'GET'} ${redactUrl(h.url)}`,
    answer: `${h.status}${h.location ? `\nLocation: ${redactUrl(h.location)}` : ''}${h.setCookies.length ? `\n${h.setCookies.map((c) => `Set-Cookie: ${c.split('=')[0]}=…${/max-age=0|expires=thu, 01 jan 1970/i.test(c) ? ' (cleared)' : ''}`).join('\n')}` : ''}`,
  }));
  if (last.status >= 400) throw new CheckCannotRun(`the logout through ${app.url}${path} ended at ${redactUrl(last.url)} with ${last.status}`, `Check the app's logout route (${path}, a same-origin POST as the SDK mounts it).`);
  return { last, evidence };
}

/** A cookie's expiry as a reviewer reads it. */
function expiryOf(c: HeldCookie): string {
  if (c.attributes.maxAge !== undefined) return `Max-Age=${c.attributes.maxAge}`;
  if (c.attributes.expires !== undefined) {
    const at = Date.parse(c.attributes.expires);
    return Number.isNaN(at) ? c.attributes.expires : new Date(at).toISOString().replace(/\.000Z$/, 'Z');
  }
  return 'session';
}

/** The audited host names other than the one that set `c` that a browser sends `c` to (by name: cookies ignore ports and schemes). */
export function readableBy(c: HeldCookie, hosts: string[]): string[] {
  return [...new Set(hosts)].filter((h) => h !== c.setBy && (c.hostOnly ? h === c.host : h === c.host || h.endsWith(`.${c.host}`)));
}

/** The cookie map as a table: one row per cookie the browser holds. */
export function cookieTable(cookies: HeldCookie[], hosts: string[]): FindingTable {
  const rows = cookies
    .slice()
    .sort((a, b) => a.setBy.localeCompare(b.setBy) || a.name.localeCompare(b.name))
    .map((c) => {
      const prefix = c.name.startsWith('__Host-') ? '__Host-' : c.name.startsWith('__Secure-') ? '__Secure-' : '-';
      const others = readableBy(c, hosts);
      return [
        c.setBy,
        c.name,
        c.attributes.secure ? 'yes' : 'no',
        c.attributes.httpOnly ? 'yes' : 'no',
        c.attributes.sameSite ?? 'unset',
        c.hostOnly ? 'host-only' : `Domain=${c.attributes.domain}`,
        // A path can carry an interaction id (oidc-provider's /interaction/<uid>): a sign-in in progress.
        c.attributes.path === undefined ? '(default)' : c.attributes.path.replace(/\/(interaction|auth)\/[A-Za-z0-9_-]{16,}/g, '/$1/[uid]'),
        prefix,
        expiryOf(c),
        others.length ? others.join(', ') : 'none',
      ];
    });
  return { columns: ['host', 'cookie', 'Secure', 'HttpOnly', 'SameSite', 'scope', 'Path', 'prefix', 'expiry', 'also sent to'], rows };
}

export interface LiveChecksInput {
  t: AuditTarget;
  f: Findings;
  d: Discovery;
  clients: RegistryClient[];
  probeTokens: ProbeTokens | undefined;
}

const WHY = {
  cookieMap: 'A cookie with a Domain attribute that covers another host (the hub, another app) is sent there with every request: that host can read it, and a session cookie becomes another app’s session.',
  global: 'A global logout must end the user’s session everywhere at once: an app that stays signed in, a refresh token that still works or a hub session that survives leave the account open on a shared or stolen device.',
  local: 'Logging out of one app must not sign the user out of the others: only “log out everywhere” ends them (a local logout that ends other apps points at a shared session cookie or a logout sent to every app).',
};

function needsTestUser(t: AuditTarget, apps: number): string | undefined {
  if (!t.testUser) return 'Needs a test user to sign in at the apps.';
  if (t.apps.length < apps) return `Needs ${apps === 1 ? 'an app' : `${apps} apps`} to sign in at (--app), ${t.apps.length} given.`;
  return undefined;
}

/**
 * The cookie map (`session.cookie-map`), then the logout proofs (`logout.global`,
 * `logout.local`). The browser signed in for the cookie map is reused by the global logout.
 */
export async function runLiveSessionChecks(input: LiveChecksInput): Promise<void> {
  try {
    await liveSessionChecks(input);
  } finally {
    await closeChromium();
  }
}

async function liveSessionChecks({ t, f, d, clients, probeTokens }: LiveChecksInput): Promise<void> {
  const apps = t.apps.slice(0, 2);
  const target = `hub ${hostOf(t.hubUrl)} and ${apps.length ? apps.map((a) => `app ${hostOf(a.url)}`).join(', ') : 'no app'}`;
  const hosts = [hostOf(t.hubUrl), ...t.apps.map((a) => hostOf(a.url))];
  let signedIn: BrowserSession | undefined;

  await f.run('session.cookie-map', target, 'Every cookie after a sign-in at two apps, and which other host receives it', WHY.cookieMap, async () => {
    const missing = needsTestUser(t, 1);
    if (missing) return { verdict: 'inconclusive', detail: missing, howToRun: 'Give --test-user email:password of a dedicated account and the apps with --app (two for single sign-on).' };
    const browser = new BrowserSession();
    const held = await signInAtApps(t, apps, browser);
    signedIn = browser;
    const table = cookieTable(held, hosts);
    const shared = held.map((c) => ({ c, to: readableBy(c, hosts) })).filter((x) => x.to.length > 0);
    const evidence: Evidence[] = browser.hops
      .filter((h) => h.setCookies.length)
      .map((h) => ({ request: `${redactUrl(h.url)}`, answer: `${h.status}\n${h.setCookies.map((c) => `Set-Cookie: ${c.split('=')[0]}=[redacted]; ${c.split(';').slice(1).map((a) => a.trim()).join('; ')}`).join('\n')}` }));
    const scope = `after signing in at ${apps.map((a) => hostOf(a.url)).join(' then ')}${t.browser ? ' in Chromium' : ''}`;
    if (shared.length) {
      return {
        verdict: 'fail',
        detail: `${shared.map(({ c, to }) => `${c.name} (set by ${c.setBy} with Domain=${c.attributes.domain}) is also sent to ${to.join(', ')}`).join('; ')} (${held.length} cookie(s) ${scope}).`,
        evidence,
        table,
      };
    }
    const byHost = hosts.filter((h, i) => hosts.indexOf(h) === i).map((h) => `${h}: ${held.filter((c) => c.setBy === h).length}`);
    return { verdict: 'pass', detail: `${held.length} cookie(s) ${scope} (${byHost.join(', ')}); none is sent to another audited host.`, evidence, table };
  });

  await f.run('logout.global', target, 'Global logout from one app ends the session everywhere', WHY.global, async () => {
    const missing = needsTestUser(t, 2) ?? (!t.adminUrl || !t.adminToken ? 'Needs the admin API: the back-channel delivery is read from the hub’s audit trail, and the refresh token of the audit’s temporary client stands for the apps’.' : undefined);
    if (missing) return { verdict: 'inconclusive', detail: missing, howToRun: 'Give --admin-url with --token, --test-user email:password and two apps (--app URL,session=/path for each).' };
    if (!probeTokens) return { verdict: 'inconclusive', detail: 'The audit’s temporary client is missing (the sign-in probes did not complete), so no refresh token can be shown revoked.', howToRun: 'Fix what hub.code.single-use names and run the audit again.' };
    const [a, b] = apps as [AppTarget, AppTarget];
    const bClient = clientOfApp(b, clients);
    if (!bClient) return { verdict: 'inconclusive', detail: `No registered client is known for ${b.url}, so its back-channel delivery cannot be looked up.`, howToRun: `Give its client id: --app ${b.url},client=ID.` };
    let browser = signedIn;
    if (!browser || !(await appSession(browser, a)).signedIn) {
      browser = new BrowserSession();
      await signInAtApps(t, apps, browser);
    }
    const evidence: Evidence[] = [...(await requireSessionContrast(browser, a)), ...(await requireSessionContrast(browser, b))];
    // The audit client joins the same hub session, as a third app would; its refresh token stands for the apps' own.
    const refreshToken = await refreshTokenInSession(d, probeTokens, browser);
    const hubCookie = browser.cookieHeader(new URL(t.hubUrl));
    const aCookie = browser.cookieHeader(new URL(a.url));
    const before = await whoami(t, hubCookie);
    if (before.status !== 200) throw new CheckCannotRun(`the hub's /sessions/whoami answered ${before.status} while the test user was signed in`, 'Check that the hub serves /sessions/whoami (its Kratos proxy) on the login domain.');
    const identity = (await admin(t, 'GET', `/admin/identities/${encodeURIComponent(t.testUser!.email)}/sessions`)) as { identity?: { id?: string } };
    const subject = identity.identity?.id;
    const cursor = String((await admin(t, 'GET', '/admin/audit?count=1')).last ?? '');

    const logout = await logoutThroughApp(t, browser, a, '/auth/logout/global');
    evidence.push(...logout.evidence);

    // Back-channel delivery is queued: wait for it (and for B's session to end) up to DELIVERY_WAIT_MS.
    const deadline = Date.now() + DELIVERY_WAIT_MS;
    let delivered: Record<string, unknown> | undefined;
    let bAfter = await appSession(browser, b);
    while ((!delivered || bAfter.signedIn) && Date.now() < deadline) {
      delivered ??= await findDelivery(t, cursor, bClient.client_id, subject);
      if (!delivered || bAfter.signedIn) {
        await new Promise((r) => setTimeout(r, 150));
        bAfter = await appSession(browser, b);
      }
    }
    const aAfter = await appSession(browser, a, aCookie);
    const refresh = await probe(d.token_endpoint, { form: { grant_type: 'refresh_token', refresh_token: refreshToken }, basic: [probeTokens.clientId, probeTokens.secret], headers: { accept: 'application/json' } });
    refresh.evidence.request = `${refresh.evidence.request.split('\n')[0]}\ngrant_type=refresh_token&refresh_token=[the audit client's refresh token from this hub session]`;
    const after = await whoami(t, hubCookie);
    evidence.push(bAfter.evidence, aAfter.evidence, { request: `GET ${t.adminUrl}/admin/audit?after=[cursor]`, answer: delivered ? `bridge.backchannel.delivered clientId=${bClient.client_id} attempt=${String(delivered.attempt ?? '?')} reason=${String(delivered.reason ?? '?')}` : `no bridge.backchannel.delivered for ${bClient.client_id} within ${DELIVERY_WAIT_MS / 1000} s` }, refresh.evidence, after.evidence);

    const problems: string[] = [];
    if (aAfter.signedIn) problems.push(`${hostOf(a.url)} (where the logout started) still treats the browser as signed in`);
    if (bAfter.signedIn) problems.push(`${hostOf(b.url)} still treats the browser as signed in ${DELIVERY_WAIT_MS / 1000} s after the logout`);
    if (!delivered) problems.push(`no back-channel logout was delivered to ${bClient.client_id}${bClient.backchannel_logout_uri ? '' : ' (it registers no back-channel logout URI)'}`);
    const refreshRefused = refresh.status >= 400 && /invalid_grant/.test(refresh.body);
    if (!refreshRefused) problems.push(`the refresh token issued in the ended hub session still works at the token endpoint (${refresh.status})`);
    if (after.status !== 401) problems.push(`the hub's Kratos session still answers /sessions/whoami (${after.status})`);
    const note = 'The apps keep their own refresh tokens; the audit’s temporary client, signed in within the same hub session, stands for them.';
    if (problems.length) return { verdict: 'fail', detail: `After a global logout from ${hostOf(a.url)}: ${problems.join('; ')}. ${note}`, evidence };
    return {
      verdict: 'pass',
      detail: `A global logout from ${hostOf(a.url)} ended ${hostOf(a.url)}'s and ${hostOf(b.url)}'s sessions (${bAfter.evidence.answer.split('\n')[0]}), the back-channel call reached ${bClient.client_id}, the refresh token was refused (invalid_grant) and the Kratos session is gone (whoami 401). ${note}`,
      evidence,
    };
  });

  await f.run('logout.local', target, 'Local logout at one app leaves the other apps signed in', WHY.local, async () => {
    const missing = needsTestUser(t, 2);
    if (missing) return { verdict: 'inconclusive', detail: missing, howToRun: 'Give --test-user email:password and two apps (--app URL,session=/path for each).' };
    const [a, b] = apps as [AppTarget, AppTarget];
    const browser = new BrowserSession();
    await signInAtApps(t, apps, browser);
    const evidence = [...(await requireSessionContrast(browser, a)), ...(await requireSessionContrast(browser, b))];
    const aCookie = browser.cookieHeader(new URL(a.url));
    const logout = await logoutThroughApp(t, browser, a, '/auth/logout');
    evidence.push(...logout.evidence);
    // Give a wrongly sent back-channel logout the time to arrive before B is asked.
    await new Promise((r) => setTimeout(r, 500));
    const aAfter = await appSession(browser, a, aCookie);
    const bAfter = await appSession(browser, b);
    const hub = await whoami(t, browser.cookieHeader(new URL(t.hubUrl)));
    evidence.push(aAfter.evidence, bAfter.evidence, hub.evidence);
    const problems: string[] = [];
    if (aAfter.signedIn) problems.push(`${hostOf(a.url)} still treats the browser as signed in after its own logout`);
    if (!bAfter.signedIn) problems.push(`${hostOf(b.url)} was signed out too (${bAfter.evidence.answer.split('\n')[0]})`);
    if (hub.status !== 200) problems.push(`the hub session ended too (whoami ${hub.status})`);
    return problems.length
      ? { verdict: 'fail', detail: `After a local logout at ${hostOf(a.url)}: ${problems.join('; ')}.`, evidence }
      : { verdict: 'pass', detail: `A local logout at ${hostOf(a.url)} ended its session (${aAfter.evidence.answer.split('\n')[0]}); ${hostOf(b.url)} stayed signed in (${bAfter.evidence.answer.split('\n')[0]}) and so did the hub (whoami 200).`, evidence };
  });
}

/** Signs the audit client in within `browser`'s hub session (single sign-on) and returns its refresh token. */
async function refreshTokenInSession(d: Discovery, p: ProbeTokens, browser: BrowserSession): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL(d.authorization_endpoint);
  for (const [k, v] of Object.entries({
    client_id: p.clientId, response_type: 'code', scope: 'openid offline_access', prompt: 'consent', redirect_uri: PROBE_REDIRECT,
    state: randomBytes(8).toString('base64url'), nonce: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  })) auth.searchParams.set(k, v);
  const last = await browser.go(auth.toString(), { stay: (u) => u.origin !== new URL(PROBE_REDIRECT).origin });
  const code = last.location ? new URL(last.location).searchParams.get('code') : null;
  if (!code) throw new CheckCannotRun(`single sign-on for the audit client in the apps' hub session did not end with a code (${last.status} at ${redactUrl(last.url)})`, 'Check that the hub lets a first-party client sign in without a page while the test user is signed in.');
  const res = await probe(d.token_endpoint, { form: { grant_type: 'authorization_code', code, redirect_uri: PROBE_REDIRECT, code_verifier: verifier }, basic: [p.clientId, p.secret], headers: { accept: 'application/json' } });
  const rt = (JSON.parse(res.body) as { refresh_token?: string }).refresh_token;
  if (!rt) throw new CheckCannotRun(`the audit client got no refresh token (${res.status})`, 'Check that the hub issues refresh tokens to first-party clients asking for offline_access.');
  return rt;
}

/** The first `bridge.backchannel.delivered` for `clientId` (and the test user, when known) after `cursor` in the hub's audit trail. */
async function findDelivery(t: AuditTarget, cursor: string, clientId: string, subject: string | undefined): Promise<Record<string, unknown> | undefined> {
  const page = (await admin(t, 'GET', `/admin/audit?count=1000${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`)) as { events?: Record<string, unknown>[] };
  return (page.events ?? []).find((e) => e.type === 'bridge.backchannel.delivered' && e.clientId === clientId && (!subject || e.subject === subject));
}
