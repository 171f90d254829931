import { ConfigError } from '../errors/ssohub-error.ts';

/** How spans leave the process: OTLP over HTTP, protobuf (the OTLP default) or JSON. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** The standard samplers (OTEL_TRACES_SAMPLER) the hub supports, with their ratio where they take one. */
export type SamplerSetting =
  | { kind: 'always_on' | 'always_off' | 'parentbased_always_on' | 'parentbased_always_off' }
  | { kind: 'traceidratio' | 'parentbased_traceidratio'; ratio: number };

/** What the OTEL_* variables ask of the hub's tracing, once checked. */
export interface TracingSettings {
  /** Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  endpoint: string;
  protocol: OtlpProtocol;
  serviceName: string;
  sampler: SamplerSetting;
  /** OTEL_RESOURCE_ATTRIBUTES, decoded (service.name excluded: serviceName says it). */
  resourceAttributes: Record<string, string>;
  /** OTEL_BSP_SCHEDULE_DELAY: how long spans wait in the batch before export. */
  scheduleDelayMs: number;
}

const SAMPLERS = new Set(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']);

/**
 * Reads the standard OpenTelemetry variables (the names and meanings of the OpenTelemetry
 * specification's "SDK environment variables") the hub honours. Tracing is off unless an OTLP
 * endpoint is set: an operator who set none asked for nothing, and a default endpoint
 * (localhost:4318) would mean an export attempt, and a warning, every few seconds on hosts that
 * run no collector. OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off whatever else
 * is set. Returns undefined when off.
 *
 * Checked at startup like every other option: a value the hub cannot use stops it with the
 * variable's name, rather than leaving an operator to wonder why no trace arrives.
 */
export function tracingSettingsFromEnv(env: NodeJS.ProcessEnv): TracingSettings | undefined {
  const problems: string[] = [];
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };
  if (value('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporter = value('OTEL_TRACES_EXPORTER')?.toLowerCase();
  if (exporter === 'none') return undefined;
  if (exporter !== undefined && exporter !== 'otlp') {
    problems.push(`OTEL_TRACES_EXPORTER: "${exporter}" is not supported; the hub exports traces with OTLP over HTTP ("otlp") or not at all ("none")`);
  }
  const specific = value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const general = value('OTEL_EXPORTER_OTLP_ENDPOINT');
  let endpoint: string | undefined;
  if (specific !== undefined) endpoint = checkedUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', specific, problems);
  else if (general !== undefined) {
    const base = checkedUrl('OTEL_EXPORTER_OTLP_ENDPOINT', general, problems);
    if (base) endpoint = `${base.replace(/\/+$/, '')}/v1/traces`;
  }
  if (specific === undefined && general === undefined) {
    if (exporter === 'otlp') problems.push('OTEL_TRACES_EXPORTER is "otlp" but no endpoint is set: set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. http://collector:4318)');
    else if (problems.length === 0) return undefined;
  }

  const protocol = (value('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? value('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf').toLowerCase();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    const name = value('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
    problems.push(`${name}: "${protocol}" is not supported; use http/protobuf (the default) or http/json (a collector's OTLP/HTTP receiver, port 4318)`);
  }

  const samplerName = (value('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on').toLowerCase();
  let sampler: SamplerSetting = { kind: 'parentbased_always_on' };
  if (!SAMPLERS.has(samplerName)) {
    problems.push(`OTEL_TRACES_SAMPLER: "${samplerName}" is not one of ${[...SAMPLERS].join(', ')}`);
  } else if (samplerName === 'traceidratio' || samplerName === 'parentbased_traceidratio') {
    const arg = value('OTEL_TRACES_SAMPLER_ARG') ?? '1';
    const ratio = Number(arg);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) problems.push(`OTEL_TRACES_SAMPLER_ARG: "${arg}" must be a number from 0 to 1 (the share of traces kept)`);
    sampler = { kind: samplerName, ratio };
  } else {
    sampler = { kind: samplerName as 'always_on' };
  }

  const resourceAttributes = parseResourceAttributes(value('OTEL_RESOURCE_ATTRIBUTES'), problems);
  const serviceName = value('OTEL_SERVICE_NAME') ?? resourceAttributes['service.name'] ?? 'ssohub-hub';
  delete resourceAttributes['service.name'];

  const delayText = value('OTEL_BSP_SCHEDULE_DELAY') ?? '5000';
  const scheduleDelayMs = Number(delayText);
  if (!Number.isInteger(scheduleDelayMs) || scheduleDelayMs < 1 || scheduleDelayMs > 600_000) {
    problems.push(`OTEL_BSP_SCHEDULE_DELAY: "${delayText}" must be a whole number of milliseconds from 1 to 600000`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return { endpoint: endpoint!, protocol: protocol as OtlpProtocol, serviceName, sampler, resourceAttributes, scheduleDelayMs };
}

function checkedUrl(name: string, text: string, problems: string[]): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return text;
  } catch {
    // reported below
  }
  problems.push(`${name}: "${text}" is not an http(s) URL (e.g. http://collector:4318)`);
  return undefined;
}

/** `key=value,key2=value2`, values percent-encoded (the specification's W3C Baggage-like format). */
function parseResourceAttributes(text: string | undefined, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    const key = at > 0 ? pair.slice(0, at).trim() : '';
    if (!key) {
      problems.push(`OTEL_RESOURCE_ATTRIBUTES: "${pair}" is not key=value`);
      continue;
    }
    try {
      out[key] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      problems.push(`OTEL_RESOURCE_ATTRIBUTES: the value of "${key}" is not valid percent-encoding`);
    }
  }
  return out;
}
