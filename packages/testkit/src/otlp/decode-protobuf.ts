/**
 * Decodes an OTLP ExportTraceServiceRequest in the binary protobuf encoding (what Go's
 * otlptracehttp in Kratos and @opentelemetry/exporter-trace-otlp-proto send) into flat spans.
 * Field numbers are those of opentelemetry-proto: collector/trace/v1/trace_service.proto,
 * trace/v1/trace.proto, resource/v1/resource.proto and common/v1/common.proto. Unknown fields are
 * skipped, as protobuf requires, so newer exporters still decode.
 */
import { OtlpDecodeError } from './decode-error.ts';
import { ProtobufReader, WireType } from './protobuf-reader.ts';
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

const { VARINT, I64, LEN } = WireType;

/** All spans of an ExportTraceServiceRequest; throws OtlpDecodeError on malformed input. */
export function decodeProtobufTraceRequest(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  const r = new ProtobufReader(body);
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // ExportTraceServiceRequest.resource_spans = 1
    if (field === 1 && wireType === LEN) spans.push(...resourceSpans(r.sub()));
    else r.skip(wireType, field);
  }
  return spans;
}

function resourceSpans(r: ProtobufReader): ReceivedSpan[] {
  let resourceAttributes: Attributes = {};
  const scopes: ProtobufReader[] = [];
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // ResourceSpans.resource = 1, scope_spans = 2. The resource may come after the scope spans
    // on the wire, so those are decoded once the whole message is read.
    if (field === 1 && wireType === LEN) resourceAttributes = resource(r.sub());
    else if (field === 2 && wireType === LEN) scopes.push(r.sub());
    else r.skip(wireType, field);
  }
  return scopes.flatMap((s) => scopeSpans(s, resourceAttributes));
}

function resource(r: ProtobufReader): Attributes {
  const attributes: Attributes = {};
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // Resource.attributes = 1
    if (field === 1 && wireType === LEN) keyValue(r.sub(), attributes);
    else r.skip(wireType, field);
  }
  return attributes;
}

function scopeSpans(r: ProtobufReader, resourceAttributes: Attributes): ReceivedSpan[] {
  let scope = { name: '', version: '' };
  const spans: ProtobufReader[] = [];
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // ScopeSpans.scope = 1, spans = 2
    if (field === 1 && wireType === LEN) scope = instrumentationScope(r.sub());
    else if (field === 2 && wireType === LEN) spans.push(r.sub());
    else r.skip(wireType, field);
  }
  return spans.map((s) => span(s, scope, resourceAttributes));
}

function instrumentationScope(r: ProtobufReader): { name: string; version: string } {
  const scope = { name: '', version: '' };
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // InstrumentationScope.name = 1, version = 2
    if (field === 1 && wireType === LEN) scope.name = r.string();
    else if (field === 2 && wireType === LEN) scope.version = r.string();
    else r.skip(wireType, field);
  }
  return scope;
}

function span(r: ProtobufReader, scope: { name: string; version: string }, resourceAttributes: Attributes): ReceivedSpan {
  let traceId: Uint8Array = new Uint8Array();
  let spanId: Uint8Array = new Uint8Array();
  let parentSpanId: Uint8Array = new Uint8Array();
  const out: ReceivedSpan = {
    traceId: '',
    spanId: '',
    parentSpanId: undefined,
    traceState: '',
    name: '',
    kind: 0,
    service: serviceOf(resourceAttributes),
    scope: scope.name,
    scopeVersion: scope.version,
    attributes: {},
    events: [],
    links: [],
    status: { code: 0, message: '' },
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    resourceAttributes,
  };
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // Span.trace_id = 1, span_id = 2, trace_state = 3, parent_span_id = 4, name = 5, kind = 6,
    // start_time_unix_nano = 7, end_time_unix_nano = 8, attributes = 9, events = 11,
    // links = 13, status = 15
    if (field === 1 && wireType === LEN) traceId = r.bytes();
    else if (field === 2 && wireType === LEN) spanId = r.bytes();
    else if (field === 3 && wireType === LEN) out.traceState = r.string();
    else if (field === 4 && wireType === LEN) parentSpanId = r.bytes();
    else if (field === 5 && wireType === LEN) out.name = r.string();
    else if (field === 6 && wireType === VARINT) out.kind = r.int32();
    else if (field === 7 && wireType === I64) out.startTimeUnixNano = r.fixed64();
    else if (field === 8 && wireType === I64) out.endTimeUnixNano = r.fixed64();
    else if (field === 9 && wireType === LEN) keyValue(r.sub(), out.attributes);
    else if (field === 11 && wireType === LEN) out.events.push(event(r.sub()));
    else if (field === 13 && wireType === LEN) out.links.push(link(r.sub()));
    else if (field === 15 && wireType === LEN) out.status = status(r.sub());
    else r.skip(wireType, field);
  }
  out.traceId = hexId(traceId, 16, 'Span.trace_id');
  out.spanId = hexId(spanId, 8, 'Span.span_id');
  out.parentSpanId = parentSpanId.length === 0 ? undefined : hexId(parentSpanId, 8, 'Span.parent_span_id');
  return out;
}

