import { describe, expect, it } from 'vitest';
import { OtlpDecodeError } from './decode-error.ts';
import { ProtobufReader } from './protobuf-reader.ts';

const reader = (...bytes: number[]) => new ProtobufReader(Uint8Array.from(bytes));

describe('ProtobufReader', () => {
  it('reads varints of one to ten bytes', () => {
    expect(reader(0x00).varint()).toBe(0n);
    expect(reader(0x96, 0x01).varint()).toBe(150n);
    expect(reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).varint()).toBe(2n ** 64n - 1n);
  });

  it('reads negative int64 and int32 (enum) values, which are sign-extended to ten bytes', () => {
    const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    expect(reader(...minusOne).int64()).toBe(-1n);
    expect(reader(...minusOne).int32()).toBe(-1);
    expect(reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).int64()).toBe(-(2n ** 63n));
  });

  it('reads little-endian fixed64, fixed32 and double', () => {
    expect(reader(1, 0, 0, 0, 0, 0, 0, 0x80).fixed64()).toBe(2n ** 63n + 1n);
    expect(reader(0x78, 0x56, 0x34, 0x12).fixed32()).toBe(0x12345678);
    expect(reader(0, 0, 0, 0, 0, 0, 0xf0, 0x3f).double()).toBe(1);
  });

  it('reads tags, strings and embedded messages', () => {
    const r = reader(0x12, 0x03, 0x61, 0xc3, 0xa9, 0x1a, 0x02, 0x08, 0x05);
    expect(r.tag()).toEqual({ field: 2, wireType: 2 });
    expect(r.string()).toBe('aé');
    expect(r.tag()).toEqual({ field: 3, wireType: 2 });
    const sub = r.sub();
    expect(sub.tag()).toEqual({ field: 1, wireType: 0 });
    expect(sub.varint()).toBe(5n);
    expect(sub.atEnd()).toBe(true);
    expect(r.atEnd()).toBe(true);
  });

  it('skips a value of every wire type, groups included', () => {
    // varint, i64, len, group 5 { varint, nested group 6 {} }, i32, then field 9 = 1.
    const r = reader(
      0x08, 0x96, 0x01,
      0x11, 1, 2, 3, 4, 5, 6, 7, 8,
      0x1a, 0x02, 0xaa, 0xbb,
      0x2b, 0x08, 0x01, 0x33, 0x34, 0x2c,
      0x3d, 1, 2, 3, 4,
      0x48, 0x01,
    );
    for (let i = 0; i < 5; i++) {
      const { field, wireType } = r.tag();
      r.skip(wireType, field);
    }
    expect(r.tag()).toEqual({ field: 9, wireType: 0 });
    expect(r.varint()).toBe(1n);
    expect(r.atEnd()).toBe(true);
  });

  it.each([
    ['a truncated varint', [0x96], (r: ProtobufReader) => r.varint(), 'truncated'],
    ['an 11-byte varint', [...Array(10).fill(0x80), 0x01], (r: ProtobufReader) => r.varint(), 'longer than 10 bytes'],
    ['field number 0', [0x02, 0x00], (r: ProtobufReader) => r.tag(), 'invalid protobuf field number 0'],
    ['a length past the end', [0x05, 0x61], (r: ProtobufReader) => r.bytes(), 'runs past the end'],
    ['a huge length', [0xff, 0xff, 0xff, 0xff, 0x0f], (r: ProtobufReader) => r.bytes(), 'runs past the end'],
    ['a truncated fixed64', [1, 2, 3], (r: ProtobufReader) => r.fixed64(), 'runs past the end'],
    ['wire type 6', [0x0e], (r: ProtobufReader) => r.skip(r.tag().wireType), 'invalid protobuf wire type 6'],
    ['an end-group without a start', [0x0c], (r: ProtobufReader) => r.skip(r.tag().wireType, 1), 'without having started'],
    ['a group that never ends', [0x0b, 0x08, 0x01], (r: ProtobufReader) => r.skip(r.tag().wireType, 1), 'never ends'],
    ['a group ended by another field', [0x0b, 0x14], (r: ProtobufReader) => r.skip(r.tag().wireType, 1), 'ended by field 2'],
  ])('refuses %s with an OtlpDecodeError', (_, bytes, read, message) => {
    const r = reader(...bytes);
    expect(() => read(r)).toThrow(OtlpDecodeError);
    expect(() => read(reader(...bytes))).toThrow(message);
  });
});
