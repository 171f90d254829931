import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OtlpDecodeError } from './decode-error.ts';
import { decodeJsonTraceRequest } from './decode-json.ts';
import { decodeProtobufTraceRequest } from './decode-protobuf.ts';

// A minimal protobuf writer, to build bodies no official exporter sends: unknown fields, fields
// out of order, wire types that do not match the schema.
const varint = (n: bigint): number[] => {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
};
const key = (field: number, wireType: number) => varint(BigInt((field << 3) | wireType));
const vint = (field: number, n: bigint | number) => [...key(field, 0), ...varint(BigInt(n))];
const len = (field: number, ...parts: number[][]) => {
  const body = parts.flat();
  return [...key(field, 2), ...varint(BigInt(body.length)), ...body];
};
const str = (field: number, s: string) => len(field, [...Buffer.from(s, 'utf8')]);
const fixed64 = (field: number, n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return [...key(field, 1), ...b];
};
const double = (field: number, x: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return [...key(field, 1), ...b];
};
const hex = (field: number, h: string) => len(field, [...Buffer.from(h, 'hex')]);
const kv = (k: string, ...value: number[][]) => len(9, str(1, k), len(2, ...value));

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';
const PARENT = '00f067aa0ba902b7';

/** ExportTraceServiceRequest > ResourceSpans > ScopeSpans > Span with `spanFields`. */
function request(...spanFields: number[][]): Uint8Array {
  const span = len(2, hex(1, TRACE), hex(2, SPAN), ...spanFields);
  return Uint8Array.from(len(1, len(2, len(1, str(1, 'scope')), span)));
}

describe('decodeProtobufTraceRequest', () => {
  it('decodes every AnyValue member, as the proto numbers them', () => {
    const [span] = decodeProtobufTraceRequest(
      request(
        kv('s', str(1, 'text')),
        kv('b', vint(2, 1)),
        kv('i', vint(3, -7n)),
        kv('huge', vint(3, 2n ** 62n)),
        kv('d', double(4, 1.5)),
        kv('arr', len(5, len(1, str(1, 'x')), len(1, vint(3, 2)))),
        kv('map', len(6, len(1, str(1, 'inner'), len(2, vint(2, 0))))),
        kv('raw', len(7, [0xde, 0xad])),
        kv('empty'),
      ),
    );
    expect(span!.attributes).toEqual({
      s: 'text',
      b: true,
      i: -7,
      huge: 2n ** 62n,
      d: 1.5,
      arr: ['x', 2],
      map: { inner: false },
      raw: Uint8Array.from([0xde, 0xad]),
      empty: null,
    });
  });

  it('skips unknown fields at every level, and known fields sent with another wire type', () => {
    const unknown = [...vint(99, 1), ...str(98, 'future'), ...fixed64(97, 1n)];
    const span = [hex(1, TRACE), hex(2, SPAN), str(5, 'kept'), unknown, fixed64(5, 3n), vint(6, 2), len(16, [1])];
    const body = Uint8Array.from(
      len(1, unknown, len(2, unknown, len(1, str(1, 'scope'), unknown), len(2, ...span)), len(1, unknown, len(1, str(1, 'k'), unknown, len(2, unknown, str(1, 'v'))))),
    );
    const [decoded] = decodeProtobufTraceRequest(body);
    expect(decoded).toMatchObject({ name: 'kept', kind: 2, scope: 'scope', resourceAttributes: { k: 'v' } });
  });

  it('takes the resource whether it comes before or after the scope spans', () => {
    const resource = len(1, len(1, str(1, 'service.name'), len(2, str(1, 'late'))));
    const scopeSpans = len(2, len(2, hex(1, TRACE), hex(2, SPAN)));
    const [span] = decodeProtobufTraceRequest(Uint8Array.from(len(1, scopeSpans, resource)));
    expect(span!.service).toBe('late');
  });

  it('decodes ids, kind, times, status, events and links at their field numbers', () => {
    const [span] = decodeProtobufTraceRequest(
      request(
        str(3, 'vendor=1'),
        hex(4, PARENT),
        str(5, 'op'),
        vint(6, 5),
        fixed64(7, 1_700_000_000_000_000_001n),
        fixed64(8, 1_700_000_000_000_000_002n),
        len(11, fixed64(1, 5n), str(2, 'ev'), len(3, str(1, 'a'), len(2, vint(3, 1)))),
        len(13, hex(1, TRACE), hex(2, PARENT), len(4, str(1, 'l'), len(2, str(1, 'v')))),
        len(15, str(2, 'bad'), vint(3, 2)),
      ),
    );
    expect(span).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      parentSpanId: PARENT,
      traceState: 'vendor=1',
      name: 'op',
      kind: 5,
      service: undefined,
      scope: 'scope',
      scopeVersion: '',
      attributes: {},
      events: [{ name: 'ev', timeUnixNano: 5n, attributes: { a: 1 } }],
      links: [{ traceId: TRACE, spanId: PARENT, attributes: { l: 'v' } }],
      status: { code: 2, message: 'bad' },
      startTimeUnixNano: 1_700_000_000_000_000_001n,
      endTimeUnixNano: 1_700_000_000_000_000_002n,
      resourceAttributes: {},
    });
  });

  it('keeps an attribute named __proto__ as an attribute', () => {
    const [span] = decodeProtobufTraceRequest(request(kv('__proto__', str(1, 'x'))));
    expect(Object.getPrototypeOf(span!.attributes)).toBe(Object.prototype);
    expect(Object.keys(span!.attributes)).toEqual(['__proto__']);
  });

  it('refuses ids of the wrong length, naming the field', () => {
    expect(() => decodeProtobufTraceRequest(Uint8Array.from(len(1, len(2, len(2, hex(2, SPAN))))))).toThrow(
      'Span.trace_id is 0 bytes long, not 16',
    );
    expect(() => decodeProtobufTraceRequest(request(len(4, [1, 2])))).toThrow('Span.parent_span_id is 2 bytes long, not 8');
  });

  it('refuses AnyValues nested deeper than its limit instead of exhausting the stack', () => {
    let value = str(1, 'bottom');
    for (let i = 0; i < 150; i++) value = len(5, len(1, value));
    expect(() => decodeProtobufTraceRequest(request(kv('deep', value)))).toThrow('nested deeper than 100 levels');
  });

  it('answers any byte string with spans or an OtlpDecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          expect(Array.isArray(decodeProtobufTraceRequest(bytes))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(OtlpDecodeError);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const jsonRequest = (span: Record<string, unknown>) =>
  json({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE, spanId: SPAN, ...span }] }] }] });