function event(r: ProtobufReader): ReceivedSpanEvent {
  const out: ReceivedSpanEvent = { name: '', timeUnixNano: 0n, attributes: {} };
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // Span.Event.time_unix_nano = 1, name = 2, attributes = 3
    if (field === 1 && wireType === I64) out.timeUnixNano = r.fixed64();
    else if (field === 2 && wireType === LEN) out.name = r.string();
    else if (field === 3 && wireType === LEN) keyValue(r.sub(), out.attributes);
    else r.skip(wireType, field);
  }
  return out;
}

function link(r: ProtobufReader): ReceivedSpanLink {
  let traceId: Uint8Array = new Uint8Array();
  let spanId: Uint8Array = new Uint8Array();
  const attributes: Attributes = {};
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // Span.Link.trace_id = 1, span_id = 2, attributes = 4
    if (field === 1 && wireType === LEN) traceId = r.bytes();
    else if (field === 2 && wireType === LEN) spanId = r.bytes();
    else if (field === 4 && wireType === LEN) keyValue(r.sub(), attributes);
    else r.skip(wireType, field);
  }
  return { traceId: hexId(traceId, 16, 'Span.Link.trace_id'), spanId: hexId(spanId, 8, 'Span.Link.span_id'), attributes };
}

function status(r: ProtobufReader): { code: number; message: string } {
  const out = { code: 0, message: '' };
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // Status.message = 2, code = 3 (1 is reserved: the old deprecated_code)
    if (field === 2 && wireType === LEN) out.message = r.string();
    else if (field === 3 && wireType === VARINT) out.code = r.int32();
    else r.skip(wireType, field);
  }
  return out;
}

/** Decodes a KeyValue into `into`; a repeated key keeps its last value. */
function keyValue(r: ProtobufReader, into: Attributes): void {
  let key = '';
  let value: AttributeValue = null;
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // KeyValue.key = 1, value = 2
    if (field === 1 && wireType === LEN) key = r.string();
    else if (field === 2 && wireType === LEN) value = anyValue(r.sub());
    else r.skip(wireType, field);
  }
  setAttribute(into, key, value);
}

function anyValue(r: ProtobufReader): AttributeValue {
  let value: AttributeValue = null;
  // AnyValue is a oneof: on the wire, the last member present wins. string_value = 1,
  // bool_value = 2, int_value = 3, double_value = 4, array_value = 5, kvlist_value = 6,
  // bytes_value = 7 (8, string_value_strindex, is for profiles' string tables only).
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    if (field === 1 && wireType === LEN) value = r.string();
    else if (field === 2 && wireType === VARINT) value = r.bool();
    else if (field === 3 && wireType === VARINT) value = int64Value(r.int64());
    else if (field === 4 && wireType === I64) value = r.double();
    else if (field === 5 && wireType === LEN) value = arrayValue(r.sub());
    else if (field === 6 && wireType === LEN) value = keyValueList(r.sub());
    // Copied: a view would keep the whole request body alive for as long as the test runs.
    else if (field === 7 && wireType === LEN) value = new Uint8Array(r.bytes());
    else r.skip(wireType, field);
  }
  return value;
}

function arrayValue(r: ProtobufReader): AttributeValue[] {
  const values: AttributeValue[] = [];
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // ArrayValue.values = 1
    if (field === 1 && wireType === LEN) values.push(anyValue(r.sub()));
    else r.skip(wireType, field);
  }
  return values;
}

function keyValueList(r: ProtobufReader): Attributes {
  const values: Attributes = {};
  while (!r.atEnd()) {
    const { field, wireType } = r.tag();
    // KeyValueList.values = 1
    if (field === 1 && wireType === LEN) keyValue(r.sub(), values);
    else r.skip(wireType, field);
  }
  return values;
}

function hexId(bytes: Uint8Array, length: number, field: string): string {
  if (bytes.length !== length) throw new OtlpDecodeError(`${field} is ${bytes.length} bytes long, not ${length}`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
