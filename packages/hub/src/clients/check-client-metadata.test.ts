import { describe, expect, it } from 'vitest';
import { findClientProblems, idTokenAlgorithms, uriProblem } from './check-client-metadata.ts';

const SECRET = 's'.repeat(43);
const valid = {
  client_id: 'app-a',
  client_name: 'App A',
  client_secret: SECRET,
  redirect_uris: ['https://app-a.test/callback'],
  post_logout_redirect_uris: ['https://app-a.test/'],
  backchannel_logout_uri: 'https://app-a.test/backchannel-logout',
  backchannel_logout_session_required: true,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'openid email offline_access',
  ssohub_first_party: true,
  ssohub_access_token_ttl: 600,
  ssohub_refresh_token_ttl: 86_400,
};
const prod = { mode: 'production' as const };
const dev = { mode: 'development' as const };

/** Checks `changes` applied to a valid client and returns the problems. */
const problemsWith = (changes: Record<string, unknown>, options: Parameters<typeof findClientProblems>[1] = prod) =>
  findClientProblems({ ...valid, ...changes }, options);

describe('client definitions', () => {
  it('accepts a complete valid client', () => {
    expect(findClientProblems(valid, prod)).toEqual([]);
  });

  it.each([
    ['case=missing client_id', { client_id: undefined }, /^client_id must be 3-64 characters/],
    ['case=client_id with a colon', { client_id: 'app:a' }, /^client_id must be/],
    ['case=empty client_name', { client_name: '' }, /^client_name must be a string of 1-100/],
    ['case=no redirect_uris', { redirect_uris: [] }, /^redirect_uris must list at least one/],
    ['case=http redirect URI', { redirect_uris: ['http://app-a.test/cb'] }, /^redirect_uris\[0\] must use https; http is only accepted for localhost/],
    ['case=wildcard redirect URI', { redirect_uris: ['https://*.app-a.test/cb'] }, /^redirect_uris\[0\] must not contain wildcards/],
    ['case=fragment in redirect URI', { redirect_uris: ['https://app-a.test/cb#x'] }, /^redirect_uris\[0\] must not contain a fragment/],
    ['case=relative redirect URI', { redirect_uris: ['/callback'] }, /^redirect_uris\[0\] must be an absolute URI/],
    ['case=credentials in redirect URI', { redirect_uris: ['https://u:p@app-a.test/cb'] }, /^redirect_uris\[0\] must not contain credentials/],
    ['case=backslash before @ (a browser reads another host)', { redirect_uris: ['https://app-a.test\\@evil.example/cb'] }, /^redirect_uris\[0\] must (be written in its normal form|not contain credentials)/],
    ['case=upper-case scheme', { redirect_uris: ['HTTPS://app-a.test/cb'] }, /^redirect_uris\[0\] must be written in its normal form, "https:\/\/app-a.test\/cb"/],
    ['case=default port written out', { redirect_uris: ['https://app-a.test:443/cb'] }, /^redirect_uris\[0\] must be written in its normal form/],
    ['case=trailing dot in the host', { redirect_uris: ['https://app-a.test./cb'] }, /^redirect_uris\[0\] must not end its host name with a dot/],
    ['case=custom scheme', { redirect_uris: ['javascript:alert(1)'] }, /^redirect_uris\[0\] must use https/],
    ['case=duplicate redirect URI', { redirect_uris: ['https://a.test/cb', 'https://a.test/cb'] }, /^redirect_uris\[1\] duplicates/],
    ['case=post-logout URI with fragment', { post_logout_redirect_uris: ['https://app-a.test/#bye'] }, /^post_logout_redirect_uris\[0\] must not contain a fragment/],
    ['case=post-logout URIs not an array', { post_logout_redirect_uris: 'https://app-a.test/' }, /^post_logout_redirect_uris must be an array/],
    ['case=http back-channel logout URI', { backchannel_logout_uri: 'http://app-a.test/bc' }, /^backchannel_logout_uri must use https/],
    ['case=session_required without URI', { backchannel_logout_uri: undefined }, /^backchannel_logout_session_required needs backchannel_logout_uri/],
    ['case=session_required not boolean', { backchannel_logout_session_required: 'yes' }, /^backchannel_logout_session_required must be true or false/],
    ['case=first-party flag not boolean', { ssohub_first_party: 'true' }, /^ssohub_first_party must be true or false/],
    ['case=unknown scope', { scope: 'openid admin' }, /^scope contains "admin", which is not one of/],
    ['case=scope without openid', { scope: 'email' }, /^scope must include openid/],
    ['case=offline_access without refresh grant', { grant_types: ['authorization_code'] }, /^scope offline_access needs grant_types to include refresh_token/],
    ['case=offline_access without grant_types (the default has no refresh grant)', { grant_types: undefined }, /^scope offline_access needs grant_types to include refresh_token \(none given: the default is authorization_code alone\)/],
    ['case=implicit grant', { grant_types: ['authorization_code', 'implicit'] }, /^grant_types\[1\] must be one of/],
    ['case=no authorization_code grant', { grant_types: ['refresh_token'] }, /^grant_types must include authorization_code/],
    ['case=token response type', { response_types: ['code', 'token'] }, /^response_types must be \["code"\]/],
    ['case=unknown auth method', { token_endpoint_auth_method: 'client_secret_jwt' }, /^token_endpoint_auth_method must be one of/],
    ['case=short secret', { client_secret: 'short' }, /^client_secret must be at least 32 characters/],
    ['case=secret on a public client', { token_endpoint_auth_method: 'none' }, /^client_secret must not be set for token_endpoint_auth_method none/],
    ['case=private_key_jwt without keys', { token_endpoint_auth_method: 'private_key_jwt', client_secret: undefined }, /^jwks or jwks_uri is required/],
    ['case=private key in jwks', { token_endpoint_auth_method: 'private_key_jwt', client_secret: undefined, jwks: { keys: [{ kty: 'EC', d: 'x' }] } }, /^jwks must hold public keys only/],
    ['case=access token lifetime too short', { ssohub_access_token_ttl: 5 }, /^ssohub_access_token_ttl must be a whole number of seconds between 60 and 86400/],
    ['case=refresh token lifetime not a number', { ssohub_refresh_token_ttl: '1d' }, /^ssohub_refresh_token_ttl must be a whole number of seconds/],
    ['case=refresh shorter than access', { ssohub_access_token_ttl: 3600, ssohub_refresh_token_ttl: 600 }, /^ssohub_refresh_token_ttl must not be shorter than ssohub_access_token_ttl/],
    ['case=unknown field', { redirect_uri: 'https://app-a.test/cb' }, /^redirect_uri is not a supported client field/],
    ['case=ID token algorithm the hub does not sign with', { id_token_signed_response_alg: 'HS256' }, /^id_token_signed_response_alg must be one of RS256, ES256 \(got "HS256"\)/],
    ['case=ID token algorithm as a list', { id_token_signed_response_alg: ['ES256'] }, /^id_token_signed_response_alg must be one of RS256, ES256/],
  ])('refuses %s with a message naming the field', (_name, changes, expected) => {
    const problems = problemsWith(changes);
    expect(problems.some((p) => expected.test(p)), problems.join('\n')).toBe(true);
  });

  it('accepts http redirect URIs on localhost and *.localhost only in development', () => {
    const local = { redirect_uris: ['http://localhost:3000/cb', 'http://app.localhost:3000/cb'] };
    expect(problemsWith(local, dev)).toEqual([]);
    expect(problemsWith(local)[0]).toMatch(/^redirect_uris\[0\] must use https in production/);
    expect(problemsWith({ redirect_uris: ['http://127.0.0.2/cb'] }, dev)[0]).toMatch(/^redirect_uris\[0\] must use https/);
  });

  it('accepts ES256 ID tokens only where the hub holds an ES256 key', () => {
    expect(problemsWith({ id_token_signed_response_alg: 'ES256' })).toEqual([]);
    expect(problemsWith({ id_token_signed_response_alg: 'RS256' }, { ...prod, idTokenAlgs: idTokenAlgorithms([{ alg: 'RS256' }]) })).toEqual([]);
    expect(problemsWith({ id_token_signed_response_alg: 'ES256' }, { ...prod, idTokenAlgs: idTokenAlgorithms([{ alg: 'RS256' }]) })).toEqual([
      'id_token_signed_response_alg is ES256, but the hub has no ES256 key in bridge.signingKeys (it signs with RS256)',
    ]);
    // No keys configured (development): the hub generates one of each.
    expect(idTokenAlgorithms([])).toEqual(['RS256', 'ES256']);
    expect(idTokenAlgorithms([{ alg: 'ES256' }, { alg: 'RS256' }, { alg: 'RS256' }])).toEqual(['RS256', 'ES256']);
  });

  it('refuses a secret sent for API onboarding, where the hub generates it', () => {
    expect(problemsWith({}, { mode: 'production', secretGenerated: true })).toEqual([
      expect.stringMatching(/^client_secret is generated by the hub/),
    ]);
    expect(problemsWith({ client_secret: undefined }, { mode: 'production', secretGenerated: true })).toEqual([]);
  });

  it('prefixes problems with the path of a static client', () => {
    expect(findClientProblems({ ...valid, redirect_uris: ['https://a.test/#'] }, { mode: 'production', path: 'bridge.clients[2].' })).toEqual([
      expect.stringMatching(/^bridge\.clients\[2\]\.redirect_uris\[0\] must not contain a fragment/),
    ]);
  });

  it('refuses something that is not an object', () => {
    expect(findClientProblems('app-a', prod)[0]).toMatch(/must be an object/);
  });

  it('explains why a URI is refused, and accepts exact https URIs with a query', () => {
    expect(uriProblem('https://app-a.test/cb?tenant=1', prod)).toBeUndefined();
    expect(uriProblem(42, prod)).toMatch(/must be an absolute URI string/);
    expect(uriProblem('https://app-a.test/a b', prod)).toMatch(/spaces/);
  });
});
