import { isUtf8 } from 'node:buffer';
import { ChurnError } from '../../errors.js';
import type { OutputDatatype } from '../../runtimes/model-runtime.js';
import type { V2Datatype } from './v2-datatypes.js';

/**
 * Tensor elements as bytes, as the Open Inference Protocol sends them in gRPC's raw_input_contents /
 * raw_output_contents and in the REST binary data extension: little-endian, row-major, no padding; a BYTES
 * element is a 4-byte little-endian length followed by that many bytes. Decoding makes a typed-array view of the
 * request's own bytes where it can (aligned, on a little-endian host), so a 1,000-row FP32 tensor costs no copy.
 */

/** Decoded elements: typed arrays for numbers, booleans for BOOL, strings (UTF-8) for BYTES. */
export type TensorElements = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array
  | readonly boolean[] | readonly string[];

/** Bytes per element; BYTES elements have their own lengths. */
export const elementSize: Readonly<Record<Exclude<V2Datatype, 'BYTES'>, number>> = {
  BOOL: 1, UINT8: 1, UINT16: 2, UINT32: 4, UINT64: 8, INT8: 1, INT16: 2, INT32: 4, INT64: 8, FP16: 2, BF16: 2, FP32: 4, FP64: 8,
};

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
// The high 32-bit word of the largest integer a number holds exactly (2^53 - 1).
const SAFE_HIGH_WORD = 0x1fffff;
const bad = (message: string): ChurnError => new ChurnError('INVALID_BODY', message);

type TypedArrayOf = { new(buffer: ArrayBufferLike, byteOffset: number, length: number): ArrayLike<number>; BYTES_PER_ELEMENT: number };

/** A view of `bytes` as `Type` when aligned (no copy); of an aligned copy otherwise. */
function view<T>(Type: TypedArrayOf, bytes: Uint8Array, count: number): T {
  // new Uint8Array(view) copies into a fresh buffer (Buffer's own slice() would not).
  const aligned = bytes.byteOffset % Type.BYTES_PER_ELEMENT === 0 ? bytes : new Uint8Array(bytes);
  return new Type(aligned.buffer, aligned.byteOffset, count) as T;
}

/** IEEE 754 half precision to a number (FP16 travels only as bytes). */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * The `count` elements of a `datatype` tensor held in `bytes`. A size that does not match, a 64-bit integer a
 * number cannot hold exactly, or BYTES that are not UTF-8 is INVALID_BODY naming `where` (e.g. `input "tenure"`).
 */
export function decodeTensorBytes(datatype: V2Datatype, count: number, bytes: Uint8Array, where: string): TensorElements {
  if (datatype === 'BYTES') return decodeBytesElements(count, bytes, where);
  const size = elementSize[datatype];
  if (bytes.length !== count * size) {
    throw bad(`${where}: ${count} ${datatype} element(s) take ${count * size} bytes, ${bytes.length} were sent`);
  }
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (datatype) {
    case 'BOOL': return Array.from(bytes, (b) => b !== 0);
    case 'UINT8': return bytes;
    case 'INT8': return new Int8Array(bytes.buffer, bytes.byteOffset, count);
    case 'FP16': return Float32Array.from({ length: count }, (_, i) => halfToNumber(data.getUint16(i * 2, true)));
    // bfloat16 is the upper half of a float32.
    case 'BF16': return Float32Array.from({ length: count }, (_, i) => {
      const word = new DataView(new ArrayBuffer(4));
      word.setUint16(0, data.getUint16(i * 2, true), false);
      return word.getFloat32(0, false);
    });
    case 'INT64':
    case 'UINT64': {
      // Two 32-bit words rather than BigInt: a tenth of the cost, and the range check comes free.
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const low = data.getUint32(i * 8, true);
        const high = datatype === 'INT64' ? data.getInt32(i * 8 + 4, true) : data.getUint32(i * 8 + 4, true);
        if (high > SAFE_HIGH_WORD || high < -SAFE_HIGH_WORD - 1 || (high === -SAFE_HIGH_WORD - 1 && low === 0)) {
          const value = datatype === 'INT64' ? data.getBigInt64(i * 8, true) : data.getBigUint64(i * 8, true);
          throw bad(`${where} element ${i}: ${value} is beyond what a feature can hold exactly (±2^53)`);
        }
        out[i] = high * 0x100000000 + low;
      }
      return out;
    }
    default: break;
  }
  if (!littleEndianHost) return bigEndianHostRead(datatype, data, count);
  switch (datatype) {
    case 'INT16': return view<Int16Array>(Int16Array, bytes, count);
    case 'UINT16': return view<Uint16Array>(Uint16Array, bytes, count);
    case 'INT32': return view<Int32Array>(Int32Array, bytes, count);
    case 'UINT32': return view<Uint32Array>(Uint32Array, bytes, count);
    case 'FP32': return view<Float32Array>(Float32Array, bytes, count);
    default: return view<Float64Array>(Float64Array, bytes, count);
  }
}