describe('decodeJsonTraceRequest', () => {
  it('decodes values as the protobuf decoder does, with proto3 JSON spellings', () => {
    const [span] = decodeJsonTraceRequest(
      jsonRequest({
        traceId: TRACE.toUpperCase(),
        parentSpanId: '',
        startTimeUnixNano: 5,
        endTimeUnixNano: '18446744073709551615',
        attributes: [
          { key: 'i', value: { intValue: '-9223372036854775808' } },
          { key: 'n', value: { intValue: 7 } },
          { key: 'nan', value: { doubleValue: 'NaN' } },
          { key: 'inf', value: { doubleValue: '-Infinity' } },
          { key: 'raw', value: { bytesValue: '3q0=' } },
          { key: 'map', value: { kvlistValue: { values: [{ key: 'b', value: { boolValue: true } }] } } },
          { key: 'none', value: { stringValue: null } },
          { key: 'missing' },
        ],
        unknownField: { whatever: [1, 2] },
      }),
    );
    expect(span).toMatchObject({
      traceId: TRACE,
      parentSpanId: undefined,
      kind: 0,
      startTimeUnixNano: 5n,
      endTimeUnixNano: 2n ** 64n - 1n,
      attributes: {
        i: -(2n ** 63n),
        n: 7,
        nan: Number.NaN,
        inf: Number.NEGATIVE_INFINITY,
        raw: Uint8Array.from([0xde, 0xad]),
        map: { b: true },
        none: null,
        missing: null,
      },
    });
  });

  it.each([
    [{ spanId: SPAN.slice(2) }, 'spans[0].spanId is not 16 hex digits'],
    [{ parentSpanId: 'zz'.repeat(8) }, 'spans[0].parentSpanId is not 16 hex digits'],
    [{ kind: 2.5 }, 'spans[0].kind is not an integer enum value'],
    [{ endTimeUnixNano: '-1' }, 'spans[0].endTimeUnixNano is out of range'],
    [{ attributes: [{ key: 'k', value: { intValue: '9223372036854775808' } }] }, 'attributes[0].value.intValue is out of range'],
    [{ attributes: [{ key: 'k', value: { doubleValue: 'lots' } }] }, 'attributes[0].value.doubleValue is not a number'],
    [{ attributes: [{ key: 'k', value: { boolValue: 'true' } }] }, 'attributes[0].value.boolValue is not a boolean'],
    [{ attributes: [{ key: 'k', value: { bytesValue: '%%' } }] }, 'attributes[0].value.bytesValue is not base64'],
    [{ attributes: {} }, 'spans[0].attributes is not a JSON array'],
    [{ name: 5 }, 'spans[0].name is not a string'],
    [{ status: { code: 'STATUS_CODE_ERROR' } }, 'spans[0].status.code is not an integer enum value'],
  ])('refuses %j, naming the field', (span, message) => {
    expect(() => decodeJsonTraceRequest(jsonRequest(span))).toThrow(OtlpDecodeError);
    expect(() => decodeJsonTraceRequest(jsonRequest(span))).toThrow(message);
  });

  it('refuses bodies that are not UTF-8 JSON', () => {
    expect(() => decodeJsonTraceRequest(Uint8Array.from([0x7b, 0xff, 0x7d]))).toThrow('the body is not JSON');
  });

  it('answers any JSON value with spans or an OtlpDecodeError, nothing else', () => {
    const anyValue = fc.letrec((tie) => ({
      value: fc.oneof(
        fc.record({ stringValue: fc.string() }),
        fc.record({ intValue: fc.oneof(fc.integer(), fc.string()) }),
        fc.record({ doubleValue: fc.oneof(fc.double(), fc.string()) }),
        fc.record({ arrayValue: fc.record({ values: fc.array(tie('value'), { maxLength: 3 }) }) }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
    }));
    const span = fc.record(
      {
        traceId: fc.oneof(fc.constant(TRACE), fc.string()),
        spanId: fc.oneof(fc.constant(SPAN), fc.string()),
        kind: fc.jsonValue({ maxDepth: 2 }),
        startTimeUnixNano: fc.jsonValue({ maxDepth: 2 }),
        attributes: fc.array(fc.record({ key: fc.string(), value: anyValue.value }), { maxLength: 4 }),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record({
        resourceSpans: fc.array(
          fc.record({ scopeSpans: fc.array(fc.record({ spans: fc.array(span, { maxLength: 3 }) }), { maxLength: 2 }) }),
          { maxLength: 2 },
        ),
      }),
    );
    fc.assert(
      fc.property(body, (value) => {
        try {
          expect(Array.isArray(decodeJsonTraceRequest(json(value)))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(OtlpDecodeError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
