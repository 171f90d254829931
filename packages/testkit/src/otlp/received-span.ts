/**
 * The shape in which the OTLP receiver hands spans to tests: one flat record per span, whatever
 * encoding (protobuf or JSON) carried it, with the resource and scope it came under folded in.
 */

/**
 * An attribute value as OTLP's AnyValue carries it. Integers (`int64` on the wire) are numbers
 * when they fit a JS number exactly and bigints otherwise; `bytes` values are Uint8Arrays; a
 * key-value list is a plain object; an AnyValue with nothing set is null.
 */
export type AttributeValue =
  | string
  | number
  | boolean
  | bigint
  | Uint8Array
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

/** Status codes as the proto numbers them (opentelemetry.proto.trace.v1.Status.StatusCode). */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** Span kinds as the proto numbers them: one more than `SpanKind` of @opentelemetry/api. */
export const SpanKindNumber = { UNSPECIFIED: 0, INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

export interface ReceivedSpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

export interface ReceivedSpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

/** One span as an exporter sent it. */
export interface ReceivedSpan {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** 16 lowercase hex digits; undefined for a root span (the field empty or absent). */
  parentSpanId: string | undefined;
  /** The W3C tracestate, '' when none. */
  traceState: string;
  name: string;
  /** As the proto numbers it (see {@link SpanKindNumber}): 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** The resource's `service.name`; undefined when the exporter sent none (or not a string). */
  service: string | undefined;
  /** The instrumentation scope's name ('' when none). */
  scope: string;
  scopeVersion: string;
  attributes: Attributes;
  events: ReceivedSpanEvent[];
  links: ReceivedSpanLink[];
  /** `code` as the proto numbers it (see {@link StatusCode}); `message` is '' when none. */
  status: { code: number; message: string };
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  resourceAttributes: Attributes;
}

/** The resource's `service.name`, the attribute every OTLP exporter sets to name its service. */
export function serviceOf(resourceAttributes: Attributes): string | undefined {
  const name = resourceAttributes['service.name'];
  return typeof name === 'string' ? name : undefined;
}

/** An `int64` as tests want it: a number when exact, else a bigint. */
export function int64Value(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * Sets an attribute as an own property, whatever the key: a plain assignment of `__proto__`
 * would change the object's prototype instead of recording the attribute.
 */
export function setAttribute(into: Attributes, key: string, value: AttributeValue): void {
  Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
}
