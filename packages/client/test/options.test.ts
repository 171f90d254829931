import { describe, expect, it } from 'vitest';
import { checkOptions, createSsoClient, MemorySessionStore, type SsoClientOptions } from '../src/index.ts';

const store = new MemorySessionStore({ clientId: 'app-a', warn: () => {} });
const valid: SsoClientOptions = {
  issuer: 'https://login.sso.test',
  clientId: 'app-a',
  clientSecret: 'secret',
  baseUrl: 'https://app-a.test',
  secrets: ['x'.repeat(32)],
  store,
};

function problemOf(overrides: Record<string, unknown>, env: { production?: boolean } = { production: false }): string {
  try {
    checkOptions({ ...valid, ...overrides } as SsoClientOptions, env);
  } catch (err) {
    expect((err as { code?: string }).code).toBe('SSOHUB_CLIENT_ERR_INVALID_OPTIONS');
    return (err as Error).message;
  }
  throw new Error('expected options to be refused');
}

describe('checkOptions', () => {
  it('fills defaults', () => {
    const o = checkOptions({ ...valid, allowVolatileStore: true }, { production: true });
    expect(o.redirectUri.href).toBe('https://app-a.test/auth/callback');
    expect(o.postLogoutRedirectUri.href).toBe('https://app-a.test/');
    expect(o.scopes).toEqual(['openid', 'email', 'profile']);
    expect(o.tokenEndpointAuthMethod).toBe('client_secret_basic');
    expect(o.secureCookies).toBe(true);
    expect(o.idleTimeout).toBe(1800);
    expect(o.absoluteTimeout).toBe(28_800);
    expect(o.discoveryTimeout).toBe(10);
    expect(checkOptions({ ...valid, discoveryTimeout: 0.5 }, { production: false }).discoveryTimeout).toBe(0.5);
  });

  it.each([
    [{ redirectUri: 'http://app-a.test/auth/callback' }, 'SsoClientOptions.redirectUri must be an absolute https URL'],
    [{ redirectUri: 'https://other.test/auth/callback' }, "SsoClientOptions.redirectUri must be on baseUrl's origin"],
    [{ issuer: 'http://login.sso.test' }, 'SsoClientOptions.issuer must be an absolute https URL'],
    [{ issuer: 'not a url' }, 'SsoClientOptions.issuer must be an absolute https URL'],
    [{ baseUrl: 'https://app-a.test/app' }, 'SsoClientOptions.baseUrl must be an origin'],
    [{ clientId: '' }, 'SsoClientOptions.clientId must be a non-empty string'],
    [{ clientSecret: undefined, tokenEndpointAuthMethod: 'client_secret_basic' }, 'SsoClientOptions.clientSecret is required'],
    [{ clientSecret: undefined, tokenEndpointAuthMethod: 'private_key_jwt' }, 'SsoClientOptions.privateKey is required'],
    [{ tokenEndpointAuthMethod: 'magic' }, 'SsoClientOptions.tokenEndpointAuthMethod must be one of'],
    [{ scopes: ['email'] }, 'SsoClientOptions.scopes must include openid'],
    [{ secrets: [] }, 'SsoClientOptions.secrets must be a non-empty array'],
    [{ secrets: ['short'] }, 'SsoClientOptions.secrets entries must be strings of at least 32 characters'],
    [{ store: {} }, 'SsoClientOptions.store must be a SessionStore'],
    [{ store: new MemorySessionStore({ clientId: 'shop-b', warn: () => {} }) }, 'SsoClientOptions.store belongs to client "shop-b"'],
    [{ idleTimeout: 10 }, 'SsoClientOptions.idleTimeout must be a number of seconds >= 60'],
    [{ idleTimeout: 7200, absoluteTimeout: 3600 }, 'SsoClientOptions.idleTimeout must not exceed absoluteTimeout'],
    [{ cookieName: '__Host-x' }, 'SsoClientOptions.cookieName must be a cookie token without a __ prefix'],
    [{ routes: { callback: 'auth/cb' } }, 'SsoClientOptions.routes.callback must be a path starting with /'],
    [{ routes: { signup: '/x' } }, 'SsoClientOptions.routes.signup is not a known route'],
    [{ discoveryTimeout: 0 }, 'SsoClientOptions.discoveryTimeout must be a number of seconds > 0 and <= 600'],
    [{ discoveryTimeout: 601 }, 'SsoClientOptions.discoveryTimeout must be a number of seconds > 0 and <= 600'],
    [{ discoveryTimeout: '5' }, 'SsoClientOptions.discoveryTimeout must be a number of seconds > 0 and <= 600'],
  ])('refuses %j naming the option', (overrides, message) => {
    expect(problemOf(overrides)).toContain(message);
  });

  it('reports every problem at once', () => {
    const message = problemOf({ clientId: '', secrets: [], issuer: 'ftp://x' });
    expect(message).toContain('SsoClientOptions.clientId');
    expect(message).toContain('SsoClientOptions.secrets');
    expect(message).toContain('SsoClientOptions.issuer');
  });

  it('allows http only on localhost, or with allowInsecureRequests outside production', () => {
    expect(() => checkOptions({ ...valid, allowVolatileStore: true, issuer: 'http://127.0.0.1:4444', baseUrl: 'http://app-a.localhost:3000' }, { production: true })).not.toThrow();
    expect(() => checkOptions({ ...valid, issuer: 'http://login.sso.test', baseUrl: 'http://app-a.test', allowInsecureRequests: true }, { production: false })).not.toThrow();
    expect(problemOf({ issuer: 'http://login.sso.test', allowInsecureRequests: true, allowVolatileStore: true }, { production: true })).toContain('SsoClientOptions.allowInsecureRequests must not be true when NODE_ENV=production');
  });

  it('refuses the memory store in production unless allowed explicitly', () => {
    expect(problemOf({}, { production: true }).length).toBeGreaterThan(0);
    expect(problemOf({}, { production: true })).toContain('SsoClientOptions.store is a memory store');
    expect(() => checkOptions({ ...valid, allowVolatileStore: true }, { production: true })).not.toThrow();
  });

  it('createSsoClient fails at startup with a discovery error naming the issuer', async () => {
    await expect(createSsoClient({ ...valid, issuer: 'http://127.0.0.1:9' }, { production: false })).rejects.toMatchObject({
      code: 'SSOHUB_CLIENT_ERR_DISCOVERY',
      message: expect.stringContaining('http://127.0.0.1:9/'),
    });
  });
});
