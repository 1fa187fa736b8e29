import { csvCellValue, csvRecordOf, numericColumnsOf } from '../../features/csv-records.js';
import { ID_MAX_LENGTH, numberFits, type CategoricalPlan, type NumericPlan } from '../../features/field-plans.js';
import type { RecordEncoder } from '../../features/record-encoder.js';
import type { KeptArrays } from '../../foundation/kept-arrays.js';
import { BatchRows, byteAt, categoryAt, decimalValue, MAX_EXACT_DIGITS, REFERENCE_PATH, unlessReferencePath, type BatchFields, type DecodedBatch } from './batch-rows.js';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** What ends a cell. */
const ENDS_CELL = 0;
const ENDS_ROW = 1;
const ENDS_TEXT = 2;

/** Record delimiters, found at the first line break outside quotes (as csv-parse discovers them). */
const UNKNOWN = 0;
const LINE_FEED = 1;
const CRLF = 2;

/** Where `byte` next occurs in `bytes` from `from`, searched natively (it may be far, or nowhere); Infinity when nowhere. */
function positionOf(bytes: Buffer, byte: number, from: number): number {
  const at = bytes.indexOf(byte, from);
  return at < 0 ? Infinity : at;
}

/**
 * Where `byte` next occurs in `bytes` from `from`, before `end`; `end` when nowhere. A loop, not Buffer's indexOf: it
 * looks a cell or a row ahead, and a native call each would cost more than the bytes.
 */
function nextByte(bytes: Uint8Array, byte: number, from: number, end: number): number {
  let i = from;
  while (i < end && bytes[i] !== byte) i++;
  return i;
}

/**
 * Decodes, validates and encodes a CSV batch (the data file's format: a header row, then one record per row) in
 * one pass over its UTF-8 bytes, straight into the encoded matrix: no array of cells, no object per row, and no
 * string of the whole body (see decodeJsonBatch for why). It answers exactly what `decodeCsvBatch` (csv-parse, then
 * `csvRecordOf`) of the body's text + the record encoder answer: a row it cannot settle in the pass is rebuilt as
 * `csvRecordOf` builds it and validated by the record encoder, so its errors are the encoder's. Any body outside the
 * plain case (a quote out of place, a stray CR or LF, a row of another length, a header lacking a required column,
 * more than `maxRecords` rows) gives undefined, for the caller to take the reference path: csv-parse then words
 * MALFORMED_CSV, and the header check INVALID_BODY, as before.
 */
export function decodeCsvRows(bytes: Buffer, encoder: RecordEncoder, fields: BatchFields, maxRecords: number, matrices: KeptArrays<Float64Array>): DecodedBatch | undefined {
  return unlessReferencePath(() => new CsvBatchDecoder(bytes, encoder, fields, maxRecords, matrices).decode());
}

/** UTF-8's byte-order mark, which csv-parse drops from the start of the text. */
const BOM = [0xef, 0xbb, 0xbf];

class CsvBatchDecoder {
  private pos = 0;
  private delimiter = UNKNOWN;
  /** The current cell: bytes[cellStart, cellEnd), quoted with doubled quotes inside when `cellEscaped`. */
  private cellStart = 0;
  private cellEnd = 0;
  private cellEscaped = false;
  private readonly rows: BatchRows;
  private header: string[] = [];
  /** The current row: whether it is still valid in the pass, and its id. */
  private valid = true;
  private id: string | undefined;
  /** The next quote and CR at or after the current row (Infinity: none), found natively and kept until passed. */
  private nextQuote = -1;
  private nextCr = -1;
  private readonly numericColumns: ReadonlySet<string>;

  constructor(private readonly bytes: Buffer, encoder: RecordEncoder, private readonly fields: BatchFields, private readonly maxRecords: number, matrices: KeptArrays<Float64Array>) {
    this.rows = new BatchRows(encoder, maxRecords, matrices);
    this.numericColumns = numericColumnsOf(encoder.schema);
  }

