/**
 * A decoder for Universal Binary JSON (ubjson.org, draft 12), the encoding of XGBoost's `.ubj` models (the
 * default of XGBoost >= 2.1). Values decode as JSON.parse would give them, except that strongly typed numeric
 * arrays (`[$d#...`, XGBoost's node arrays) become typed arrays of that type (Float32Array for float32, so
 * thresholds stay exactly the floats written). Big-endian, as the format says.
 */
export class UbjsonError extends Error {}

const TYPED: Record<string, { size: number; make: (n: number) => { [i: number]: number; length: number }; read: (view: DataView, at: number) => number }> = {
  i: { size: 1, make: (n) => new Int8Array(n), read: (v, at) => v.getInt8(at) },
  U: { size: 1, make: (n) => new Uint8Array(n), read: (v, at) => v.getUint8(at) },
  I: { size: 2, make: (n) => new Int16Array(n), read: (v, at) => v.getInt16(at) },
  l: { size: 4, make: (n) => new Int32Array(n), read: (v, at) => v.getInt32(at) },
  // int64 values past 2^53 lose precision, as they do in JSON.parse.
  L: { size: 8, make: (n) => new Float64Array(n), read: (v, at) => Number(v.getBigInt64(at)) },
  d: { size: 4, make: (n) => new Float32Array(n), read: (v, at) => v.getFloat32(at) },
  D: { size: 8, make: (n) => new Float64Array(n), read: (v, at) => v.getFloat64(at) },
};

const MAX_DEPTH = 256;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUbjson(bytes: Uint8Array): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const fail = (problem: string): never => { throw new UbjsonError(`${problem} at byte ${at}`); };
  const need = (n: number) => { if (at + n > bytes.length) fail(`truncated: ${n} more byte(s) needed`); };

  const marker = (): string => {
    need(1);
    return String.fromCharCode(bytes[at++]!);
  };

  const integer = (type: string): number => {
    const typed = TYPED[type];
    if (typed === undefined || type === 'd' || type === 'D') return fail(`expected an integer type, found ${JSON.stringify(type)}`);
    need(typed.size);
    const value = typed.read(view, at);
    at += typed.size;
    return value;
  };

  const length = (type: string): number => {
    const n = integer(type);
    if (n < 0) fail(`negative length ${n}`);
    return n;
  };

  const text = (n: number): string => {
    need(n);
    let value: string;
    try {
      value = utf8.decode(bytes.subarray(at, at + n));
    } catch {
      return fail('a string is not valid UTF-8');
    }
    at += n;
    return value;
  };

  /** A container's optional `$type` and `#count`. */
  const header = (): { type: string | undefined; count: number | undefined } => {
    let type: string | undefined;
    let count: number | undefined;
    if (at < bytes.length && bytes[at] === 0x24 /* $ */) {
      at++;
      type = marker();
      if (at >= bytes.length || bytes[at] !== 0x23 /* # */) fail('a typed container must have a count');
    }
    if (at < bytes.length && bytes[at] === 0x23 /* # */) {
      at++;
      count = length(marker());
    }
    return { type, count };
  };

  const value = (type: string, depth: number): unknown => {
    switch (type) {
      case 'Z': return null;
      case 'T': return true;
      case 'F': return false;
      case 'i': case 'U': case 'I': case 'l': case 'L': return integer(type);
      case 'd': need(4); at += 4; return view.getFloat32(at - 4);
      case 'D': need(8); at += 8; return view.getFloat64(at - 8);
      case 'H': {
        const digits = text(length(marker()));
        const n = Number(digits);
        return Number.isNaN(n) ? fail(`high-precision number ${JSON.stringify(digits)} is not a number`) : n;
      }
      case 'C': need(1); return String.fromCharCode(bytes[at++]!);
      case 'S': return text(length(marker()));
      case '[': return array(depth + 1);
      case '{': return object(depth + 1);
      default: return fail(`unknown type marker ${JSON.stringify(type)}`);
    }
  };

  const array = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    const { type, count } = header();
    if (type !== undefined && count !== undefined) {
      const typed = TYPED[type];
      if (typed !== undefined) {
        need(count * typed.size);
        const out = typed.make(count);
        for (let i = 0; i < count; i++, at += typed.size) out[i] = typed.read(view, at);
        return out;
      }
      // Other typed containers (strings, int64, nested): each element carries no marker.
      if (type !== 'Z' && type !== 'T' && type !== 'F' && type !== 'N') need(count);
      return Array.from({ length: count }, () => value(type, depth));
    }
    const out: unknown[] = [];
    if (count !== undefined) {
      need(count);
      for (let i = 0; i < count; i++) out.push(element(depth));
      return out;
    }
    for (;;) {
      need(1);
      if (bytes[at] === 0x5d /* ] */) { at++; return out; }
      out.push(element(depth));
    }
  };

  /** An array element or object value: a marker and its payload, skipping no-ops. */
  const element = (depth: number): unknown => {
    let type = marker();
    while (type === 'N') type = marker();
    return value(type, depth);
  };

  const object = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    const { type, count } = header();
    const out: Record<string, unknown> = {};
    const set = (key: string, v: unknown) => {
      // As JSON.parse does: "__proto__" is an own key, not the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
    };
    const entry = () => {
      const key = text(length(marker()));
      set(key, type !== undefined ? value(type, depth) : element(depth));
    };
    if (count !== undefined) {
      need(count);
      for (let i = 0; i < count; i++) entry();
      return out;
    }
    for (;;) {
      need(1);
      if (bytes[at] === 0x7d /* } */) { at++; return out; }
      entry();
    }
  };

  const result = element(0);
  if (at !== bytes.length) fail(`${bytes.length - at} byte(s) after the end of the value`);
  return result;
}
