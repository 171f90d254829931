import { describe, expect, it } from 'vitest';
import {
  CLIENT_PROBLEM_KEYS,
  type CheckClientOptions,
  type ClientProblem,
  type ClientProblemKey,
  describeClientProblem,
  findClientProblemDetails,
  findClientProblems,
  MAX_RESOURCES,
} from '../../clients/check-client-metadata.ts';
import { LOCALES } from '../../i18n/locales.ts';
import { hasMessage, t } from '../../i18n/translate.ts';
import { clientProblemMessageKey, clientProblemText } from './client-problems.ts';

// The console shows the checker's problems from its catalogs, the admin API and the CLI from the
// checker's English. Each problem the checker can name is driven here, so a new one without a
// translation, or an English catalog text that drifts from the checker's, fails.

const prod: CheckClientOptions = { mode: 'production' };
const secret = 's'.repeat(40);
const app = { client_id: 'app-a', client_secret: secret, redirect_uris: ['https://app-a.test/cb'] };
const service = { client_id: 'svc-a', client_secret: secret, grant_types: ['client_credentials'], resources: ['https://api.test'] };
const withUri = (uri: unknown) => ({ ...app, redirect_uris: [uri] });

const TRIGGERS: [ClientProblemKey, unknown, CheckClientOptions?][] = [
  ['not_object', 'app-a'],
  ['unknown_field', { ...app, colour: 'blue' }],
  ['client_id', { ...app, client_id: 'x' }],
  ['client_name', { ...app, client_name: '' }],
  ['redirect_uris_required', { ...app, redirect_uris: [] }],
  ['resources_service_only', { ...app, resources: ['https://api.test'] }],
  ['array_of_uris', { ...app, post_logout_redirect_uris: 'https://app-a.test/bye' }],
  ['boolean', { ...app, ssohub_first_party: 'no' }],
  ['session_required_needs_uri', { ...app, backchannel_logout_session_required: true }],
  ['non_empty_array', { ...app, grant_types: [] }],
  ['one_of', { ...app, grant_types: ['authorization_code', 'implicit'] }],
  ['must_include', { ...app, grant_types: ['refresh_token'] }],
  ['response_types_code', { ...app, response_types: ['token'] }],
  ['id_token_alg_no_key', { ...app, id_token_signed_response_alg: 'ES256' }, { ...prod, idTokenAlgs: ['RS256'] }],
  ['secret_generated', app, { ...prod, secretGenerated: true }],
  ['secret_too_short', { ...app, client_secret: 'short' }],
  ['secret_not_allowed', { ...app, token_endpoint_auth_method: 'none' }],
  ['jwks_required', { ...app, client_secret: undefined, token_endpoint_auth_method: 'private_key_jwt' }],
  ['jwks_set', { ...app, jwks: {} }],
  ['jwks_private', { ...app, jwks: { keys: [{ kty: 'EC', d: 'x' }] } }],
  ['scope_list', { ...app, scope: ' ' }],
  ['scope_unknown', { ...app, scope: 'openid phone' }],
  ['offline_access_needs_refresh', { ...app, scope: 'openid offline_access', grant_types: ['authorization_code'] }],
  ['offline_access_needs_refresh_default', { ...app, scope: 'openid offline_access' }],
  ['ttl_range', { ...app, ssohub_access_token_ttl: 1 }],
  ['refresh_ttl_too_short', { ...app, ssohub_access_token_ttl: 3600, ssohub_refresh_token_ttl: 600 }],
  ['service_grant_types', { ...service, grant_types: ['client_credentials', 'refresh_token'] }],
  ['service_no_redirect_uris', { ...service, redirect_uris: ['https://app-a.test/cb'] }],
  ['service_no_response_types', { ...service, response_types: ['code'] }],
  ['service_no_user', { ...service, ssohub_first_party: true }],
  ['service_no_session', { ...service, backchannel_logout_session_required: true }],
  ['service_no_scope', { ...service, scope: 'openid' }],
  ['service_auth_method', { ...service, client_secret: undefined, token_endpoint_auth_method: 'none' }],
  ['service_resources_required', { ...service, resources: [] }],
  ['service_resources_max', { ...service, resources: Array.from({ length: MAX_RESOURCES + 1 }, (_, i) => `https://api${i}.test`) }],
  ['uri_duplicate', { ...app, redirect_uris: ['https://app-a.test/cb', 'https://app-a.test/cb'] }],
  ['uri_string', withUri(42)],
  ['uri_wildcard', withUri('https://*.app-a.test/cb')],
  ['uri_fragment', withUri('https://app-a.test/cb#x')],
  ['uri_spaces', withUri('https://app-a.test/a b')],
  ['uri_absolute', withUri('/cb')],
  ['uri_credentials', withUri('https://u:p@app-a.test/cb')],
  ['uri_normal_form', withUri('HTTPS://app-a.test/cb')],
  ['uri_host_dot', withUri('https://app-a.test./cb')],
  ['uri_https_localhost', withUri('http://app-a.test/cb')],
  ['uri_https_production', withUri('http://localhost:3000/cb')],
  ['uri_scheme', withUri('ftp://app-a.test/cb')],
];

/** Each trigger's problem of its key (the input may have others). */
const driven: ClientProblem[] = TRIGGERS.map(([key, input, options = prod]) => {
  const found = findClientProblemDetails(input, options).find((p) => p.key === key);
  if (!found) throw new Error(`${key}: not produced by ${JSON.stringify(input)}`);
  return found;
});

/** A parameter as the message shows it: lists joined, as the English does. */
const shown = (value: unknown) => (Array.isArray(value) ? value.join(', ') : String(value));

describe('the checker’s problems in the console’s languages', () => {
  it('drives every problem the checker can name', () => {
    expect(TRIGGERS.map(([key]) => key).sort()).toEqual([...CLIENT_PROBLEM_KEYS].sort());
  });

  it('gives every problem a message in the console catalog', () => {
    expect(CLIENT_PROBLEM_KEYS.filter((key) => !hasMessage(clientProblemMessageKey({ key })))).toEqual([]);
  });

  it('words each problem in English exactly as the admin API and the CLI do', () => {
    for (const [i, problem] of driven.entries()) {
      const [, input, options = prod] = TRIGGERS[i]!;
      expect(findClientProblems(input, options)).toContain(describeClientProblem(problem));
      expect(clientProblemText(problem, 'en')).toBe(describeClientProblem(problem));
    }
  });

  it.each(LOCALES.filter((l) => l !== 'en'))('words each problem in %s, field first, with field names and values as they are', (locale) => {
    for (const problem of driven) {
      const line = clientProblemText(problem, locale);
      expect(line.startsWith(`${problem.field || 'client'} `), line).toBe(true);
      expect(line, `${problem.key} is not translated`).not.toBe(clientProblemText(problem, 'en'));
      for (const value of Object.values(problem.params)) expect(line, problem.key).toContain(shown(value));
    }
  });

  it('keeps the path of a static client in front of the field', () => {
    const [problem] = findClientProblemDetails({ ...app, redirect_uris: ['https://app-a.test/#'] }, { ...prod, path: 'bridge.clients[2].' });
    expect(problem).toEqual({ field: 'bridge.clients[2].redirect_uris[0]', key: 'uri_fragment', params: { got: '"https://app-a.test/#"' } });
    expect(clientProblemText(problem!, 'de')).toBe(`bridge.clients[2].redirect_uris[0] ${t('console.clients.problem.uri_fragment', { got: '"https://app-a.test/#"' }, 'de')}`);
  });
});
