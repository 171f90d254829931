import { authorizationRequest, CookieJar } from '@ssohub/testkit';

/** What one request of the chaos driver ended in: a status, or a hang/network failure. */
export interface Outcome {
  status: number | 'timeout' | 'network';
  ms: number;
  /** The hub's error shape when it failed: `page` (its HTML error page), `oauth` (JSON with a string `error`), or `other`. */
  shape?: 'page' | 'oauth' | 'other';
  /** For a failure: the path and the start of the body, to say what failed. */
  detail?: string;
}

/** A request never waits longer than this; longer counts as a hang. */
export const REQUEST_DEADLINE_MS = 5_000;

export class RequestFailed extends Error {
  readonly step: string;
  readonly outcome: Outcome;
  constructor(step: string, outcome: Outcome, detail: string) {
    super(`${step}: ${outcome.status} ${detail}`);
    this.step = step;
    this.outcome = outcome;
  }
}

function shapeOf(status: number, contentType: string, body: string): Outcome['shape'] {
  if (status < 400) return undefined;
  if (contentType.includes('json')) {
    try {
      return typeof (JSON.parse(body) as { error?: unknown }).error === 'string' ? 'oauth' : 'other';
    } catch {
      return 'other';
    }
  }
  return contentType.includes('text/html') && /<html/i.test(body) ? 'page' : 'other';
}

/**
 * A browser and a client app's back end, reduced to what the chaos suite drives: cookies on the
 * login domain, redirects followed by hand, a deadline on every request.
 */
export class ChaosBrowser {
  readonly jar = new CookieJar();
  refreshToken: string | undefined;
  idToken: string | undefined;

  readonly issuer: string;
  readonly client: { id: string; secret: string; redirectUri: string };
  private readonly record: (o: Outcome) => void;
  /**
   * When set, requests to the hub's public origin go straight to this hub instance over plain
   * http, with the X-Forwarded-* headers the front proxy would add: the same browser, without the
   * proxy's TLS and hop (what `npm run bench:proxy` compares).
   */
  direct: string | undefined;

  constructor(issuer: string, client: { id: string; secret: string; redirectUri: string }, record: (o: Outcome) => void) {
    this.issuer = issuer;
    this.client = client;
    this.record = record;
  }

  async fetch(step: string, url: URL, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) {
    const started = performance.now();
    const cookie = this.jar.header(url);
    const hub = new URL(this.issuer);
    const bypass = this.direct !== undefined && url.origin === hub.origin;
    const target = bypass ? new URL(`${url.pathname}${url.search}`, this.direct) : url;
    const forwarded = bypass ? { 'x-forwarded-proto': 'https', 'x-forwarded-host': hub.host, 'x-forwarded-for': '127.0.0.1' } : {};
    let res: Response;
    let body: string;
    try {
      res = await fetch(target, {
        method: init.method ?? (init.form ? 'POST' : 'GET'),
        headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', ...forwarded, ...(cookie ? { cookie } : {}), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...init.headers },
        ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
      });
      body = await res.text();
    } catch (err) {
      const outcome: Outcome = { status: (err as Error).name === 'TimeoutError' ? 'timeout' : 'network', ms: performance.now() - started, detail: `${url.pathname}: ${(err as Error).message}` };
      this.record(outcome);
      throw new RequestFailed(step, outcome, (err as Error).message);
    }
    this.jar.store(url, res.headers.getSetCookie());
    const outcome: Outcome = { status: res.status, ms: performance.now() - started, shape: shapeOf(res.status, res.headers.get('content-type') ?? '', body) };
    if (res.status >= 400) outcome.detail = `${init.method ?? (init.form ? 'POST' : 'GET')} ${url.pathname}: ${body.replace(/\s+/g, ' ').slice(0, 200)}`;
    else outcome.detail = `${init.method ?? (init.form ? 'POST' : 'GET')} ${url.pathname}`;
    this.record(outcome);
    return { status: res.status, location: res.headers.get('location'), headers: res.headers, body, outcome };
  }

  /** Follows redirects until `stop` says so; a non-redirect on the way is a failure. */
  async follow(step: string, start: URL, stop: (u: URL) => boolean): Promise<URL> {
    let url = start;
    for (let hops = 0; hops < 15; hops++) {
      if (stop(url)) return url;
      const res = await this.fetch(step, url);
      if (res.status < 300 || res.status >= 400 || !res.location) throw new RequestFailed(step, res.outcome, `expected a redirect from ${url.pathname}`);
      url = new URL(res.location, url);
    }
    throw new Error(`${step}: too many redirects`);
  }