/** Element by element through a DataView, for the rare big-endian host. */
function bigEndianHostRead(datatype: 'INT16' | 'UINT16' | 'INT32' | 'UINT32' | 'FP32' | 'FP64', data: DataView, count: number): TensorElements {
  const size = elementSize[datatype];
  const read: (offset: number) => number = {
    INT16: (o: number) => data.getInt16(o, true), UINT16: (o: number) => data.getUint16(o, true),
    INT32: (o: number) => data.getInt32(o, true), UINT32: (o: number) => data.getUint32(o, true),
    FP32: (o: number) => data.getFloat32(o, true), FP64: (o: number) => data.getFloat64(o, true),
  }[datatype];
  return Float64Array.from({ length: count }, (_, i) => read(i * size));
}

/** Text of valid UTF-8 bytes, checked first (a decoder that replaced bad bytes would pass them on silently). */
export function utf8Text(bytes: Uint8Array, where: string): string {
  if (!isUtf8(bytes)) throw bad(`${where} is not UTF-8 text`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** BYTES elements: each a 4-byte little-endian length and that many bytes, read as UTF-8 text. */
function decodeBytesElements(count: number, bytes: Uint8Array, where: string): string[] {
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = new Array(count);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > bytes.length) throw bad(`${where}: the bytes hold ${i} BYTES element(s), the shape says ${count}`);
    const length = data.getUint32(offset, true);
    offset += 4;
    if (offset + length > bytes.length) throw bad(`${where} element ${i}: its length says ${length} bytes, only ${bytes.length - offset} remain`);
    out[i] = utf8Text(bytes.subarray(offset, offset + length), `${where} element ${i}`);
    offset += length;
  }
  if (offset !== bytes.length) throw bad(`${where}: ${bytes.length - offset} byte(s) left after the ${count} BYTES element(s) the shape holds`);
  return out;
}

/** BYTES elements as bytes: a 4-byte little-endian length, then the UTF-8 text, for each. */
export function encodeBytesElements(values: readonly string[]): Buffer {
  const encoded = values.map((v) => Buffer.from(v, 'utf8'));
  const out = Buffer.allocUnsafe(encoded.reduce((n, b) => n + 4 + b.length, 0));
  let offset = 0;
  for (const b of encoded) {
    out.writeUInt32LE(b.length, offset);
    b.copy(out, offset + 4);
    offset += 4 + b.length;
  }
  return out;
}

/** A runtime output's values as bytes of its datatype (FP64 shares the output's memory on a little-endian host). */
export function encodeOutputBytes(datatype: OutputDatatype, values: Float64Array): Buffer {
  if (datatype === 'BOOL') {
    const out = Buffer.allocUnsafe(values.length);
    for (let i = 0; i < values.length; i++) out[i] = values[i] === 0 ? 0 : 1;
    return out;
  }
  if (datatype === 'FP64' && littleEndianHost) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const out = Buffer.allocUnsafe(values.length * 8);
  for (let i = 0; i < values.length; i++) {
    if (datatype === 'FP64') out.writeDoubleLE(values[i]!, i * 8);
    else out.writeBigInt64LE(BigInt(values[i]!), i * 8);
  }
  return out;
}
