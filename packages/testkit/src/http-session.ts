/**
 * A small browser stand-in for Node-side integration tests: a cookie jar that follows the
 * host-only / Domain / Path / Secure / Max-Age rules, and fetch with manual or followed redirects.
 * It deliberately knows nothing about SSO Hub, so tests exercise the hub the way a browser does.
 */
interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | undefined;
  expiresAt: number | undefined;
}

export class CookieJar {
  private cookies: StoredCookie[] = [];

  /** Stores the Set-Cookie headers of a response to `url`. */
  store(url: URL, setCookies: string[]): void {
    for (const header of setCookies) {
      const [pair = '', ...attrs] = header.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const c: StoredCookie = {
        name: pair.slice(0, eq),
        value: pair.slice(eq + 1),
        domain: url.hostname,
        hostOnly: true,
        path: '/',
        secure: false,
        httpOnly: false,
        sameSite: undefined,
        expiresAt: undefined,
      };
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=');
        const key = k.toLowerCase();
        if (key === 'domain' && v) {
          c.domain = v.replace(/^\./, '').toLowerCase();
          c.hostOnly = false;
        } else if (key === 'path' && v.startsWith('/')) c.path = v;
        else if (key === 'secure') c.secure = true;
        else if (key === 'httponly') c.httpOnly = true;
        else if (key === 'samesite') c.sameSite = v;
        else if (key === 'max-age') c.expiresAt = Date.now() + Number(v) * 1000;
        else if (key === 'expires' && c.expiresAt === undefined) c.expiresAt = Date.parse(v);
      }
      this.cookies = this.cookies.filter((o) => !(o.name === c.name && o.domain === c.domain && o.path === c.path));
      if (c.expiresAt === undefined || c.expiresAt > Date.now()) this.cookies.push(c);
    }
  }

  /** The cookies a browser would send to `url`. */
  matching(url: URL): StoredCookie[] {
    const host = url.hostname.toLowerCase();
    const now = Date.now();
    return this.cookies.filter(
      (c) =>
        (c.expiresAt === undefined || c.expiresAt > now) &&
        (c.hostOnly ? host === c.domain : host === c.domain || host.endsWith(`.${c.domain}`)) &&
        (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)) &&
        (!c.secure || url.protocol === 'https:'),
    );
  }

  header(url: URL): string {
    return this.matching(url)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  get(url: URL, name: string): string | undefined {
    return this.matching(url).find((c) => c.name === name)?.value;
  }

  all(): readonly StoredCookie[] {
    return this.cookies;
  }

  delete(predicate: (c: StoredCookie) => boolean): void {
    this.cookies = this.cookies.filter((c) => !predicate(c));
  }
}

export interface BrowserResponse {
  url: URL;
  status: number;
  headers: Headers;
  body: string;
  /** Every URL visited, in order, including redirects. */
  chain: URL[];
}

export class HttpSession {
  readonly jar = new CookieJar();

  /**
   * Requests `url` like a browser: sends the jar's cookies, stores Set-Cookie, and follows
   * redirects (303 turns into GET) unless `follow` is false.
   */
  async request(
    input: string | URL,
    init: {
      method?: string;
      form?: Record<string, string>;
      json?: unknown;
      headers?: Record<string, string>;
      follow?: boolean;
      /** Stop before requesting a redirect target for which this returns true; its URL is returned, unrequested. */
      stopAt?: (url: URL) => boolean;
    } = {},
  ): Promise<BrowserResponse> {
    let url = new URL(input);
    let method = init.method ?? (init.form || init.json !== undefined ? 'POST' : 'GET');
    let body: string | undefined;
    const headers: Record<string, string> = { accept: 'text/html,application/json;q=0.9', ...init.headers };
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    }
    const chain: URL[] = [];
    for (let hops = 0; hops < 30; hops++) {
      chain.push(url);
      const cookie = this.jar.header(url);
      const res = await fetch(url, {
        method,
        headers: { ...headers, ...(cookie ? { cookie } : {}) },
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
      });
      this.jar.store(url, res.headers.getSetCookie());
      const location = res.headers.get('location');
      if (init.follow !== false && location && res.status >= 300 && res.status < 400) {
        await res.arrayBuffer();
        url = new URL(location, url);
        if (init.stopAt?.(url)) return { url, status: res.status, headers: res.headers, body: '', chain: [...chain, url] };
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
          delete headers['content-type'];
        }
        continue;
      }
      return { url, status: res.status, headers: res.headers, body: await res.text(), chain };
    }
    throw new Error(`too many redirects starting at ${String(input)}`);
  }
}
