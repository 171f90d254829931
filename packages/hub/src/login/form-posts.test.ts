import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type Hub } from '../app.ts';
import { checkConfig } from '../config/check-config.ts';
import { createLogger } from '../http/create-logger.ts';

// The form posts of the login domain (the sign-out form, the consent form) have route schemas:
// a form that is not what the page sends is a 400 on the hub's error page naming the field,
// before anything is asked of Kratos or the provider.

type LogLine = { level: number; msg: string; reqId?: string; status?: number; code?: string };

describe('the login domain refuses form posts that fail their schema', () => {
  let hub: Hub;
  const lines: LogLine[] = [];
  beforeAll(async () => {
    const config = checkConfig({
      mode: 'development',
      publicUrl: 'http://login.localhost:4000',
      store: { kind: 'memory' },
      kratos: { publicUrl: 'http://127.0.0.1:9', adminUrl: 'http://127.0.0.1:9' },
      bridge: { cookieKeys: ['test-cookie-key-0123456789abcdefghijklmnop'] },
    });
    hub = await buildApp(config, { log: createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) }) });
  });
  afterAll(() => hub.close());

  const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
    hub.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers } });

  it.each([
    ['/interaction/abc123/consent', 'decision=allow', 'decision must be one of: approve, deny'],
    ['/interaction/abc123/consent', '', 'decision is required'],
    ['/interaction/abc123/consent', 'decision=approve&decision=approve', 'decision must be one of: approve, deny'],
    ['/logout', 'return_to=https%3A%2F%2Fa.test%2F&return_to=https%3A%2F%2Fb.test%2F', 'return_to must be a string'],
  ])('POST %s %j: 400 on the error page, "%s", with its reference and one log line', async (url, payload, message) => {
    const before = lines.length;
    const res = await post(url, payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain(`data-testid="error/message" data-code="SSOHUB_ERR_BAD_REQUEST">${message}</p>`);
    const reference = /data-testid="error\/reference">([^<]+)</.exec(res.body)?.[1];
    expect(reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.slice(before).filter((l) => l.msg === 'request refused')).toEqual([expect.objectContaining({ reqId: reference, status: 400, code: 'SSOHUB_ERR_BAD_REQUEST' })]);
  });

  it('answers the same refusal as JSON to a caller that asks for JSON', async () => {
    const res = await post('/interaction/abc123/consent', 'decision=maybe', { accept: 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'SSOHUB_ERR_BAD_REQUEST', status: 400, message: 'decision must be one of: approve, deny', requestId: expect.any(String) } });
  });

  it('lets a well-formed consent form through to the interaction, which this browser does not have', async () => {
    const res = await post('/interaction/abc123/consent', 'decision=deny');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('data-code="SSOHUB_ERR_INTERACTION"');
  });

  it('refuses a cross-site sign-out before looking at its form, whatever it holds', async () => {
    const res = await post('/logout', 'return_to=a&return_to=b', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toMatch(/did not come from this site/);
  });

  it('takes a sign-out without a body, or with fields the page does not send', async () => {
    // No cookie, so no Kratos session to end: straight back home.
    const bare = await hub.app.inject({ method: 'POST', url: '/logout' });
    expect(bare.statusCode).toBe(303);
    const extra = await post('/logout', 'csrf=abc');
    expect(extra.statusCode).toBe(303);
    expect(extra.headers.location).toBe('/');
  });
});
