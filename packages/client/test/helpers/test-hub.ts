/**
 * @file An in-process OpenID provider (oidc-provider) on 127.0.0.1 standing in for the hub in
 * unit tests. Interactions are finished by a test route that calls
 * `provider.interactionFinished` with whoever the test says is signing in, so no login UI runs.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import Provider, { type Configuration, interactionPolicy } from 'oidc-provider';

export const CLIENT_SECRETS: Record<string, string> = { 'app-a': 'app-a-client-secret-0123456789abcdef', 'shop-b': 'shop-b-client-secret-0123456789abcdef' };
export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Who the next interaction signs in, and at which level. */
export interface NextLogin {
  accountId: string;
  acr?: string;
  amr?: string[];
}

export interface TestHub {
  issuer: string;
  provider: Provider;
  server: Server;
  /** How many interactions (logins) the hub has run; SSO without a prompt leaves it unchanged. */
  interactions: number;
  /** When false, acr_values no longer force a new login (a hub that ignores them). Default true. */
  enforceAcrValues: boolean;
  /** Sets who the next interaction signs in (default alice at aal1). */
  next: NextLogin;
  /** Follows redirects through the hub like a browser and returns the URL it leaves to (the callback). */
  authorize(url: URL | string): Promise<URL>;
  /** Signs a logout token with the hub's key (or `key`), with overridable claims and header. */
  signLogoutToken(claims: Record<string, unknown>, options?: { key?: Parameters<SignJWT['sign']>[0]; typ?: string; kid?: string; omit?: string[] }): Promise<string>;
  /** Calls on the hub's back-channel logout deliveries (url, token). */
  backchannelCalls: { url: string; token: string }[];
  close(): Promise<void>;
}

/** redirectUrisFor lists the redirect, post-logout and back-channel URIs a test client may use. */
function clientMetadata(clientId: string) {
  const hosts = [`http://${clientId}.localhost`, `https://${clientId}.test`, `http://${clientId}.localhost:8080`];
  return {
    client_id: clientId,
    client_secret: CLIENT_SECRETS[clientId],
    redirect_uris: hosts.map((h) => `${h}/auth/callback`),
    post_logout_redirect_uris: hosts.map((h) => `${h}/`),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    backchannel_logout_uri: `https://${clientId}.test/auth/backchannel-logout`,
    backchannel_logout_session_required: true,
  };
}

