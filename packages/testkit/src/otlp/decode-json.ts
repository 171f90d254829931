/**
 * Decodes an OTLP ExportTraceServiceRequest in the JSON encoding (what
 * @opentelemetry/exporter-trace-otlp-http sends) into flat spans. The OTLP spec's JSON rules
 * (docs/specification.md, "JSON Protobuf Encoding") differ from plain proto3 JSON: trace and span
 * ids are hex, not base64; enums are integers only; keys are lowerCamelCase; unknown keys are
 * ignored. 64-bit integers come as decimal strings or numbers. A value of the wrong type fails
 * with its path, so a test sees which field an exporter got wrong.
 */
import { OtlpDecodeError } from './decode-error.ts';
import {
  type Attributes,
  type AttributeValue,
  int64Value,
  type ReceivedSpan,
  type ReceivedSpanEvent,
  type ReceivedSpanLink,
  serviceOf,
  setAttribute,
} from './received-span.ts';

type JsonObject = Record<string, unknown>;

// As for protobuf: nesting of AnyValues deeper than this is an attack, not telemetry.
const MAX_DEPTH = 100;

/** All spans of an ExportTraceServiceRequest; throws OtlpDecodeError on malformed input. */
export function decodeJsonTraceRequest(body: Uint8Array): ReceivedSpan[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (error) {
    throw new OtlpDecodeError(`the body is not JSON: ${(error as Error).message}`);
  }
  const request = object(parsed, 'the body') ?? {};
  return array(request.resourceSpans, 'resourceSpans').flatMap((rs, i) => resourceSpans(rs, `resourceSpans[${i}]`));
}

function resourceSpans(value: unknown, path: string): ReceivedSpan[] {
  const rs = object(value, path) ?? {};
  const resource = object(rs.resource, `${path}.resource`) ?? {};
  const resourceAttributes = attributes(resource.attributes, `${path}.resource.attributes`);
  return array(rs.scopeSpans, `${path}.scopeSpans`).flatMap((ss, i) =>
    scopeSpans(ss, `${path}.scopeSpans[${i}]`, resourceAttributes),
  );
}

function scopeSpans(value: unknown, path: string, resourceAttributes: Attributes): ReceivedSpan[] {
  const ss = object(value, path) ?? {};
  const scope = object(ss.scope, `${path}.scope`) ?? {};
  const name = string(scope.name, `${path}.scope.name`);
  const version = string(scope.version, `${path}.scope.version`);
  return array(ss.spans, `${path}.spans`).map((s, i) =>
    span(s, `${path}.spans[${i}]`, { name, version }, resourceAttributes),
  );
}

function span(
  value: unknown,
  path: string,
  scope: { name: string; version: string },
  resourceAttributes: Attributes,
): ReceivedSpan {
  const s = object(value, path) ?? {};
  const parent = string(s.parentSpanId, `${path}.parentSpanId`);
  const status = object(s.status, `${path}.status`) ?? {};
  return {
    traceId: hexId(s.traceId, 16, `${path}.traceId`),
    spanId: hexId(s.spanId, 8, `${path}.spanId`),
    parentSpanId: parent === '' ? undefined : hexId(parent, 8, `${path}.parentSpanId`),
    traceState: string(s.traceState, `${path}.traceState`),
    name: string(s.name, `${path}.name`),
    kind: enumValue(s.kind, `${path}.kind`),
    service: serviceOf(resourceAttributes),
    scope: scope.name,
    scopeVersion: scope.version,
    attributes: attributes(s.attributes, `${path}.attributes`),
    events: array(s.events, `${path}.events`).map((e, i) => event(e, `${path}.events[${i}]`)),
    links: array(s.links, `${path}.links`).map((l, i) => link(l, `${path}.links[${i}]`)),
    status: {
      code: enumValue(status.code, `${path}.status.code`),
      message: string(status.message, `${path}.status.message`),
    },
    startTimeUnixNano: uint64(s.startTimeUnixNano, `${path}.startTimeUnixNano`),
    endTimeUnixNano: uint64(s.endTimeUnixNano, `${path}.endTimeUnixNano`),
    resourceAttributes,
  };
}

function event(value: unknown, path: string): ReceivedSpanEvent {
  const e = object(value, path) ?? {};
  return {
    name: string(e.name, `${path}.name`),
    timeUnixNano: uint64(e.timeUnixNano, `${path}.timeUnixNano`),
    attributes: attributes(e.attributes, `${path}.attributes`),
  };
}

