import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKratos, type RunningKratos } from '../kratos.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../otlp-receiver.ts';
import { startSmtpCapture, type SmtpCapture } from '../smtp-capture.ts';

// What the unit tests cannot show: that the spans of Go's otlptracehttp, the exporter inside Ory
// Kratos (ory/x otelx), decode, and that Kratos joins a trace a caller started.
describe.each([
  ['plain protobuf', {}, ''],
  // otlptracehttp reads its compression from the environment; ory/x's config has no key for it.
  ['gzipped protobuf', { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip' }, 'gzip'],
])("Kratos' OTLP exporter, %s", (_, env, contentEncoding) => {
  let receiver: OtlpReceiver;
  let smtp: SmtpCapture;
  let kratos: RunningKratos;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    smtp = await startSmtpCapture();
    kratos = await startKratos({
      smtpPort: smtp.port,
      database: { kind: 'memory' },
      env,
      overrides: {
        tracing: {
          provider: 'otel',
          service_name: 'kratos-under-test',
          providers: { otlp: { server_url: receiver.hostPort, insecure: true, sampling: { sampling_ratio: 1 } } },
        },
      },
    });
  });
  afterAll(async () => {
    await kratos?.stop();
    await smtp?.stop();
    await receiver?.close();
  });

  it('sends spans that decode, children of the trace the caller started', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const res = await fetch(`${kratos.publicUrl}/self-service/login/api`, {
      headers: { traceparent: `00-${traceId}-${callerSpanId}-01`, accept: 'application/json' },
    });
    expect(res.status).toBe(200);

    // Kratos exports in batches, every 5 s by default.
    await receiver.waitForSpans((spans) => spans.some((s) => s.traceId === traceId && s.parentSpanId === callerSpanId), {
      timeoutMs: 20_000,
    });
    const spans = receiver.trace(traceId);
    const entry = spans.find((s) => s.parentSpanId === callerSpanId)!;
    expect(entry).toMatchObject({ service: 'kratos-under-test', kind: 2 });
    expect(entry.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(entry.endTimeUnixNano).toBeGreaterThan(entry.startTimeUnixNano);
    expect(entry.resourceAttributes['service.name']).toBe('kratos-under-test');
    // Every other span of the trace hangs below the entry span, inside Kratos.
    const ids = new Set(spans.map((s) => s.spanId));
    for (const s of spans.filter((x) => x !== entry)) expect(ids.has(s.parentSpanId!), s.name).toBe(true);

    const fromKratos = receiver.requests.filter((r) => r.spanCount > 0);
    expect(fromKratos.length).toBeGreaterThan(0);
    for (const r of fromKratos) {
      expect(r).toMatchObject({ contentType: 'application/x-protobuf', contentEncoding, status: 200, error: undefined });
    }
    expect(receiver.requests.filter((r) => r.error !== undefined)).toEqual([]);
  });
});
