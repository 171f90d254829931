import { redactUrl } from '../tracing/redact-url.ts';
import type { TracingSettings } from '../tracing/tracing-settings.ts';
import { type DoctorCheck, ok } from './doctor-check.ts';
import { type KratosConfig, resolveKratosSetting } from './read-kratos-config.ts';

const ID = 'observability.tracing';

/**
 * Says whether this hub exports traces, where to (the endpoint without credentials or query) and
 * how it samples, and whether Kratos' config files turn Kratos' own tracing on: without it, the
 * hub's traces show each Kratos call as one span with nothing inside. Kratos may be given
 * TRACING_PROVIDER in its environment, which the hub cannot see, so that is a note, not a warning.
 */
export function checkTracing({ settings, config }: { settings: TracingSettings | undefined; config: KratosConfig }): DoctorCheck {
  if (!settings) return ok(ID, 'off: no OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) in the hub\'s environment (docs/configuration.md, "Tracing")');
  const ratio = 'ratio' in settings.sampler ? ` ${settings.sampler.ratio}` : '';
  const on = `on: ${settings.protocol} to ${redactUrl(settings.endpoint)}, sampler ${settings.sampler.kind}${ratio}, service ${settings.serviceName}`;
  const provider = resolveKratosSetting(config, ['tracing', 'provider'], { name: 'TRACING_PROVIDER', value: undefined });
  if (provider.kind === 'set') return ok(ID, `${on}; Kratos' tracing provider is ${JSON.stringify(provider.value)} (${provider.source})`);
  return ok(ID, `${on}; Kratos' tracing is not set in the files the hub reads: unless Kratos gets TRACING_PROVIDER=otel in its environment, its spans are missing from the hub's traces`);
}
