import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerMetrics } from '../admin/register-metrics.ts';
import { hubRequestPlugin } from '../http/register-hub-request.ts';
import { createHubMetrics } from '../metrics/hub-metrics.ts';
import { requestMetricsPlugin } from '../metrics/register-request-metrics.ts';
import { requestTracingPlugin } from './register-request-tracing.ts';

const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })] }).getTracer('test');
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('exemplars: the trace of a sampled request on its latency bucket', () => {
  it('serves OpenMetrics with the trace id as the exemplar of the bucket the request fell in, once tracing is on', async () => {
    const metrics = createHubMetrics({ exemplars: true });
    const app = Fastify();
    await app.register(hubRequestPlugin);
    await app.register(requestTracingPlugin, { tracer });
    await app.register(requestMetricsPlugin, { metrics });
    app.get('/items/:id', async () => 'ok');
    registerMetrics(app, metrics);
    await app.inject({ url: '/items/1', headers: { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` } });
    // Not sampled: counted, with no exemplar.
    await app.inject({ url: '/items/2', headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-00' } });
    const res = await app.inject('/metrics');
    expect(res.headers['content-type']).toMatch(/^application\/openmetrics-text/);
    const lines = res.body.split('\n');
    const withExemplar = lines.filter((l) => l.startsWith('ssohub_http_request_duration_seconds_bucket{') && l.includes('route="/items/:id"') && l.includes(' # {'));
    expect(withExemplar.length).toBe(1);
    expect(withExemplar[0]).toMatch(new RegExp(`# \\{trace_id="${TRACE}"\\} [0-9.e-]+ [0-9.]+$`));
    expect(res.body).toMatch(/ssohub_http_request_duration_seconds_count\{[^}]*route="\/items\/:id"[^}]*\} 2/);
    // One OpenMetrics document: the process metrics follow the hub's, and `# EOF` ends it once.
    expect(lines.filter((l) => l === '# EOF')).toHaveLength(1);
    expect(res.body.trimEnd().endsWith('# EOF')).toBe(true);
    expect(res.body).toContain('process_cpu_seconds_total');
  });

  it('keeps the Prometheus text format, without exemplars, while tracing is off', async () => {
    const metrics = createHubMetrics();
    const app = Fastify();
    await app.register(hubRequestPlugin);
    await app.register(requestMetricsPlugin, { metrics });
    app.get('/', async () => 'ok');
    registerMetrics(app, metrics);
    await app.inject('/');
    const res = await app.inject('/metrics');
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).not.toContain(' # {');
    expect(res.body).not.toContain('# EOF');
  });
});
