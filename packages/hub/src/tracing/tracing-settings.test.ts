import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/ssohub-error.ts';
import { tracingSettingsFromEnv } from './tracing-settings.ts';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    tracingSettingsFromEnv(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('tracing settings from the standard OTEL_* variables', () => {
  it('is off unless an endpoint is set, and when the SDK or the exporter is turned off', () => {
    expect(tracingSettingsFromEnv({})).toBeUndefined();
    expect(tracingSettingsFromEnv({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' })).toBeUndefined();
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('takes the endpoint, protocol, service name, sampler and resource attributes', () => {
    const settings = tracingSettingsFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,team=id%20platform,service.name=ignored',
      OTEL_SERVICE_NAME: 'login-hub',
    });
    expect(settings).toEqual({
      endpoint: 'http://collector:4318/v1/traces',
      protocol: 'http/protobuf',
      serviceName: 'login-hub',
      sampler: { kind: 'parentbased_traceidratio', ratio: 0.1 },
      resourceAttributes: { 'deployment.environment': 'prod', team: 'id platform' },
      scheduleDelayMs: 5000,
    });
    // The signal's own endpoint is used as given (the specification's rule), and wins.
    expect(
      tracingSettingsFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b.example/otlp/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      }),
    ).toMatchObject({ endpoint: 'https://b.example/otlp/traces', protocol: 'http/json', serviceName: 'ssohub-hub', sampler: { kind: 'parentbased_always_on' } });
    // service.name from the resource attributes when OTEL_SERVICE_NAME is not set.
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_RESOURCE_ATTRIBUTES: 'service.name=hub-eu' })?.serviceName).toBe('hub-eu');
  });

  it('refuses what it cannot honour, naming the variable', () => {
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" is not an http\(s\) URL/)]);
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual([expect.stringMatching(/^OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" is not supported/)]);
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'sometimes' })).toEqual([expect.stringMatching(/^OTEL_TRACES_SAMPLER: "sometimes" is not one of/)]);
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '10%' })).toEqual([
      expect.stringMatching(/^OTEL_TRACES_SAMPLER_ARG: "10%" must be a number from 0 to 1/),
    ]);
    expect(problemsOf({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual([expect.stringMatching(/^OTEL_TRACES_EXPORTER is "otlp" but no endpoint is set/)]);
    expect(problemsOf({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toEqual([expect.stringMatching(/^OTEL_TRACES_EXPORTER: "zipkin" is not supported/)]);
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_BSP_SCHEDULE_DELAY: 'soon', OTEL_RESOURCE_ATTRIBUTES: '=x' })).toHaveLength(2);
  });
});
