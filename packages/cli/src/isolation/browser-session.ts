import { CheckCannotRun, httpRequest, isLoopbackHost } from './audit-http.ts';

/**
 * A minimal cookie-keeping HTTP client for the audit's sign-in probes: it follows redirects
 * like a browser, keeps host-only and Domain cookies apart, and stops before leaving the hosts
 * it is allowed to visit (so a code meant for a client is read from the Location header, not sent).
 *
 * Like Chromium and Firefox it treats `localhost`, `*.localhost` and loopback addresses as
 * secure over http: `Secure` cookies they set are kept and sent back to them (Kratos sets its
 * CSRF cookie `Secure` even on http), and nowhere else over http.
 */
interface Cookie {
  name: string;
  value: string;
  host: string;
  hostOnly: boolean;
  secure: boolean;
  /** The host that set it, and the Set-Cookie attributes as sent (for the cookie map). */
  setBy: string;
  attributes: CookieAttributes;
}

/** The attributes of one Set-Cookie header as a browser reads them (names lower-cased, values as sent). */
export interface CookieAttributes {
  domain: string | undefined;
  path: string | undefined;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | undefined;
  expires: string | undefined;
  maxAge: string | undefined;
}

/** Reads the attributes of a Set-Cookie header (its value is never kept here). */
export function parseCookieAttributes(header: string): { name: string; attributes: CookieAttributes } {
  const [pair = '', ...attrs] = header.split(';').map((s) => s.trim());
  const value = (key: string) => {
    const a = attrs.find((x) => x.toLowerCase().startsWith(`${key}=`));
    return a === undefined ? undefined : a.slice(key.length + 1);
  };
  const flag = (key: string) => attrs.some((x) => x.toLowerCase() === key);
  return {
    name: pair.slice(0, Math.max(0, pair.indexOf('='))),
    attributes: { domain: value('domain'), path: value('path'), secure: flag('secure'), httpOnly: flag('httponly'), sameSite: value('samesite'), expires: value('expires'), maxAge: value('max-age') },
  };
}

/** One cookie the browser holds, without its value. */
export interface HeldCookie {
  name: string;
  /** The host (host-only) or domain (with a Domain attribute) it is sent to. */
  host: string;
  hostOnly: boolean;
  setBy: string;
  attributes: CookieAttributes;
}

