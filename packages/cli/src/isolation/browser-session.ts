/**
 * A minimal cookie-keeping HTTP client for the audit's sign-in probes: it follows redirects
 * like a browser, keeps host-only and Domain cookies apart, and stops before leaving the hosts
 * it is allowed to visit (so a code meant for a client is read from the Location header, not sent).
 */
interface Cookie {
  name: string;
  value: string;
  host: string;
  hostOnly: boolean;
  secure: boolean;
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
      .filter((c) => !c.secure || url.protocol === 'https:')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
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
      };
      const expired = attrs.some((a) => /^max-age=(0|-)/i.test(a)) || c.value === '';
      this.cookies = this.cookies.filter((o) => !(o.name === c.name && o.host === c.host));
      if (!expired) this.cookies.push(c);
    }
  }

  /** Requests `url`, following redirects while `stay(url)` allows; returns the last hop. */
  async go(
    url: string,
    { form, accept = 'text/html', stay = () => true, maxHops = 20 }: { form?: Record<string, string>; accept?: string; stay?: (u: URL) => boolean; maxHops?: number } = {},
  ): Promise<Hop> {
    let next = new URL(url);
    let method = form ? 'POST' : 'GET';
    let body = form ? new URLSearchParams(form).toString() : undefined;
    for (let i = 0; i < maxHops; i++) {
      const cookie = this.cookieHeader(next);
      const res = await fetch(next, {
        method,
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
        headers: { accept, ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        ...(body ? { body } : {}),
      });
      const setCookies = res.headers.getSetCookie();
      this.store(next, setCookies);
      const location = res.headers.get('location') ?? undefined;
      const hop: Hop = { url: next.toString(), status: res.status, location: location ? new URL(location, next).toString() : undefined, setCookies, body: await res.text(), headers: res.headers };
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
  if (!flowId) throw new Error(`expected the hub's login page with ?flow=, got ${loginPage.url} (${loginPage.status})`);
  const flowHop = await session.go(`${hubUrl}/self-service/login/flows?id=${encodeURIComponent(flowId)}`, { accept: 'application/json' });
  if (flowHop.status !== 200) throw new Error(`could not read the login flow (${flowHop.status})`);
  const flow = JSON.parse(flowHop.body) as KratosFlow;
  const csrf = flow.ui.nodes.find((n) => n.attributes.name === 'csrf_token')?.attributes.value;
  const after = await session.go(flow.ui.action, {
    form: { csrf_token: String(csrf ?? ''), identifier: user.email, password: user.password, method: 'password' },
    stay,
  });
  if (after.url.includes('/login?flow=') && after.status === 200) throw new Error('the test user could not sign in (check --test-user)');
  return after;
}