  private authorization() {
    return authorizationRequest({ issuer: this.issuer, clientId: this.client.id, redirectUri: this.client.redirectUri, scope: 'openid email' });
  }

  private async redeem(step: string, callback: URL, verifier: string, state: string): Promise<void> {
    if (callback.searchParams.get('state') !== state) throw new Error(`${step}: state mismatch (${callback.searchParams.get('error') ?? ''})`);
    const code = callback.searchParams.get('code');
    if (!code) throw new Error(`${step}: no code (${callback.searchParams.get('error')} ${callback.searchParams.get('error_description') ?? ''})`);
    const res = await this.fetch(step, new URL(`${this.issuer}/token`), {
      form: { grant_type: 'authorization_code', code, redirect_uri: this.client.redirectUri, code_verifier: verifier },
      headers: { authorization: this.basic(), accept: 'application/json' },
    });
    if (res.status !== 200) throw new RequestFailed(step, res.outcome, res.body.slice(0, 200));
    const tokens = JSON.parse(res.body) as { id_token?: string; refresh_token?: string };
    this.idToken = tokens.id_token;
    this.refreshToken = tokens.refresh_token;
  }

  private basic(): string {
    return `Basic ${Buffer.from(`${encodeURIComponent(this.client.id)}:${encodeURIComponent(this.client.secret)}`).toString('base64')}`;
  }

  /** First sign-in with a password: authorize, the hub's login page, Kratos' form, code, tokens. */
  async signIn(email: string, password: string): Promise<void> {
    const req = this.authorization();
    const isCallback = (u: URL) => u.href.startsWith(this.client.redirectUri);
    const login = await this.follow('sign-in', req.url, (u) => isCallback(u) || (u.pathname === '/login' && u.searchParams.has('flow')));
    if (isCallback(login)) return this.redeem('sign-in', login, req.verifier, req.state);
    const page = await this.fetch('sign-in', login);
    if (page.status !== 200) throw new RequestFailed('sign-in', page.outcome, 'login page');
    const form =
      /<form[^>]*action="([^"]+)"[^>]*>[\s\S]*?name="csrf_token"[^>]*value="([^"]+)"/.exec(page.body) ??
      /<form[^>]*action="([^"]+)"[^>]*>[\s\S]*?value="([^"]+)"[^>]*name="csrf_token"/.exec(page.body);
    if (!form) throw new Error('sign-in: no password form');
    const unescapeHtml = (s: string) => s.replaceAll('&amp;', '&').replaceAll('&#x2F;', '/').replaceAll('&#47;', '/');
    const action = new URL(unescapeHtml(form[1]!), login);
    const submitted = await this.fetch('sign-in', action, { form: { csrf_token: unescapeHtml(form[2]!), identifier: email, password, method: 'password' } });
    if (submitted.status !== 303 || !submitted.location) throw new RequestFailed('sign-in', submitted.outcome, 'password submit');
    const callback = await this.follow('sign-in', new URL(submitted.location, action), isCallback);
    await this.redeem('sign-in', callback, req.verifier, req.state);
  }

  /** An SSO hop: the signed-in browser arrives at the client again; no page may be shown. */
  async ssoHop(): Promise<void> {
    const req = this.authorization();
    const isCallback = (u: URL) => u.href.startsWith(this.client.redirectUri);
    const callback = await this.follow('sso-hop', req.url, (u) => isCallback(u) || u.pathname === '/login');
    if (!isCallback(callback)) throw new Error('sso-hop: the hub asked for a sign-in (its session is gone)');
    await this.redeem('sso-hop', callback, req.verifier, req.state);
  }

  /** Refresh with rotation. */
  async refresh(): Promise<void> {
    if (!this.refreshToken) throw new Error('refresh: no refresh token');
    const res = await this.fetch('refresh', new URL(`${this.issuer}/token`), {
      form: { grant_type: 'refresh_token', refresh_token: this.refreshToken },
      headers: { authorization: this.basic(), accept: 'application/json' },
    });
    if (res.status !== 200) throw new RequestFailed('refresh', res.outcome, res.body.slice(0, 200));
    this.refreshToken = (JSON.parse(res.body) as { refresh_token?: string }).refresh_token;
  }
}
