import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { kratosOperation } from '../kratos/kratos-endpoint.ts';
import { createHubMetrics } from './hub-metrics.ts';
import { requestMetricsPlugin } from './register-request-metrics.ts';

async function listener() {
  const metrics = createHubMetrics();
  const app = Fastify();
  await app.register(requestMetricsPlugin, { metrics });
  app.get('/items/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  app.post('/fail', async (_request, reply) => reply.code(503).send({ error: 'down' }));
  app.get('/hijacked', (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(302, { location: '/' });
    reply.raw.end();
  });
  return { app, metrics };
}

const count = (text: string, labels: string) => text.match(new RegExp(`^ssohub_http_request_duration_seconds_count\\{service="ssohub-hub",${labels}\\} (\\d+)$`, 'm'))?.[1];

describe('request metrics (register-request-metrics.ts)', () => {
  it('labels a request by its route pattern, never its URL, with its status class', async () => {
    const { app, metrics } = await listener();
    await app.inject('/items/alice@example.com');
    await app.inject('/items/42?secret=1');
    await app.inject({ method: 'POST', url: '/fail' });
    const text = await metrics.registry.metrics();
    expect(count(text, 'route="/items/:id",method="GET",status_class="2xx"')).toBe('2');
    expect(count(text, 'route="/fail",method="POST",status_class="5xx"')).toBe('1');
    expect(text).not.toContain('alice');
    expect(text).not.toContain('secret');
  });

  it('puts every unmatched URL under one label, and times hijacked replies', async () => {
    const { app, metrics } = await listener();
    for (const url of ['/nope', '/admin/../etc/passwd', '/x?y=1']) await app.inject(url);
    await app.inject({ method: 'PROPFIND' as 'GET', url: '/nope' });
    await app.inject('/hijacked');
    const text = await metrics.registry.metrics();
    expect(count(text, 'route="unmatched",method="GET",status_class="4xx"')).toBe('3');
    expect(count(text, 'route="unmatched",method="other",status_class="4xx"')).toBe('1');
    expect(count(text, 'route="/hijacked",method="GET",status_class="3xx"')).toBe('1');
    expect(text).not.toContain('passwd');
  });
});

describe('Kratos call labels (kratosOperation)', () => {
  it('drops the query and any segment holding an id', () => {
    expect(kratosOperation('GET', '/self-service/login/flows?id=0f5c1f8e-1111-4a4a-9a9a-0123456789ab')).toBe('GET /self-service/login/flows');
    expect(kratosOperation('DELETE', '/admin/sessions/0f5c1f8e-1111-4a4a-9a9a-0123456789ab')).toBe('DELETE /admin/sessions/:id');
    expect(kratosOperation('GET', '/admin/identities/0f5c1f8e-1111-4a4a-9a9a-0123456789ab/sessions?active=true')).toBe('GET /admin/identities/:id/sessions');
  });
});
