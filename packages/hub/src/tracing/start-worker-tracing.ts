import type { Logger } from 'pino';
import { redactUrl } from './redact-url.ts';
import { hubVersion } from '../hub-version.ts';
import { type HubTracing, startTracing } from './start-tracing.ts';
import { tracingSettingsFromEnv } from './tracing-settings.ts';

/**
 * The tracing of one hub process (server.ts, or a cluster worker) from its OTEL_* variables, or
 * undefined when they ask for none. Says once that it is on and where spans go (the endpoint
 * without credentials or query: OTLP headers and URLs may carry an API key).
 */
export function startWorkerTracing(env: NodeJS.ProcessEnv, log: Logger): HubTracing | undefined {
  const settings = tracingSettingsFromEnv(env);
  if (!settings) return undefined;
  const tracing = startTracing(settings, { version: hubVersion() });
  log.info({ endpoint: redactUrl(settings.endpoint), protocol: settings.protocol, sampler: settings.sampler.kind }, 'tracing on: spans exported with OTLP');
  return tracing;
}
