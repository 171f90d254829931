import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { HubRequest, runHubRequest } from '../request/hub-request.ts';
import { createLogger, requestChildLogger } from './create-logger.ts';
import { registerHubRequest } from './register-hub-request.ts';

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** A listener set up as the hub's (its logger, request loggers and HubRequest hook), logging on both loggers. */
async function appLogging() {
  const lines: string[] = [];
  const log = createLogger('info', { write: (line: string) => void lines.push(line) });
  const app = Fastify({ loggerInstance: log, childLoggerFactory: requestChildLogger, genReqId: () => crypto.randomUUID(), requestIdHeader: false }) as unknown as FastifyInstance;
  apps.push(app);
  registerHubRequest(app);
  // The bridge, the guard and the store log on the hub's logger, not the request's.
  const work = async (marker: string) => {
    log.info({ marker }, 'app logger, before any wait');
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.child({ part: 'guard' }).warn({ marker, err: new Error('store slow') }, 'app child logger, after a timer');
  };
  app.get('/work', async (request) => {
    request.log.info({ marker: 'get' }, 'request logger');
    await work('get');
    return { id: request.id };
  });
  app.post('/work', async (request) => {
    await work('post');
    return { id: request.id };
  });
  await app.ready();
  return { app, lines, log };
}

describe('request ids in the log', () => {
  it('puts the request id, once, on every line logged while answering a request, on either logger', async () => {
    const { app, lines } = await appLogging();
    const get = (await app.inject({ method: 'GET', url: '/work' })).json<{ id: string }>();
    const post = (await app.inject({ method: 'POST', url: '/work', payload: { a: 1 } })).json<{ id: string }>();
    expect(get.id).not.toBe(post.id);
    const parsed = lines.map((l) => ({ raw: l, line: JSON.parse(l) as Record<string, unknown> }));
    for (const { raw, line } of parsed) {
      expect(raw.match(/"reqId":/g), raw).toHaveLength(1);
      if (line.marker === 'get') expect(line.reqId, raw).toBe(get.id);
      if (line.marker === 'post') expect(line.reqId, raw).toBe(post.id);
    }
    expect(parsed.filter((p) => p.line.marker === 'get')).toHaveLength(3);
    expect(parsed.filter((p) => p.line.marker === 'post')).toHaveLength(2);
    // Fastify's own lines (incoming request, request completed) keep theirs.
    expect(parsed.filter((p) => p.line.msg === 'request completed').map((p) => p.line.reqId)).toEqual([get.id, post.id]);
  });

  it('logs no request id outside any request, and the HubRequest id inside one', () => {
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    log.info('background');
    runHubRequest(() => log.info('for a request'), new HubRequest('req-7'));
    runHubRequest(() => log.info({ reqId: 'explicit' }, 'the caller says'), new HubRequest('req-8'));
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).not.toHaveProperty('reqId');
    expect(parsed[1]).toMatchObject({ reqId: 'req-7' });
    expect(parsed[2]).toMatchObject({ reqId: 'explicit' });
    expect(lines[2]!.match(/"reqId":/g)).toHaveLength(1);
  });
});
