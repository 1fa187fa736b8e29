import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ChurnError } from '../../../src/errors.js';
import { decodeTensorBytes, encodeBytesElements, encodeOutputBytes } from '../../../src/serving/codecs/tensor-bytes.js';

const codeOf = (body: () => unknown): string => {
  try {
    body();
  } catch (error) {
    assert.ok(error instanceof ChurnError, String(error));
    return error.code;
  }
  return 'no error';
};

describe('tensor elements as bytes (little-endian, row-major, BYTES length-prefixed)', () => {
  test('every fixed-size datatype reads back what little-endian bytes hold', () => {
    const cases: [Parameters<typeof decodeTensorBytes>[0], Buffer, number[]][] = [
      ['BOOL', Buffer.from([1, 0, 2]), [1, 0, 1]],
      ['UINT8', Buffer.from([0, 255]), [0, 255]],
      ['INT8', Buffer.from([0x80, 0x7f]), [-128, 127]],
      ['UINT16', Buffer.from([0x34, 0x12]), [0x1234]],
      ['INT16', Buffer.from([0xff, 0xff]), [-1]],
      ['UINT32', Buffer.from([0, 0, 0, 0x80]), [2 ** 31]],
      ['INT32', Buffer.from([0xfe, 0xff, 0xff, 0xff]), [-2]],
      ['INT64', Buffer.from(BigInt64Array.from([-5n, 2n ** 53n - 1n]).buffer), [-5, 2 ** 53 - 1]],
      ['UINT64', Buffer.from(BigUint64Array.from([7n]).buffer), [7]],
      ['FP32', Buffer.from(Float32Array.from([0.1, -2.5, Number.NaN]).buffer), [Math.fround(0.1), -2.5, Number.NaN]],
      ['FP64', Buffer.from(Float64Array.from([0.1, 1e300]).buffer), [0.1, 1e300]],
      // 1.0, -2.0, 65504 (the largest half), 2^-24 (the smallest subnormal), Infinity.
      ['FP16', Buffer.from(Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00]).buffer), [1, -2, 65504, 2 ** -24, Infinity]],
      ['BF16', Buffer.from(Uint16Array.from([0x3f80, 0xc0a0]).buffer), [1, -5]],
    ];
    for (const [datatype, bytes, expected] of cases) {
      const decoded = decodeTensorBytes(datatype, expected.length, bytes, 'input "x"');
      assert.deepEqual(Array.from(decoded as ArrayLike<number | boolean>, Number), expected, datatype);
    }
  });

  test('an aligned FP32 tensor is a view of the request\'s bytes; an unaligned one is copied, with the same values', () => {
    const values = Float32Array.from([1.5, 2.5, 3.5]);
    const aligned = Buffer.from(values.buffer);
    const view = decodeTensorBytes('FP32', 3, aligned, 'x') as Float32Array;
    assert.equal(view.buffer, aligned.buffer);
    const shifted = Buffer.alloc(13);
    aligned.copy(shifted, 1);
    const copied = decodeTensorBytes('FP32', 3, shifted.subarray(1), 'x') as Float32Array;
    assert.notEqual(copied.buffer, shifted.buffer);
    assert.deepEqual([...copied], [...values]);
  });

  test('BYTES: length-prefixed UTF-8 elements, round-tripped; truncated, overlong or non-UTF-8 input is INVALID_BODY', () => {
    const values = ['Month-to-month', '', 'Électronique ✓'];
    assert.deepEqual(decodeTensorBytes('BYTES', 3, encodeBytesElements(values), 'x'), values);
    const bytes = encodeBytesElements(values);
    assert.equal(codeOf(() => decodeTensorBytes('BYTES', 4, bytes, 'x')), 'INVALID_BODY');
    assert.equal(codeOf(() => decodeTensorBytes('BYTES', 2, bytes, 'x')), 'INVALID_BODY');
    assert.equal(codeOf(() => decodeTensorBytes('BYTES', 1, bytes.subarray(0, 10), 'x')), 'INVALID_BODY');
    assert.equal(codeOf(() => decodeTensorBytes('BYTES', 1, Buffer.from([2, 0, 0, 0, 0xc3, 0x28]), 'x')), 'INVALID_BODY');
  });

  test('a byte count that is not the shape\'s, or a 64-bit integer beyond 2^53, is INVALID_BODY', () => {
    assert.equal(codeOf(() => decodeTensorBytes('FP32', 2, Buffer.alloc(12), 'x')), 'INVALID_BODY');
    assert.equal(codeOf(() => decodeTensorBytes('INT64', 1, Buffer.from(BigInt64Array.from([2n ** 53n]).buffer), 'x')), 'INVALID_BODY');
    assert.equal(codeOf(() => decodeTensorBytes('UINT64', 1, Buffer.from(BigUint64Array.from([2n ** 64n - 1n]).buffer), 'x')), 'INVALID_BODY');
  });

  test('outputs as bytes: FP64 (sharing the output\'s memory), INT64, BOOL', () => {
    const probabilities = Float64Array.from([0.25, 0.75]);
    const fp64 = encodeOutputBytes('FP64', probabilities);
    assert.equal(fp64.buffer, probabilities.buffer);
    assert.deepEqual([...new Float64Array(fp64.buffer, fp64.byteOffset, 2)], [0.25, 0.75]);
    const int64 = encodeOutputBytes('INT64', Float64Array.from([2, -1]));
    assert.deepEqual([...new BigInt64Array(Uint8Array.from(int64).buffer)], [2n, -1n]);
    assert.deepEqual([...encodeOutputBytes('BOOL', Float64Array.from([1, 0, 1]))], [1, 0, 1]);
  });
});
