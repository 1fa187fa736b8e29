import { binOf } from './feature-bins.js';

/** A numeric feature as a row is binned: its column, its first slot, its cuts and its out-of-range mark. */
export interface NumericSlots {
  readonly feature: number;
  readonly column: number;
  readonly base: number;
  readonly edges: Float64Array;
  /** The missing values' bin. */
  readonly missing: number;
  readonly minimum: number;
  readonly maximum: number;
  readonly outOfRange: number;
  readonly inRange: number;
}

/** A categorical feature as a row is binned: its one-hot columns and its first slot. */
export interface CategoricalSlots {
  readonly feature: number;
  readonly firstColumn: number;
  readonly categories: number;
  readonly base: number;
}

/** Writes the slots of the encoded row at x[offset..] at slots[at..]: each feature's bin, then (from `marks` on) each numeric feature's out-of-range mark. */
export type RowBinning = (x: Float64Array, offset: number, slots: Uint16Array, at: number) => void;

/** The loop every row goes through when no code can be generated: features by kind, each list of one shape. */
export function rowBinningLoop(categoricals: readonly CategoricalSlots[], numerics: readonly NumericSlots[], marks: number): RowBinning {
  return (x, offset, slots, at) => {
    for (let i = 0; i < categoricals.length; i++) {
      const f = categoricals[i]!;
      const first = offset + f.firstColumn;
      // The hot column's category; a group with none (not produced by the encoder) counts as missing, the last bin.
      let c = 0;
      while (c < f.categories && x[first + c] !== 1) c++;
      slots[at + f.feature] = f.base + c;
    }
    for (let i = 0; i < numerics.length; i++) {
      const f = numerics[i]!;
      const value = x[offset + f.column]!;
      // Missing (NaN) is the last bin, and in no range.
      slots[at + f.feature] = f.base + (value === value ? binOf(f.edges, value) : f.missing);
      slots[at + marks + i] = value < f.minimum || value > f.maximum ? f.outOfRange : f.inRange;
    }
  };
}

/** Above this many one-hot columns the generated function grows past what V8 optimises. */
const MAX_GENERATED_COLUMNS = 2_000;
/** A one-hot group of up to this many columns is binned through a table indexed by its hot bits (2^8 entries at most). */
const MAX_TABLE_CATEGORIES = 8;
/** A numeric feature with up to this many cuts is binned by counting the cuts at or below its value. */
const MAX_COUNTED_CUTS = 16;

/**
 * The same binning as generated JavaScript, one straight run of code per feature with its offsets and slots
 * written in, and without a branch on the row's values where that can be: a one-hot group's bin is read from a
 * table by its hot bits, and a numeric value's bin is the count of cuts at or below it (what the binary search
 * answers). A branch on a row's values goes either way from row to row, and its mispredictions were most of the
 * binning's cost (docs/server.md, Performance). Undefined for very wide schemas, or when code generation is
 * switched off. Only integers the monitor computed reach the source; cuts, bounds and tables stay in arrays the
 * function closes over.
 */
export function generateRowBinning(categoricals: readonly CategoricalSlots[], numerics: readonly NumericSlots[], marks: number): RowBinning | undefined {
  const columns = categoricals.reduce((n, f) => n + f.categories, 0);
  if (columns > MAX_GENERATED_COLUMNS) return undefined;
  const lines: string[] = [];
  const bindings: string[] = [];
  const tables: Uint16Array[] = [];
  for (const f of categoricals) {
    if (f.categories <= MAX_TABLE_CATEGORIES) {
      const bits = Array.from({ length: f.categories }, (_, c) => `(x[o+${f.firstColumn + c}]===1)${c === 0 ? '' : `<<${c}`}`).join('|');
      bindings.push(`t${tables.length}=tables[${tables.length}]`);
      lines.push(`s[a+${f.feature}]=t${tables.length}[${bits}];`);
      tables.push(hotBitsTable(f));
    } else {
      const hot = Array.from({ length: f.categories }, (_, c) => `x[o+${f.firstColumn + c}]===1?${f.base + c}:`).join('');
      lines.push(`s[a+${f.feature}]=${hot}${f.base + f.categories};`);
    }
  }
  numerics.forEach((f, i) => {
    let bin = `binOf(edges[${i}],v)`;
    // The count is the binary search's answer only over cuts in order (a NaN cut is in no order).
    if (f.edges.length <= MAX_COUNTED_CUTS && f.edges.every((cut, k) => k === 0 || f.edges[k - 1]! <= cut)) {
      bindings.push(`e${i}=edges[${i}]`);
      bin = f.edges.length === 0 ? '0' : Array.from(f.edges, (_, k) => `(v>=e${i}[${k}])`).join('+');
    }
    lines.push(`v=x[o+${f.column}];s[a+${f.feature}]=v===v?${f.base}+${bin}:${f.base + f.missing};`
      + `s[a+${marks + i}]=v<minimum[${i}]||v>maximum[${i}]?${f.outOfRange}:${f.inRange};`);
  });
  const closed = bindings.length === 0 ? '' : `const ${bindings.join(',')};`;
  const source = `"use strict";${closed}return function rowBinning(x,o,s,a){let v;${lines.join('\n')}};`;
  try {
    const make = new Function('binOf', 'edges', 'minimum', 'maximum', 'tables', source) as (...args: unknown[]) => RowBinning;
    return make(binOf, numerics.map((f) => f.edges), Float64Array.from(numerics, (f) => f.minimum), Float64Array.from(numerics, (f) => f.maximum), tables);
  } catch {
    return undefined;
  }
}

/** A one-hot group's bin by its hot bits (bit c: column c is 1): the first hot column's category, or missing when none is. */
function hotBitsTable(f: CategoricalSlots): Uint16Array {
  const table = new Uint16Array(2 ** f.categories);
  for (let bits = 0; bits < table.length; bits++) {
    let c = 0;
    while (c < f.categories && (bits & (1 << c)) === 0) c++;
    table[bits] = f.base + c;
  }
  return table;
}
