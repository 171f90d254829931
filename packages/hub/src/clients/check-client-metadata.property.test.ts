import fc from 'fast-check';
import type Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../app.ts';
import { checkConfig } from '../config/check-config.ts';
import { SsoHubError } from '../errors/ssohub-error.ts';
import { createLogger } from '../http/create-logger.ts';
import { findClientProblems, uriProblem } from './check-client-metadata.ts';
import type { ClientMetadata, ClientRegistry } from './client-registry.ts';
import { ClientValidationError } from './create-client-registry.ts';

// oidc-provider compares a redirect_uri (and a post_logout_redirect_uri) with the registered
// strings exactly. What the hub accepts at registration is what it will later redirect browsers
// to: these properties hold every accepted URI to the documented rule (absolute, https, http only
// for localhost and *.localhost in development, no fragment, no credentials, written in the form a
// browser reads it), every refusal to the hub's own error, and every accepted client to the
// provider's own client schema, read through the registry as the provider reads it.

// What redirect URIs are made of, part by part: the usual forms, and odd ones that write one
// address several ways (case, default ports, dot segments, trailing dots, IDNA, backslashes) or
// smuggle in another host, credentials or a fragment.
const PARTS: [usual: string[], odd: string[]][] = [
  [['https', 'https', 'http'], ['HTTPS', 'Http', 'javascript', 'data', 'file', 'ws', 'com.example.app', 'ftp']],
  [['://'], [':/', ':', ':///', ':\\', '://\\']],
  [[''], ['user@', 'user:pw@', '@', ':@', 'a%40b@']],
  [
    ['app.example', 'localhost', 'dev.localhost', 'xn--bcher-kva.example', '127.0.0.1', '[::1]'],
    ['APP.example', 'LOCALHOST', 'localhost.', 'app.example.', 'localhost.evil.example', 'evillocalhost', '0x7f.1', 'bücher.example', 'app.example\\@evil.example', 'evil.example%2f@app.example', 'a_b.example', '*.example', ''],
  ],
  [['', ':8443', ':3000'], [':443', ':80', ':0', ':65536', ':x', ':']],
  [['', '/', '/cb', '/auth/callback', '/cb/', '/c%62', '/~', '/cb;x'], ['/a/../cb', '/./cb', '/%2e%2e/cb', '//cb', '/ü', '/a b', '/a\\b', "/a'b", '/a"b', '/a<b', '/*']],
  [['', '?x=1', '?x=1&y', '?'], ["?a'b", '?a b', '?next=https://evil.example']],
  [[''], ['#', '#x']],
];
const join = (parts: fc.Arbitrary<string>[]) => fc.tuple(...parts).map((p) => p.join(''));
/** Usual parts only, http only on localhost: mostly accepted (in development). */
const usualUri = join(PARTS.map(([usual]) => fc.constantFrom(...usual))).map((u) => u.replace(/^http:\/\/(?!localhost|dev\.localhost)/, 'https://'));
/** Each part now and then odd: accepted about one time in six. */
const mixedUri = join(PARTS.map(([usual, odd]) => fc.oneof({ arbitrary: fc.constantFrom(...usual), weight: 7 }, { arbitrary: fc.constantFrom(...odd), weight: 1 })));
const uri = fc.oneof(
  { arbitrary: mixedUri, weight: 6 },
  { arbitrary: fc.webUrl({ withFragments: true, withQueryParameters: true, authoritySettings: { withUserInfo: true, withPort: true } }), weight: 2 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 1 }), weight: 1 },
);
/** What a registration lists: mostly usual URIs, so that many registrations go through. */
const listed = fc.oneof({ arbitrary: usualUri, weight: 6 }, { arbitrary: uri, weight: 1 });
/** A URI list as a registration may send it: mostly distinct usual URIs; or anything, duplicates, none, no list. */
const uriList = fc.oneof(
  { arbitrary: fc.uniqueArray(listed, { minLength: 1, maxLength: 3 }), weight: 6 },
  { arbitrary: fc.array(uri, { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 1 }), weight: 1 },
);

const isLocalhost = (hostname: string) => hostname === 'localhost' || hostname.endsWith('.localhost');

/** The documented rule for one accepted URI, in the mode it was accepted in. */
function expectAcceptable(value: unknown, mode: 'production' | 'development'): void {
  const said = JSON.stringify(value);
  expect(typeof value, said).toBe('string');
  const text = value as string;
  const url = new URL(text);
  if (url.protocol === 'http:') {
    expect(mode, said).toBe('development');
    expect(isLocalhost(url.hostname), said).toBe(true);
  } else {
    expect(url.protocol, said).toBe('https:');
  }
  expect(text.includes('#'), said).toBe(false);
  expect(url.username + url.password, said).toBe('');
  // The string is the URL as a browser serializes it (only the "/" of an empty path may be
  // left out): the address the hub redirects to is the one an operator reads in the registry.
  expect([text, `${text}/`], said).toContain(url.href);
  expect(url.hostname.endsWith('.'), said).toBe(false);
}

