import type { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type Hub } from '../../app.ts';
import { checkConfig } from '../../config/check-config.ts';
import { createLogger } from '../../http/create-logger.ts';

type LogLine = { level: number; msg: string; code?: string; err?: { message?: string } };

// Found by the fuzz suite (test/fuzz): a client whose connection fails while the provider answers
// (bytes after `Connection: close`, a body cut short by a half-close) made Koa, the provider's
// framework, print the error's stack on stderr: an error line outside the hub's log, one per such
// request. Koa reports those as the app's 'error' event once the answer has finished; here the
// event is raised as Koa raises it.
describe('the provider mount when Koa reports an error after the answer', () => {
  let hub: Hub;
  let koa: EventEmitter;
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
    await hub.app.ready();
    koa = hub.ctx.bridge!.provider as unknown as EventEmitter;
  });
  afterAll(async () => {
    await hub.close();
  });

  it("logs the client's broken connection as one info line on the hub log, never on stderr", () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const errors = [
        Object.assign(new Error('Parse Error: Data after `Connection: close`'), { code: 'HPE_CLOSED_CONNECTION' }),
        Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_EOF_STATE' }),
        Object.assign(new Error('aborted'), { code: 'ECONNRESET' }),
      ];
      const before = lines.length;
      for (const err of errors) koa.emit('error', err, {});
      expect(stderr).not.toHaveBeenCalled();
      const logged = lines.slice(before);
      expect(logged).toHaveLength(3);
      for (const line of logged) expect(line).toMatchObject({ level: 30, msg: 'client connection failed during the answer' });
    } finally {
      stderr.mockRestore();
    }
  });

  it('logs anything else it reports as an error line on the hub log, never on stderr', () => {
    const stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const before = lines.length;
      koa.emit('error', new TypeError('a bug'), {});
      expect(stderr).not.toHaveBeenCalled();
      expect(lines.slice(before)).toMatchObject([{ level: 50, err: { message: 'a bug' } }]);
    } finally {
      stderr.mockRestore();
    }
  });

  it('answers a Host that makes no URL with 400 on the provider routes, not a 500 and an error line', async () => {
    for (const host of ['%zz', '[::1', 'a b']) {
      for (const url of ['/oidc/.well-known/openid-configuration', '/.well-known/oauth-authorization-server/oidc', '/oidc/session/end?state=s']) {
        const before = lines.length;
        const res = await hub.app.inject({ method: 'GET', url, headers: { host } });
        expect(res.statusCode, `${host} ${url}`).toBe(400);
        expect(lines.slice(before).filter((l) => l.level >= 50)).toEqual([]);
      }
    }
    const ok = await hub.app.inject({ method: 'GET', url: '/oidc/.well-known/openid-configuration', headers: { host: 'login.localhost:4000' } });
    expect(ok.statusCode).toBe(200);
  });
});