  decode(): DecodedBatch {
    const { bytes, fields } = this;
    const { plans } = fields;
    if (BOM.every((byte, i) => bytes[i] === byte)) this.pos = BOM.length;
    if (!this.skipEmptyLines()) throw REFERENCE_PATH;
    const header = this.cells().map((name) => name.trim());
    this.header = header;
    const columns = header.length;
    // The slot each column fills; a repeated name: its last column, as a record's last assignment wins.
    const slots = new Int32Array(columns).fill(-1);
    const lastColumn = new Map(header.map((name, c) => [name, c]));
    for (const [name, column] of lastColumn) slots[column] = fields.slotOf.get(name) ?? -1;
    const absent: number[] = [];
    for (const plan of plans) {
      if (lastColumn.has(plan.key)) continue;
      // A required column missing is INVALID_BODY, worded by the reference path.
      if (plan.kind !== 'numeric' || !plan.nullable) throw REFERENCE_PATH;
      absent.push(plan.column);
    }

    const { rows } = this;
    let index = 0;
    while (this.skipEmptyLines()) {
      if (index === this.maxRecords) throw REFERENCE_PATH;
      const start = this.pos;
      const offset = rows.rowOffset();
      const x = rows.matrix;
      this.valid = true;
      this.id = undefined;
      let column = 0;
      const rowEnd = this.plainRowEnd(start);
      if (rowEnd >= 0) {
        // No quote and no stray line break: cells end at commas.
        let from = start;
        for (;; column++) {
          if (column >= columns) throw REFERENCE_PATH;
          const comma = nextByte(bytes, COMMA, from, rowEnd);
          const last = comma >= rowEnd;
          this.cellStart = from;
          this.cellEnd = comma;
          this.cellEscaped = false;
          const slot = slots[column]!;
          if (slot >= 0 && this.valid) this.take(slot, x, offset);
          if (last) break;
          from = comma + 1;
        }
        this.pos = this.afterRow(rowEnd);
      } else {
        for (;; column++) {
          const ends = this.cell();
          if (column >= columns) throw REFERENCE_PATH;
          const slot = slots[column]!;
          if (slot >= 0 && this.valid) this.take(slot, x, offset);
          if (ends !== ENDS_CELL) break;
        }
      }
      if (column + 1 !== columns) throw REFERENCE_PATH;
      if (this.valid) {
        for (const a of absent) x[offset + a] = NaN;
        rows.accept(index, this.id, start, 0);
      } else {
        const end = this.pos;
        rows.encodeRecord(index, this.recordAt(start));
        this.pos = end;
      }
      // Rows of one batch are much alike in size: room for the rest at once.
      if (index === 0) rows.reserve(1 + Math.ceil((1.1 * (bytes.length - this.pos)) / (this.pos - start + 1)));
      index++;
    }
    return rows.finish(index, (start) => this.recordAt(start));
  }

  /** The current cell into the row at `offset`, for field `slot`; clears `valid` when the record encoder must settle the row. */
  private take(slot: number, x: Float64Array, offset: number): void {
    const { plans, idSlot } = this.fields;
    if (slot === idSlot) {
      const id = this.cellText();
      this.id = id;
      this.valid = id.length <= ID_MAX_LENGTH;
      return;
    }
    const plan = plans[slot]!;
    this.valid = plan.kind === 'numeric' ? this.numeric(plan, x, offset) : this.categorical(plan, slot, x, offset);
  }

  /**
   * Where the row at `start` ends (before its line break) when it is plain: no quote, and no line break but its
   * own, of the kind the text uses. -1 otherwise (the row is read cell by cell).
   */
  private plainRowEnd(start: number): number {
    const { bytes } = this;
    if (this.nextQuote < start) this.nextQuote = positionOf(bytes, QUOTE, start);
    if (this.nextCr < start) this.nextCr = positionOf(bytes, CR, start);
    const found = bytes.indexOf(LF, start);
    const lineFeed = found < 0 ? bytes.length : found;
    if (this.nextQuote < lineFeed) return -1;
    if (this.delimiter === CRLF) {
      // The row's only CR is its line break's (the last row may end the body with no line break).
      const end = lineFeed < bytes.length ? lineFeed - 1 : lineFeed;
      return this.nextCr === end || (this.nextCr > end && end === bytes.length) ? end : -1;
    }
    return this.nextCr < lineFeed ? -1 : lineFeed;
  }

  /** Past the line break that ends a plain row at `end`. */
  private afterRow(end: number): number {
    const { bytes } = this;
    if (end >= bytes.length) return end;
    return this.delimiter === CRLF ? end + 2 : end + 1;
  }

  /** A numeric feature's cell: a number that fits, or blank where missing is allowed. */
  private numeric(plan: NumericPlan, x: Float64Array, offset: number): boolean {
    let value = this.cellEscaped ? Number.NaN : this.plainNumber();
    if (value !== value) {
      // Not a plain decimal (blank, spaces, an exponent, text...): converted exactly as a record's cell is.
      const cell = csvCellValue(this.cellText(), true);
      if (cell === null) {
        if (!plan.nullable) return false;
        x[offset + plan.column] = NaN;
        return true;
      }
      if (typeof cell !== 'number') return false;
      value = cell;
    }
    if (!numberFits(plan, value)) return false;
    x[offset + plan.column] = value;
    return true;
  }

