import type { FieldError } from '../../errors.js';
import { KeptArrays } from '../../foundation/kept-arrays.js';
import type { FieldPlan } from '../../features/field-plans.js';
import type { RecordEncoder } from '../../features/record-encoder.js';
import type { EncodedRows } from '../../runtimes/model-runtime.js';

/** A batch validated and encoded: the valid rows packed in request order, and each invalid record's errors by index. */
export interface EncodedBatch {
  /** How many records the request held. */
  readonly count: number;
  readonly rows: EncodedRows;
  /** Index in the request of each valid row. */
  readonly indices: readonly number[];
  /** Each record's pass-through identifier by request index (undefined: none, or not a string). */
  readonly ids: readonly (string | undefined)[];
  readonly failures: ReadonlyMap<number, FieldError[]>;
}

/**
 * Thrown inside a one-pass decoder when the body is anything but the plain case it decodes itself (malformed, an
 * unusual shape, too many records): the caller then takes the reference path (parse everything, then validate each
 * record), which answers such a body exactly as it always has. Never escapes the decoders.
 */
export const REFERENCE_PATH: unique symbol = Symbol('take the reference path');

/**
 * What the one-pass batch decoders need of a schema: each field's rule (the record encoder's own), looked up by
 * name. Slots 0..features-1 are the features in schema order; slot `idSlot` is the pass-through identifier.
 */
export interface BatchFields {
  readonly plans: readonly FieldPlan[];
  readonly idSlot: number;
  readonly names: readonly string[];
  readonly slotOf: ReadonlyMap<string, number>;
  /** For each categorical feature: whether its categories can be compared with a JSON string's raw text (nothing to escape). */
  readonly rawCategories: readonly boolean[];
  /** For each categorical feature: its categories as UTF-8, to compare with a body's bytes. */
  readonly categoryBytes: readonly (readonly Uint8Array[])[];
  /** For each categorical feature: its categories as JSON strings (quotes included) to compare with a body a word at a time. */
  readonly categoryPatterns: readonly (readonly BytePattern[])[];
  /** For each categorical feature: its categories' indices by length in UTF-8 bytes, so a value is compared with one or two of them. */
  readonly categoriesByLength: readonly (readonly (readonly number[] | undefined)[])[];
}

/** Which category of a categorical feature (`slot`) bytes[from, end) is, exactly; -1 for none. */
export function categoryAt(fields: BatchFields, slot: number, bytes: Uint8Array, from: number, end: number): number {
  const candidates = fields.categoriesByLength[slot]![end - from];
  if (candidates === undefined) return -1;
  const encoded = fields.categoryBytes[slot]!;
  for (let i = 0; i < candidates.length; i++) {
    const k = candidates[i]!;
    if (sameBytes(bytes, from, encoded[k]!)) return k;
  }
  return -1;
}

/** The byte at `i`; NaN past the end, as charCodeAt answers, so that every comparison with it fails there. */
export function byteAt(bytes: Uint8Array, i: number): number {
  return bytes[i] ?? NaN;
}

/** Whether `bytes` holds `part` at `from`. */
export function sameBytes(bytes: Uint8Array, from: number, part: Uint8Array): boolean {
  for (let i = 0; i < part.length; i++) if (bytes[from + i] !== part[i]) return false;
  return true;
}

/**
 * Bytes to compare with a body's, held also as 32-bit words: a DataView reads the body four bytes at a time, about
 * ten times faster than a loop over its bytes (the keys before each value and the categories are most of a body).
 */
export interface BytePattern {
  readonly bytes: Uint8Array;
  /** bytes.length, read on every comparison (a plain field is cheaper than a Buffer's length). */
  readonly length: number;
  /** The bytes as little-endian words: at 0, 4, 8..., then, when the length is not a multiple of 4, the last four bytes. */
  readonly words: Int32Array;
}

export function bytePattern(bytes: Uint8Array): BytePattern {
  const n = bytes.length;
  if (n < 4) return { bytes, length: n, words: new Int32Array(0) };
  const view = new DataView(bytes.buffer, bytes.byteOffset, n);
  const words = new Int32Array((n >> 2) + (n % 4 === 0 ? 0 : 1));
  for (let w = 0; w < words.length; w++) words[w] = view.getInt32(Math.min(4 * w, n - 4), true);
  return { bytes, length: n, words };
}

