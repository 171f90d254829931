import { describe, expect, it } from 'vitest';
import { KratosError, KratosUnavailableError } from '../kratos/kratos-error.ts';
import { StoreUnavailableError } from '../storage/store-unavailable.ts';
import { providerErrorFormat } from './error-format.ts';
import { presentError } from './present-error.ts';
import { SsoHubError } from './ssohub-error.ts';

describe('presentError', () => {
  it.each([
    ['Kratos unreachable', new KratosUnavailableError('Kratos is unreachable: ECONNREFUSED'), 'SSOHUB_ERR_KRATOS_UNAVAILABLE'],
    ['Kratos answering 500', new KratosError(500, undefined, { error: { reason: 'pq: connection refused' } }), 'SSOHUB_ERR_KRATOS_UNAVAILABLE'],
    ['Kratos 5xx wrapped by the hub', new SsoHubError('SSOHUB_ERR_INTERNAL', 'Kratos refused to hand out a login flow', { status: 502, cause: new KratosError(503, undefined, undefined) }), 'SSOHUB_ERR_KRATOS_UNAVAILABLE'],
    ['a Redis timeout', new Error('Command timed out'), 'SSOHUB_ERR_STORE_UNAVAILABLE'],
    ['a store failure wrapped twice', new Error('deferred write failed', { cause: new Error('x', { cause: new StoreUnavailableError('down') }) }), 'SSOHUB_ERR_STORE_UNAVAILABLE'],
  ])('answers %s as a 503 outage with Retry-After and the reference, never the upstream text', (_name, err, code) => {
    const shown = presentError(err, 'req-42');
    expect(shown).toMatchObject({ status: 503, code, headers: { 'retry-after': '5' }, oauth: { error: 'temporarily_unavailable' } });
    expect(shown.message).toContain('req-42');
    expect(shown.message).not.toMatch(/pq:|ECONNREFUSED|timed out/);
    expect(shown.oauth.error_description).toBe(shown.message);
  });

  it('answers a request body its client cut short as the client\'s 400, not a store outage', () => {
    // What Node's http server hands Fastify when the client closes mid-body (abortIncoming), with
    // the status Fastify's body reader puts on it: its ECONNRESET is the client's socket, not Redis'.
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET', statusCode: 400 });
    expect(presentError(aborted, 'r')).toMatchObject({ status: 400, code: 'SSOHUB_ERR_BAD_REQUEST' });
    // ...and when the provider read the body itself, without Fastify's status on it.
    expect(presentError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), 'r')).toMatchObject({ status: 400, code: 'SSOHUB_ERR_BAD_REQUEST' });
    // A Redis connection reset is still an outage.
    expect(presentError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'r')).toMatchObject({ status: 503, code: 'SSOHUB_ERR_STORE_UNAVAILABLE' });
  });

  it('keeps a Kratos 4xx a hub failure (500), not an outage', () => {
    expect(presentError(new KratosError(400, 'browser_location_change_required', undefined), 'r')).toMatchObject({ status: 500, code: 'SSOHUB_ERR_INTERNAL', oauth: { error: 'server_error' } });
  });

  it('adds Retry-After to an exposed 503 and keeps the one a 429 brings', () => {
    const down = new SsoHubError('SSOHUB_ERR_KRATOS_UNAVAILABLE', 'The sign-in service is temporarily unavailable.', { status: 503, expose: true });
    expect(presentError(down, 'r').headers).toEqual({ 'retry-after': '5' });
    const throttled = new SsoHubError('SSOHUB_ERR_THROTTLED', 'Too many attempts.', { status: 429, headers: { 'retry-after': '60' } });
    expect(presentError(throttled, 'r')).toMatchObject({ headers: { 'retry-after': '60' }, oauth: { error: 'temporarily_unavailable', error_description: 'Too many attempts.' } });
  });

  it('gives OAuth callers a string error code for every status', () => {
    expect(presentError(Object.assign(new Error('bad body'), { statusCode: 415 }), 'r').oauth.error).toBe('invalid_request');
    expect(presentError(new Error('bug'), 'r').oauth).toEqual({ error: 'server_error', error_description: expect.stringContaining('reference r') });
  });
});

describe('providerErrorFormat', () => {
  it.each([
    ['/auth', 'page'],
    ['/AUTH/', 'page'],
    ['/auth/abc123', 'page'],
    ['/session/end', 'page'],
    ['/session/end/confirm', 'page'],
    ['/token', 'oauth'],
    ['/token/introspection', 'oauth'],
    ['/token/revocation', 'oauth'],
    ['/me', 'oauth'],
    ['/jwks', 'oauth'],
    ['/reg', 'oauth'],
    ['/request', 'oauth'],
    ['/.well-known/openid-configuration', 'oauth'],
    ['/authorize-nothing', 'oauth'],
  ])('answers errors on %s as %s', (path, format) => {
    expect(providerErrorFormat(path)).toBe(format);
  });
});