  /**
   * The current cell as a plain decimal (`[+-]digits[.digits]`, at most 15 digits), read exactly as `Number` reads
   * it (Clinger's fast path); NaN for anything else.
   */
  private plainNumber(): number {
    const { bytes, cellEnd } = this;
    let i = this.cellStart;
    let c = byteAt(bytes, i);
    const negative = c === MINUS;
    if (negative || c === PLUS) i++;
    let mantissa = 0;
    let digits = 0;
    let fraction = 0;
    let dot = false;
    for (; i < cellEnd; i++) {
      c = byteAt(bytes, i);
      if (c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        if (dot) fraction++;
      } else if (c === DOT && !dot) {
        dot = true;
      } else {
        return Number.NaN;
      }
    }
    if (digits === 0 || digits > MAX_EXACT_DIGITS) return Number.NaN;
    return decimalValue(mantissa, fraction, negative);
  }

  /** A categorical feature's cell: one of its categories, exactly (any text for an open one), written one-hot. */
  private categorical(plan: CategoricalPlan, slot: number, x: Float64Array, offset: number): boolean {
    const { categories } = plan;
    if (categories.length === 0) return true;
    const hit = this.cellEscaped ? categories.indexOf(this.cellText()) : categoryAt(this.fields, slot, this.bytes, this.cellStart, this.cellEnd);
    if (hit < 0) return false;
    const first = offset + plan.firstColumn;
    // The row's other columns of this feature are 0 already (BatchRows: rows start zeroed).
    x[first + hit] = 1;
    return true;
  }

  /** The record of the row starting at `start`, built as the reference path builds it. */
  private recordAt(start: number): Record<string, unknown> {
    this.pos = start;
    return csvRecordOf(this.header, this.cells(), this.numericColumns);
  }

  /** The cells of the row at `pos`, as text. */
  private cells(): string[] {
    const cells: string[] = [];
    for (;;) {
      const ends = this.cell();
      cells.push(this.cellText());
      if (ends !== ENDS_CELL) return cells;
    }
  }

  private cellText(): string {
    const cell = this.bytes.toString('utf8', this.cellStart, this.cellEnd);
    return this.cellEscaped ? cell.replaceAll('""', '"') : cell;
  }

  /** Reads the cell at `pos` (quoted or not) and moves past what ends it; returns what that was. */
  private cell(): number {
    const { bytes } = this;
    let i = this.pos;
    if (byteAt(bytes, i) === QUOTE) {
      this.cellStart = i + 1;
      this.cellEscaped = false;
      let from = i + 1;
      for (;;) {
        const quote = nextByte(bytes, QUOTE, from, bytes.length);
        if (quote === bytes.length) throw REFERENCE_PATH;
        if (byteAt(bytes, quote + 1) === QUOTE) {
          this.cellEscaped = true;
          from = quote + 2;
          continue;
        }
        this.cellEnd = quote;
        i = quote + 1;
        break;
      }
      // After a closing quote: a delimiter, a line break or the end, nothing else.
      const c = byteAt(bytes, i);
      if (c === COMMA) {
        this.pos = i + 1;
        return ENDS_CELL;
      }
      if (i >= bytes.length) {
        this.pos = i;
        return ENDS_TEXT;
      }
      this.pos = this.afterLineBreak(i);
      return ENDS_ROW;
    }
    this.cellStart = i;
    this.cellEscaped = false;
    for (;; i++) {
      const c = byteAt(bytes, i);
      if (c === COMMA) {
        this.cellEnd = i;
        this.pos = i + 1;
        return ENDS_CELL;
      }
      if (c === LF || c === CR) {
        this.cellEnd = i;
        this.pos = this.afterLineBreak(i);
        return ENDS_ROW;
      }
      // A quote inside an unquoted cell is malformed (csv-parse words it).
      if (c === QUOTE) throw REFERENCE_PATH;
      if (c !== c) {
        this.cellEnd = i;
        this.pos = i;
        return ENDS_TEXT;
      }
    }
  }

  /**
   * Past the record delimiter at `i`, which must be the one the text uses: the first line break decides (CRLF or
   * LF; a lone CR, or a line break of the other kind, which csv-parse would keep as cell text, is left to it).
   */
  private afterLineBreak(i: number): number {
    const { bytes } = this;
    const c = byteAt(bytes, i);
    if (this.delimiter === UNKNOWN) {
      if (c === CR && byteAt(bytes, i + 1) === LF) this.delimiter = CRLF;
      else if (c === LF) this.delimiter = LINE_FEED;
      else throw REFERENCE_PATH;
    }
    if (this.delimiter === LINE_FEED) {
      if (c !== LF) throw REFERENCE_PATH;
      return i + 1;
    }
    if (c !== CR || byteAt(bytes, i + 1) !== LF) throw REFERENCE_PATH;
    return i + 2;
  }

  /** Skips empty lines (csv-parse's skip_empty_lines); whether a row follows. */
  private skipEmptyLines(): boolean {
    const { bytes } = this;
    for (;;) {
      if (this.pos >= bytes.length) return false;
      const c = byteAt(bytes, this.pos);
      if (c !== LF && c !== CR) return true;
      this.pos = this.afterLineBreak(this.pos);
    }
  }
}