export async function startTestHub(
  extra: { accessTokenTtl?: number; clientIds?: string[]; extraClients?: Record<string, unknown>[] } = {},
): Promise<TestHub> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'hub-key-1', alg: 'RS256', use: 'sig' };
  const backchannelCalls: { url: string; token: string }[] = [];

  // Like the real hub: acr_values above the session's level force a new login (step-up).
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('acr_values_step_up', 'a higher authentication level was requested', (ctx) => {
      const asked = String(ctx.oidc.params?.['acr_values'] ?? '').split(' ').filter(Boolean);
      if (!hub.enforceAcrValues || asked.length === 0 || asked.includes(String(ctx.oidc.session?.acr))) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      return interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );

  const configuration: Configuration = {
    clients: [...(extra.clientIds ?? ['app-a', 'shop-b']).map(clientMetadata), ...((extra.extraClients ?? []) as ReturnType<typeof clientMetadata>[])],
    jwks: { keys: [jwk as never] },
    cookies: { keys: ['test-hub-cookie-key-0123456789abcdef'] },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
    },
    acrValues: ['aal1', 'aal2'],
    claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@example.test`, email_verified: true, name: `User ${sub}` }),
    }),
    interactions: { policy, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // First-party test clients: grant the requested scopes without a consent screen.
    loadExistingGrant: async (ctx) => {
      const existing = ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      if (existing) {
        const grant = await ctx.oidc.provider.Grant.find(existing);
        if (grant) return grant;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    issueRefreshToken: async () => true,
    pkce: { required: () => true },
    ttl: { AccessToken: extra.accessTokenTtl ?? 3600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 86_400, Session: 86_400, Grant: 86_400, Interaction: 600 },
    // Back-channel deliveries go nowhere in unit tests: recorded instead.
    fetch: async (url: URL | string, init?: RequestInit) => {
      const body = new URLSearchParams(String(init?.body ?? ''));
      backchannelCalls.push({ url: String(url), token: body.get('logout_token') ?? '' });
      return new Response(null, { status: 200 });
    },
  } as Configuration;

  const provider = new Provider(issuer, configuration);
  const hub: TestHub = {
    issuer,
    provider,
    server,
    next: { accountId: 'alice' },
    enforceAcrValues: true,
    interactions: 0,
    backchannelCalls,
    authorize: (url) => authorize(issuer, url),
    signLogoutToken: async (claims, options = {}) => {
      const payload: Record<string, unknown> = { events: { [BACKCHANNEL_EVENT]: {} }, ...claims };
      const now = Math.floor(Date.now() / 1000);
      const full: Record<string, unknown> = { iss: issuer, iat: now, exp: now + 120, jti: randomUUID(), ...payload };
      for (const key of options.omit ?? []) delete full[key];
      return new SignJWT(full)
        .setProtectedHeader({ alg: 'RS256', typ: options.typ ?? 'logout+jwt', kid: options.kid ?? 'hub-key-1' })
        .sign(options.key ?? privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const callback = provider.callback();
  handler = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      void (async () => {
        try {
          const details = await provider.interactionDetails(req, res);
          hub.interactions++;
          const asked = String(details.params['acr_values'] ?? '');
          const acr = hub.next.acr ?? (asked.split(' ').includes('aal2') ? 'aal2' : 'aal1');
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: hub.next.accountId, acr, amr: hub.next.amr ?? (acr === 'aal2' ? ['pwd', 'otp'] : ['pwd']), remember: true } },
            { mergeWithLastSubmission: false },
          );
        } catch (err) {
          res.statusCode = 500;
          res.end(String(err));
        }
      })();
      return;
    }
    callback(req, res);
  };
  return hub;
}

/** A tiny cookie jar for the hub's origin, shared by every authorize() of one test hub. */
const jars = new Map<string, Map<string, string>>();

/** hubFetch sends one request to the hub with this test browser's hub cookies, and keeps new ones. */
export async function hubFetch(issuer: string, url: URL | string, init: RequestInit = {}): Promise<Response> {
  const jar = jars.get(issuer) ?? new Map<string, string>();
  jars.set(issuer, jar);
  const headers = new Headers(init.headers);
  headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
  const res = await fetch(url, { ...init, redirect: 'manual', headers });
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
    else jar.set(name, value);
  }
  return res;
}

/** endSessionAtHub opens the end_session URL and confirms the hub's logout form like a browser. */
export async function endSessionAtHub(issuer: string, url: URL): Promise<URL> {
  const page = await hubFetch(issuer, url);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !xsrf) throw new Error(`no logout form at the hub (${page.status}): ${html.slice(0, 200)}`);
  const res = await hubFetch(issuer, new URL(action, issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
  });
  return authorize(issuer, new URL(res.headers.get('location')!, issuer));
}

async function authorize(issuer: string, start: URL | string): Promise<URL> {
  let url = new URL(start);
  for (let hop = 0; hop < 20; hop++) {
    if (url.origin !== issuer) return url;
    const res = await hubFetch(issuer, url);
    const location = res.headers.get('location');
    if (!location) throw new Error(`hub answered ${res.status} without a redirect at ${url.pathname}: ${(await res.text()).slice(0, 300)}`);
    url = new URL(location, url);
  }
  throw new Error('too many redirects at the hub');
}

/** forgetBrowser drops the hub cookies of a test hub, as a fresh browser would have none. */
export function forgetBrowser(issuer: string): void {
  jars.delete(issuer);
}
