import { createSsoClient, MemorySessionStore, type SsoClient, type SsoClientOptions } from '../../src/index.ts';
import { CLIENT_SECRETS, type TestHub } from './test-hub.ts';

export const COOKIE_SECRET = 'cookie-secret-for-tests-0123456789abcdef';

/** makeClient builds an SsoClient against the test hub, with a quiet memory store by default. */
export async function makeClient(hub: TestHub, overrides: Partial<SsoClientOptions> = {}): Promise<SsoClient> {
  const clientId = overrides.clientId ?? 'app-a';
  return createSsoClient({
    issuer: hub.issuer,
    clientId,
    clientSecret: CLIENT_SECRETS[clientId],
    baseUrl: `http://${clientId}.localhost`,
    secrets: [COOKIE_SECRET],
    store: new MemorySessionStore({ clientId, warn: () => {} }),
    warn: () => {},
    ...overrides,
  });
}

/** cookieHeader turns Set-Cookie values into the Cookie header a browser would send next. */
export function cookieHeader(setCookies: string[], existing = ''): string {
  const jar = new Map<string, string>();
  for (const part of existing.split(/;\s*/).filter(Boolean)) {
    const eq = part.indexOf('=');
    jar.set(part.slice(0, eq), part.slice(eq + 1));
  }
  for (const line of setCookies) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    if (/Max-Age=0/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** signIn runs a whole sign-in round trip and returns the session cookie header and result. */
export async function signIn(hub: TestHub, client: SsoClient, returnTo = '/') {
  const start = await client.beginSignIn({ returnTo });
  const callback = await hub.authorize(start.url);
  const cookies = cookieHeader([start.setCookie]);
  const result = await client.completeSignIn(callback.pathname + callback.search, cookies);
  return { ...result, cookie: cookieHeader(result.setCookies, cookies), callback, txCookie: cookies };
}