describe('uriProblem (property)', () => {
  it('accepts only absolute https URIs (http on localhost in development), without fragment or credentials, in their normal form', () => {
    fc.assert(
      fc.property(uri, fc.constantFrom('production' as const, 'development' as const), (value, mode) => {
        const problem = uriProblem(value, { mode });
        if (problem === undefined) expectAcceptable(value, mode);
        else expect(typeof problem).toBe('string');
      }),
      { numRuns: 4000 },
    );
  });

  it('findClientProblems names every unacceptable redirect URI and post-logout URI by its index', () => {
    fc.assert(
      fc.property(fc.array(uri, { minLength: 1, maxLength: 4 }), fc.array(uri, { maxLength: 3 }), (redirects, postLogout) => {
        const problems = findClientProblems(
          { client_id: 'app-a', redirect_uris: redirects, post_logout_redirect_uris: postLogout, token_endpoint_auth_method: 'none' },
          { mode: 'production' },
        );
        for (const [field, list] of [['redirect_uris', redirects], ['post_logout_redirect_uris', postLogout]] as const) {
          list.forEach((value, i) => {
            const named = problems.some((p) => p.startsWith(`${field}[${i}] `));
            const duplicate = list.indexOf(value) < i;
            expect(named, `${field}[${i}] ${JSON.stringify(value)}: ${problems.join('; ')}`).toBe(uriProblem(value, { mode: 'production' }) !== undefined || duplicate);
          });
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('client registration against the provider (property)', () => {
  let hub: Hub;
  let registry: ClientRegistry;
  let provider: Provider;
  let n = 0;

  beforeAll(async () => {
    const config = checkConfig({
      mode: 'development',
      publicUrl: 'http://login.localhost:4000',
      store: { kind: 'memory' },
      kratos: { publicUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9' },
      bridge: { cookieKeys: ['test-cookie-key-0123456789abcdefghijklmnop'] },
    });
    hub = await buildApp(config, { log: createLogger('silent', { write: () => {} }) });
    registry = hub.ctx.clients;
    provider = hub.ctx.bridge.provider;
  });
  afterAll(async () => {
    await hub?.close();
  });

  it("registers a client, or refuses it with the hub's own error; the provider then reads what was registered and redirects only there", async () => {
    const lists = fc.record({
      redirects: uriList,
      postLogout: fc.option(uriList, { nil: undefined }),
      elsewhere: uri,
    });
    await fc.assert(
      fc.asyncProperty(lists, async ({ redirects, postLogout, elsewhere }) => {
        const clientId = `prop-${++n}`;
        const input = { client_id: clientId, redirect_uris: redirects, ...(postLogout === undefined ? {} : { post_logout_redirect_uris: postLogout }) };
        let created: ClientMetadata;
        try {
          created = (await registry.create(input as ClientMetadata, 'admin:property')).metadata;
        } catch (err) {
          expect(err).toBeInstanceOf(ClientValidationError);
          expect(err).toBeInstanceOf(SsoHubError);
          expect((err as ClientValidationError).problems.length).toBeGreaterThan(0);
          return;
        }
        const registered = created.redirect_uris;
        const afterLogout = created.post_logout_redirect_uris ?? [];
        expect(registered).toEqual(redirects);
        for (const value of [...registered, ...afterLogout]) expectAcceptable(value, 'development');
        // The provider reads the client through the registry (its Client adapter) and validates
        // it with its own schema: a client the hub accepted must not fail there.
        const client = await provider.Client.find(clientId);
        expect(client, JSON.stringify(input)).toBeDefined();
        for (const value of registered) expect(client!.redirectUriAllowed(value)).toBe(true);
        for (const value of afterLogout) expect(client!.postLogoutRedirectUriAllowed(value)).toBe(true);
        // Exactly those strings: no other spelling of an address, no other port on localhost.
        if (typeof elsewhere === 'string') {
          expect(client!.redirectUriAllowed(elsewhere), elsewhere).toBe(registered.includes(elsewhere));
          expect(client!.postLogoutRedirectUriAllowed(elsewhere), elsewhere).toBe(afterLogout.includes(elsewhere));
        }
        await registry.delete(clientId, 'admin:property');
      }),
      { numRuns: 500 },
    );
  });

  it("refuses any other JSON body with the hub's own error, never a TypeError", async () => {
    const fields = ['client_id', 'client_name', 'redirect_uris', 'post_logout_redirect_uris', 'backchannel_logout_uri', 'grant_types', 'token_endpoint_auth_method', 'jwks', 'scope', 'ssohub_first_party'];
    const body = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.dictionary(fc.constantFrom(...fields, '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 2 })));
    await fc.assert(
      fc.asyncProperty(body, async (input) => {
        try {
          const { metadata } = await registry.create(input as ClientMetadata, 'admin:property');
          for (const value of [...metadata.redirect_uris, ...(metadata.post_logout_redirect_uris ?? [])]) expectAcceptable(value, 'development');
          await registry.delete(metadata.client_id, 'admin:property');
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(SsoHubError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accepts an update of the URIs only under the same rule, and refuses the rest with its own error', async () => {
    await registry.create({ client_id: 'prop-updated', redirect_uris: ['https://app.example/cb'] }, 'admin:property');
    await fc.assert(
      fc.asyncProperty(uriList, async (redirects) => {
        try {
          const { metadata } = await registry.update('prop-updated', { redirect_uris: redirects as string[] }, 'admin:property');
          expect(metadata.redirect_uris).toEqual(redirects);
          for (const value of metadata.redirect_uris) expectAcceptable(value, 'development');
          const client = await provider.Client.find('prop-updated');
          for (const value of metadata.redirect_uris) expect(client!.redirectUriAllowed(value)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(ClientValidationError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