/** https, or a loopback host over http: where browsers keep and send `Secure` cookies. */
export function isPotentiallyTrustworthy(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

export interface Hop {
  url: string;
  status: number;
  location: string | undefined;
  setCookies: string[];
  body: string;
  headers: Headers;
}

export class BrowserSession {
  private cookies: Cookie[] = [];
  readonly hops: Hop[] = [];

  cookieHeader(url: URL): string {
    return this.cookies
      .filter((c) => (c.hostOnly ? c.host === url.hostname : url.hostname === c.host || url.hostname.endsWith(`.${c.host}`)))
      .filter((c) => !c.secure || isPotentiallyTrustworthy(url))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /** Every cookie held now, without values: what a browser's cookie store would list. */
  heldCookies(): HeldCookie[] {
    return this.cookies.map(({ name, host, hostOnly, setBy, attributes }) => ({ name, host, hostOnly, setBy, attributes }));
  }

  /**
   * Records an answer a real browser received (the `--browser` sign-ins): its Set-Cookie headers
   * go into this jar as if this session had made the request, so the HTTP probes that follow
   * carry the browser's cookies.
   */
  record(hop: Hop): void {
    this.store(new URL(hop.url), hop.setCookies);
    this.hops.push(hop);
  }

  cookieNamesFor(host: string): string[] {
    return this.cookies.filter((c) => c.host === host || (!c.hostOnly && host.endsWith(`.${c.host}`))).map((c) => c.name);
  }

  private store(url: URL, headers: string[]): void {
    for (const h of headers) {
      const [pair = '', ...attrs] = h.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const domainAttr = attrs.find((a) => a.toLowerCase().startsWith('domain='))?.split('=')[1]?.replace(/^\./, '');
      const c: Cookie = {
        name: pair.slice(0, eq),
        value: pair.slice(eq + 1),
        host: domainAttr ?? url.hostname,
        hostOnly: !domainAttr,
        secure: attrs.some((a) => a.toLowerCase() === 'secure'),
        setBy: url.hostname,
        attributes: parseCookieAttributes(h).attributes,
      };
      // A browser refuses a Secure cookie from an insecure origin, and a __Host- cookie that is not Secure, host-only.
      if (c.secure && !isPotentiallyTrustworthy(url)) continue;
      if (c.name.startsWith('__Host-') && (!c.secure || !c.hostOnly)) continue;
      const expiresAttr = attrs.find((a) => a.toLowerCase().startsWith('expires='))?.slice('expires='.length);
      const expired = attrs.some((a) => /^max-age=(0|-)/i.test(a)) || c.value === '' || (expiresAttr !== undefined && Date.parse(expiresAttr) < Date.now());
      this.cookies = this.cookies.filter((o) => !(o.name === c.name && o.host === c.host));
      if (!expired) this.cookies.push(c);
    }
  }

  /** Requests `url`, following redirects while `stay(url)` allows; returns the last hop. */
  async go(
    url: string,
    {
      form,
      accept = 'text/html',
      stay = () => true,
      maxHops = 20,
      headers: extra = {},
    }: { form?: Record<string, string>; accept?: string; stay?: (u: URL) => boolean; maxHops?: number; headers?: Record<string, string> } = {},
  ): Promise<Hop> {
    let next = new URL(url);
    let method = form ? 'POST' : 'GET';
    let body = form ? new URLSearchParams(form).toString() : undefined;
    for (let i = 0; i < maxHops; i++) {
      const cookie = this.cookieHeader(next);
      const res = await httpRequest(next, {
        method,
        timeoutMs: 15_000,
        // Extra headers (Origin, Sec-Fetch-Site of a form post) belong to the first request only, as in a browser.
        headers: { accept, ...(i === 0 ? extra : {}), ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(body ? { body } : {}),
      });
      const setCookies = res.headers.getSetCookie();
      this.store(next, setCookies);
      const location = res.headers.get('location') ?? undefined;
      const hop: Hop = { url: next.toString(), status: res.status, location: location ? new URL(location, next).toString() : undefined, setCookies, body: res.body, headers: res.headers };
      this.hops.push(hop);
      if (!hop.location || res.status < 300 || res.status >= 400) return hop;
      const target = new URL(hop.location);
      if (!stay(target)) return hop;
      next = target;
      method = 'GET';
      body = undefined;
    }
    throw new Error(`more than ${maxHops} redirects from ${url}`);
  }
}

interface KratosFlow {
  ui: { action: string; nodes: { attributes: { name?: string; value?: unknown } }[]; messages?: { text: string }[] };
}

/**
 * Signs in with a password through the hub's Kratos login page, starting from a hop that landed
 * on `/login?flow=<id>`, and continues following redirects while `stay` allows.
 */
export async function submitPasswordLogin(
  session: BrowserSession,
  hubUrl: string,
  loginPage: Hop,
  user: { email: string; password: string },
  stay: (u: URL) => boolean,
): Promise<Hop> {
  const flowId = new URL(loginPage.url).searchParams.get('flow');
  if (!flowId) throw new CheckCannotRun(`expected the hub's login page with ?flow=, got ${loginPage.url} (${loginPage.status})`, 'Check --hub: it must be the login domain that serves /login.');
  const flowHop = await session.go(`${hubUrl}/self-service/login/flows?id=${encodeURIComponent(flowId)}`, { accept: 'application/json' });
  if (flowHop.status !== 200) {
    const csrfCookie = session.cookieNamesFor(new URL(hubUrl).hostname).some((n) => n.startsWith('csrf_token'));
    throw new CheckCannotRun(
      `could not read the login flow (${flowHop.status})${csrfCookie ? '' : ': the CSRF cookie of the flow was not kept'}`,
      csrfCookie ? 'Check that Kratos serves the flow under the hub (kratos.publicUrl, serve.public.base_url).' : 'The hub must set its CSRF cookie so that a browser keeps it: over http only on localhost or *.localhost; elsewhere use https.',
    );
  }
  const flow = JSON.parse(flowHop.body) as KratosFlow;
  const csrf = flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token')?.attributes.value;
  const after = await session.go(flow.ui.action, {
    form: { csrf_token: String(csrf ?? ''), identifier: user.email, password: user.password, method: 'password' },
    stay,
  });
  if (after.url.includes('/login?flow=') && after.status === 200) {
    throw new CheckCannotRun('the test user could not sign in with a password', 'Check --test-user (email:password of an account with a password and a verified address, without a second factor).');
  }
  return after;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" };
const decode = (v: string) => v.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e: string) => ENTITIES[e] ?? _);
const attr = (tag: string, name: string) => decode(new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1] ?? '');

/**
 * The first form of an HTML page as a browser would submit it with its first named submit
 * button: absolute action, method and fields (hidden inputs and that button). Undefined when the
 * page has no form.
 */
export function readForm(page: Pick<Hop, 'url' | 'body'>): { action: string; method: string; fields: Record<string, string> } | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(page.body);
  if (!form) return undefined;
  const open = /<form\b[^>]*>/i.exec(form[0])![0];
  const fields: Record<string, string> = {};
  for (const input of form[1]!.match(/<input\b[^>]*>/gi) ?? []) {
    if (attr(input, 'type').toLowerCase() === 'hidden' && attr(input, 'name')) fields[attr(input, 'name')] = attr(input, 'value');
  }
  const button = (form[1]!.match(/<button\b[^>]*>/gi) ?? []).find((b) => attr(b, 'name'));
  if (button) fields[attr(button, 'name')] = attr(button, 'value');
  return { action: new URL(attr(open, 'action') || page.url, page.url).toString(), method: (attr(open, 'method') || 'get').toLowerCase(), fields };
}
