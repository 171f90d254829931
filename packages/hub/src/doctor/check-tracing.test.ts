import { describe, expect, it } from 'vitest';
import { checkTracing } from './check-tracing.ts';
import type { KratosConfig } from './read-kratos-config.ts';

const kratos = (tree: Record<string, unknown> | undefined): KratosConfig =>
  ({ files: tree ? [{ path: '/etc/kratos/site.yml', tree }] : [], merged: tree ?? {} }) as unknown as KratosConfig;
const settings = {
  endpoint: 'https://user:key@collector.example/v1/traces?token=x',
  protocol: 'http/protobuf' as const,
  serviceName: 'ssohub-hub',
  sampler: { kind: 'parentbased_traceidratio' as const, ratio: 0.1 },
  resourceAttributes: {},
  scheduleDelayMs: 5000,
};

describe('doctor: tracing', () => {
  it('says when tracing is off, and how to turn it on', () => {
    expect(checkTracing({ settings: undefined, config: kratos(undefined) })).toEqual({ id: 'observability.tracing', verdict: 'ok', detail: expect.stringMatching(/^off: no OTEL_EXPORTER_OTLP_ENDPOINT/) });
  });

  it('names the endpoint without its credentials or query, the sampler, and Kratos’ own tracing', () => {
    const on = checkTracing({ settings, config: kratos({ tracing: { provider: 'otel' } }) });
    expect(on.detail).toBe(
      'on: http/protobuf to https://collector.example/v1/traces, sampler parentbased_traceidratio 0.1, service ssohub-hub; Kratos\' tracing provider is "otel" (file /etc/kratos/site.yml)',
    );
    const kratosUnset = checkTracing({ settings, config: kratos({}) });
    expect(kratosUnset.detail).toMatch(/Kratos' tracing is not set in the files the hub reads: unless Kratos gets TRACING_PROVIDER=otel/);
    expect(JSON.stringify([on, kratosUnset])).not.toMatch(/key|token=x/);
  });
});