function link(value: unknown, path: string): ReceivedSpanLink {
  const l = object(value, path) ?? {};
  return {
    traceId: hexId(l.traceId, 16, `${path}.traceId`),
    spanId: hexId(l.spanId, 8, `${path}.spanId`),
    attributes: attributes(l.attributes, `${path}.attributes`),
  };
}

/** A repeated KeyValue; a repeated key keeps its last value, as in the protobuf decoder. */
function attributes(value: unknown, path: string, depth = 0): Attributes {
  const out: Attributes = {};
  array(value, path).forEach((item, i) => {
    const kv = object(item, `${path}[${i}]`) ?? {};
    setAttribute(out, string(kv.key, `${path}[${i}].key`), anyValue(kv.value, `${path}[${i}].value`, depth));
  });
  return out;
}

const ANY_VALUE_MEMBERS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'];

function anyValue(value: unknown, path: string, depth: number): AttributeValue {
  if (depth > MAX_DEPTH) throw new OtlpDecodeError(`${path}: AnyValues nested deeper than ${MAX_DEPTH} levels`);
  const v = object(value, path);
  if (!v) return null;
  // A oneof: proto3 JSON allows one member at most (null counts as absent).
  const set = ANY_VALUE_MEMBERS.filter((m) => v[m] !== undefined && v[m] !== null);
  if (set.length > 1) throw new OtlpDecodeError(`${path} sets ${set.join(' and ')}; an AnyValue holds one value`);
  const member = set[0];
  const at = `${path}.${member}`;
  switch (member) {
    case 'stringValue':
      return string(v.stringValue, at);
    case 'boolValue':
      if (typeof v.boolValue !== 'boolean') throw new OtlpDecodeError(`${at} is not a boolean`);
      return v.boolValue;
    case 'intValue':
      return int64Value(int64(v.intValue, at));
    case 'doubleValue':
      return double(v.doubleValue, at);
    case 'arrayValue': {
      const values = array(object(v.arrayValue, at)?.values, `${at}.values`);
      return values.map((item, i) => anyValue(item, `${at}.values[${i}]`, depth + 1));
    }
    case 'kvlistValue':
      return attributes(object(v.kvlistValue, at)?.values, `${at}.values`, depth + 1);
    case 'bytesValue':
      return bytes(v.bytesValue, at);
    default:
      return null;
  }
}

/** A message: an object, or undefined when absent or null (proto3 JSON's "not set"). */
function object(value: unknown, path: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new OtlpDecodeError(`${path} is not a JSON object`);
  return value as JsonObject;
}

function array(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${path} is not a JSON array`);
  return value;
}

function string(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new OtlpDecodeError(`${path} is not a string`);
  return value;
}

/** OTLP JSON sends enums as integers only, never as their names. */
function enumValue(value: unknown, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new OtlpDecodeError(`${path} is not an integer enum value (OTLP JSON does not allow enum names)`);
  }
  return value;
}

/** An `int64`: a decimal string or a JSON number, as proto3 JSON allows both. */
function int64(value: unknown, path: string): bigint {
  return integer(value, path, -(2n ** 63n), 2n ** 63n - 1n);
}

/** A `fixed64` timestamp in nanoseconds since the epoch. */
function uint64(value: unknown, path: string): bigint {
  return integer(value, path, 0n, 2n ** 64n - 1n);
}

function integer(value: unknown, path: string, min: bigint, max: bigint): bigint {
  if (value === undefined || value === null) return 0n;
  let n: bigint;
  if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) n = BigInt(value);
  else throw new OtlpDecodeError(`${path} is not an integer (a decimal string or a JSON number)`);
  if (n < min || n > max) throw new OtlpDecodeError(`${path} is out of range (${min} to ${max})`);
  return n;
}

function double(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  // proto3 JSON spells the non-finite doubles as strings, and allows a number in a string.
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new OtlpDecodeError(`${path} is not a number`);
}

/** A `bytes` value other than an id: base64, standard or URL-safe, as proto3 JSON has it. */
function bytes(value: unknown, path: string): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) {
    throw new OtlpDecodeError(`${path} is not base64`);
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/** A trace or span id: hex (any case), `length` bytes; lowercase out, as the protobuf decoder gives. */
function hexId(value: unknown, length: number, path: string): string {
  if (typeof value !== 'string' || value.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(value)) {
    throw new OtlpDecodeError(`${path} is not ${length * 2} hex digits (OTLP JSON sends ids as hex, not base64)`);
  }
  return value.toLowerCase();
}
