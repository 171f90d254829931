import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { SamplerSetting, TracingSettings } from './tracing-settings.ts';

/** The hub's tracing once started: its tracer, and how to send what is left before the process ends. */
export interface HubTracing {
  tracer: Tracer;
  settings: TracingSettings;
  /** Exports the spans still batched and stops the exporter. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK for the hub's own spans: one tracer provider, a batching processor
 * and an OTLP/HTTP exporter (which reads OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION and
 * the certificate variables itself).
 *
 * Nothing is registered globally (no global tracer provider, propagator or context manager): the
 * hub creates its spans explicitly, each parented on its request's span (tracing/hub-spans.ts),
 * so its work never depends on an async-context manager, and an application embedding the hub
 * keeps its own global setup.
 */
export function startTracing(settings: TracingSettings, { version }: { version: string }): HubTracing {
  const exporter: SpanExporter =
    settings.protocol === 'http/json' ? new OtlpJsonExporter({ url: settings.endpoint }) : new OtlpProtobufExporter({ url: settings.endpoint });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ ...settings.resourceAttributes, 'service.name': settings.serviceName, 'service.version': version }),
    sampler: samplerOf(settings.sampler),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: settings.scheduleDelayMs })],
  });
  return {
    tracer: provider.getTracer('@ssohub/hub', version),
    settings,
    shutdown: () => provider.shutdown(),
  };
}

function samplerOf(setting: SamplerSetting): Sampler {
  switch (setting.kind) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(setting.ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(setting.ratio) });
  }
}

