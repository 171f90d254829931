/**
 * A reader of the protobuf binary wire format (https://protobuf.dev/programming-guides/encoding/),
 * just enough to walk the OTLP messages field by field. Hand-written so the testkit decodes what
 * exporters send without generated code or a protobuf runtime, and so a malformed body fails
 * with an error that says where, instead of crashing the receiver.
 */
import { OtlpDecodeError } from './decode-error.ts';

/** The wire types of the protobuf encoding; 3 and 4 are the deprecated group delimiters. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

export interface FieldTag {
  field: number;
  wireType: number;
}

// Deeper nesting than any OTLP message has (AnyValue arrays inside kvlists included); the bound
// keeps a hostile body from exhausting the stack.
const MAX_DEPTH = 100;
const utf8 = new TextDecoder('utf-8');

/** Reads one protobuf message; `sub()` gives a reader for an embedded message. */
export class ProtobufReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #depth: number;
  #pos = 0;

  constructor(bytes: Uint8Array, depth = 0) {
    if (depth > MAX_DEPTH) throw new OtlpDecodeError(`protobuf messages nested deeper than ${MAX_DEPTH} levels`);
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#depth = depth;
  }

  atEnd(): boolean {
    return this.#pos >= this.#bytes.length;
  }

  /** Reads the next field's key. Field 0 is never valid, so it means corrupt input. */
  tag(): FieldTag {
    const at = this.#pos;
    const key = this.varint();
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0 || field > 0x1fffffff) throw new OtlpDecodeError(`invalid protobuf field number ${field} at byte ${at}`);
    return { field, wireType };
  }

  /** A base-128 varint as an unsigned 64-bit value (at most 10 bytes). */
  varint(): bigint {
    const at = this.#pos;
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.#pos >= this.#bytes.length) throw new OtlpDecodeError(`protobuf varint truncated at byte ${at}`);
      const byte = this.#bytes[this.#pos++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, value);
    }
    throw new OtlpDecodeError(`protobuf varint longer than 10 bytes at byte ${at}`);
  }

  /** An `int64` field: the varint read as two's complement. */
  int64(): bigint {
    return BigInt.asIntN(64, this.varint());
  }

  /** An `int32` or enum field; negative values are sign-extended to 10 bytes on the wire. */
  int32(): number {
    return Number(BigInt.asIntN(32, this.varint()));
  }

  bool(): boolean {
    return this.varint() !== 0n;
  }

  /** A `fixed64` field (little-endian, unsigned). */
  fixed64(): bigint {
    return this.#view.getBigUint64(this.#advance(8), true);
  }

  /** A `fixed32` field (little-endian, unsigned). */
  fixed32(): number {
    return this.#view.getUint32(this.#advance(4), true);
  }

  double(): number {
    return this.#view.getFloat64(this.#advance(8), true);
  }

  /** A length-delimited field's bytes (a view into the body, not a copy). */
  bytes(): Uint8Array {
    const at = this.#pos;
    const length = this.varint();
    if (length > BigInt(this.#bytes.length - this.#pos)) {
      throw new OtlpDecodeError(`protobuf length ${length} at byte ${at} runs past the end of its message`);
    }
    const start = this.#advance(Number(length));
    return this.#bytes.subarray(start, start + Number(length));
  }

  /** A `string` field. Invalid UTF-8 becomes U+FFFD rather than failing: a test should see it. */
  string(): string {
    return utf8.decode(this.bytes());
  }

  /** A reader over an embedded message (a length-delimited field). */
  sub(): ProtobufReader {
    return new ProtobufReader(this.bytes(), this.#depth + 1);
  }

  /**
   * Skips a field's value: unknown fields, and known fields sent with another wire type, which
   * protobuf parsers treat as unknown too.
   */
  skip(wireType: number, field = 0): void {
    switch (wireType) {
      case WireType.VARINT:
        this.varint();
        return;
      case WireType.I64:
        this.#advance(8);
        return;
      case WireType.LEN:
        this.bytes();
        return;
      case WireType.I32:
        this.#advance(4);
        return;
      case WireType.SGROUP:
        this.#skipGroup(field);
        return;
      case WireType.EGROUP:
        throw new OtlpDecodeError(`protobuf group of field ${field} ends before byte ${this.#pos} without having started`);
      default:
        throw new OtlpDecodeError(`invalid protobuf wire type ${wireType} before byte ${this.#pos}`);
    }
  }

  #skipGroup(field: number, depth = this.#depth + 1): void {
    if (depth > MAX_DEPTH) throw new OtlpDecodeError(`protobuf groups nested deeper than ${MAX_DEPTH} levels`);
    for (;;) {
      if (this.atEnd()) throw new OtlpDecodeError(`protobuf group of field ${field} never ends`);
      const tag = this.tag();
      if (tag.wireType === WireType.EGROUP) {
        if (tag.field !== field) throw new OtlpDecodeError(`protobuf group of field ${field} ended by field ${tag.field}`);
        return;
      }
      if (tag.wireType === WireType.SGROUP) this.#skipGroup(tag.field, depth + 1);
      else this.skip(tag.wireType, tag.field);
    }
  }

  /** Moves past `n` bytes and returns where they start. */
  #advance(n: number): number {
    if (this.#bytes.length - this.#pos < n) {
      throw new OtlpDecodeError(`protobuf value of ${n} bytes at byte ${this.#pos} runs past the end of its message`);
    }
    const start = this.#pos;
    this.#pos += n;
    return start;
  }
}