/** Whether the body seen through `view`, `end` bytes long, holds `pattern` at `from`. */
export function matchesAt(view: DataView, end: number, from: number, pattern: BytePattern): boolean {
  const n = pattern.length;
  if (from + n > end) return false;
  if (n < 4) {
    const { bytes } = pattern;
    for (let i = 0; i < n; i++) if (view.getUint8(from + i) !== bytes[i]) return false;
    return true;
  }
  // The last word may overlap the one before it: no byte-by-byte tail.
  const { words } = pattern;
  const last = words.length - 1;
  for (let w = 0; w < last; w++) if (view.getInt32(from + 4 * w, true) !== words[w]) return false;
  return view.getInt32(from + n - 4, true) === words[last];
}

/**
 * The fields of an encoder for the one-pass decoders, or undefined when a schema is unusual enough that a record
 * object's lookups could differ from a field-by-name match (a name shared by the id and a feature, or one an object
 * inherits such as `constructor`): such models always take the reference path.
 */
export function batchFieldsOf(encoder: RecordEncoder): BatchFields | undefined {
  const plans = encoder.fields;
  const names = [...plans.map((p) => p.key), encoder.schema.idField];
  if (new Set(names).size !== names.length || names.some((name) => name in Object.prototype)) return undefined;
  const needsEscape = /["\\\u0000-\u001f]/;
  return {
    plans,
    idSlot: plans.length,
    names,
    slotOf: new Map(names.map((name, slot) => [name, slot])),
    rawCategories: plans.map((p) => p.kind === 'categorical' && !p.categories.some((c) => needsEscape.test(c))),
    categoryBytes: plans.map((p) => (p.kind === 'categorical' ? p.categories.map((c) => Buffer.from(c, 'utf8')) : [])),
    categoryPatterns: plans.map((p) => (p.kind === 'categorical' ? p.categories.map((c) => bytePattern(Buffer.from(`"${c}"`, 'utf8'))) : [])),
    categoriesByLength: plans.map((p) => {
      const byLength: number[][] = [];
      if (p.kind === 'categorical') p.categories.forEach((c, k) => { (byLength[Buffer.byteLength(c, 'utf8')] ??= []).push(k); });
      return Array.from(byLength, (ks) => ks);
    }),
  };
}

/** Digits a decimal may have for `decimalValue` (10^15 < 2^53: the mantissa is exact in a double). */
export const MAX_EXACT_DIGITS = 15;
/** 10^k for k <= 15, each exact in a double. */
const POWERS_OF_TEN = Array.from({ length: MAX_EXACT_DIGITS + 1 }, (_, k) => 10 ** k);

/**
 * The value of a decimal given as its digits (`mantissa`, at most MAX_EXACT_DIGITS of them) with `fraction` of them
 * after the point: exactly what Number() reads from its text, as one division of two exact doubles is correctly
 * rounded (Clinger's fast path).
 */
export function decimalValue(mantissa: number, fraction: number, negative: boolean): number {
  const magnitude = fraction === 0 ? mantissa : mantissa / POWERS_OF_TEN[fraction]!;
  return negative ? -magnitude : magnitude;
}

/** What a one-pass decoder answers, or undefined when it threw REFERENCE_PATH. */
export function unlessReferencePath<T>(decode: () => T): T | undefined {
  try {
    return decode();
  } catch (thrown) {
    if (thrown === REFERENCE_PATH) return undefined;
    throw thrown;
  }
}

const FIRST_ROWS = 16;
/** Rows of a kept matrix cleared at a time, as rows reach them: a batch clears what it uses, not the whole matrix. */
const CLEARED_ROWS = 64;

/**
 * The matrices a data plane keeps for its batches: about one per connection sending batches, and no more than a few
 * 10,000-record batches' worth, so one very large batch does not stay pinned after it.
 */
export function batchMatrices(): KeptArrays<Float64Array> {
  return new KeptArrays((length) => new Float64Array(length), { arrays: 4, bytes: 8 * 2 ** 20, smallestLength: 4096 });
}

/** A batch decoded by a one-pass decoder: its matrix goes back to the kept ones with `release()`, once nothing reads its rows. */
export interface DecodedBatch extends EncodedBatch {
  readonly release: () => void;
}

/**
 * Collects a decoded batch: the encoded matrix (grown as rows arrive), which records were valid, their ids, and
 * each invalid record's errors. Records are not kept: a runtime or explanation that reads them gets them rebuilt
 * from the body on first read (`materialize`), so the common case never builds an object per record.
 *
 * The matrix is one of `matrices`, kept between batches (a 1,000-record batch's is about 400 KB), and given back
 * by the batch's `release()`. Rows are zeroed before a decoder reaches them, so it writes only a categorical
 * feature's hot column. A row stays zeroed until a record is written to it: one the decoder gives up on is then
 * encoded by `encodeRecord`, which writes every column when the record is valid and zeroes the row again when it
 * is not.
 */
export class BatchRows {
  private x: Float64Array;
  /** x[0, cleared) is zeroed or written by this batch; what lies past it may be an earlier batch's. */
  private cleared = 0;
  private valid = 0;
  private readonly indices: number[] = [];
  private readonly ids: (string | undefined)[] = [];
  private readonly failures = new Map<number, FieldError[]>();
  /** Per valid row: where its record is in the body (two numbers), for `materialize`. */
  private readonly sources: number[] = [];
  /** Records already built (by the per-record path), by valid row. */
  private readonly built = new Map<number, unknown>();

  private readonly maxRows: number;

  constructor(readonly encoder: RecordEncoder, maxRows: number, private readonly matrices: KeptArrays<Float64Array>) {
    this.x = matrices.take(Math.min(FIRST_ROWS, Math.max(maxRows, 1)) * encoder.width);
    this.maxRows = maxRows;
  }

  /** The matrix the next row goes to, at `rowOffset()`. */
  get matrix(): Float64Array {
    return this.x;
  }

  /** Makes room for `rows` rows in all (an estimate once the first record's size is known), so the matrix grows once at most. */
  reserve(rows: number): void {
    const length = Math.min(rows, this.maxRows) * this.encoder.width;
    if (length > this.x.length) this.moveTo(length);
  }

  /** Where the next row starts in `matrix` (zeroed), growing it first when full. */
  rowOffset(): number {
    const width = this.encoder.width;
    const offset = this.valid * width;
    if (offset + width > this.x.length) this.moveTo(Math.max(this.x.length * 2, offset + width));
    if (offset + width > this.cleared) {
      const to = Math.min(this.x.length, offset + CLEARED_ROWS * width);
      this.x.fill(0, this.cleared, to);
      this.cleared = to;
    }
    return offset;
  }

  /** Moves the rows written so far to a matrix of at least `length` values, and gives the old one back. */
  private moveTo(length: number): void {
    const written = this.valid * this.encoder.width;
    const grown = this.matrices.take(length);
    grown.set(this.x.subarray(0, written));
    this.matrices.give(this.x);
    this.x = grown;
    this.cleared = written;
  }

  /** The row at `rowOffset()` is record `index`, valid; its record is rebuilt from (a, b) when read. */
  accept(index: number, id: string | undefined, a: number, b: number): void {
    this.indices.push(index);
    this.ids[index] = id;
    this.sources.push(a, b);
    this.valid++;
  }

  /**
   * Record `index` as `encode` sees it (built from the body): validated and encoded at `rowOffset()` by the
   * record encoder itself, so an invalid record's errors are exactly the encoder's.
   */
  encodeRecord(index: number, record: unknown): void {
    const offset = this.rowOffset();
    const errors = this.encoder.encode(record, this.x, offset);
    const id = this.encoder.idOf(record);
    if (errors !== undefined) {
      // The next record is written to this row, which must be zeroed for it.
      this.x.fill(0, offset, offset + this.encoder.width);
      this.ids[index] = id;
      this.failures.set(index, errors);
      return;
    }
    this.built.set(this.valid, record);
    this.accept(index, id, -1, -1);
  }

  finish(count: number, materialize: (a: number, b: number) => unknown): DecodedBatch {
    const rows = this.valid;
    const { sources, built, matrices, x } = this;
    let released = false;
    let records: unknown[] | undefined;
    this.ids.length = count;
    return {
      count,
      rows: {
        rows,
        x: this.x.subarray(0, rows * this.encoder.width),
        get records() {
          records ??= Array.from({ length: rows }, (_, k) => (built.has(k) ? built.get(k) : materialize(sources[2 * k]!, sources[2 * k + 1]!)));
          return records;
        },
      },
      indices: this.indices,
      ids: this.ids,
      failures: this.failures,
      release: () => {
        // Once only: a matrix given back twice would be handed to two batches at a time.
        if (released) return;
        released = true;
        matrices.give(x);
      },
    };
  }
}
