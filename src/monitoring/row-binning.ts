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

/**
 * The same binning as generated JavaScript, one straight run of code per feature with its offsets and slots
 * written in: about half the loop's instructions on the bundled model's 19 features, where reading each
 * feature's description from its object and looping over its categories was the cost (docs/server.md,
 * Performance). Undefined for very wide schemas, or when code generation is switched off. Only integers the
 * monitor computed reach the source; cuts and bounds stay in arrays the function closes over.
 */
export function generateRowBinning(categoricals: readonly CategoricalSlots[], numerics: readonly NumericSlots[], marks: number): RowBinning | undefined {
  const columns = categoricals.reduce((n, f) => n + f.categories, 0);
  if (columns > MAX_GENERATED_COLUMNS) return undefined;
  const lines: string[] = [];
  for (const f of categoricals) {
    const hot = Array.from({ length: f.categories }, (_, c) => `x[o+${f.firstColumn + c}]===1?${f.base + c}:`).join('');
    lines.push(`s[a+${f.feature}]=${hot}${f.base + f.categories};`);
  }
  numerics.forEach((f, i) => {
    lines.push(`v=x[o+${f.column}];s[a+${f.feature}]=v===v?${f.base}+binOf(edges[${i}],v):${f.base + f.missing};`
      + `s[a+${marks + i}]=v<minimum[${i}]||v>maximum[${i}]?${f.outOfRange}:${f.inRange};`);
  });
  const source = `"use strict";return function rowBinning(x,o,s,a){let v;${lines.join('\n')}};`;
  try {
    const make = new Function('binOf', 'edges', 'minimum', 'maximum', source) as (...args: unknown[]) => RowBinning;
    return make(binOf, numerics.map((f) => f.edges), Float64Array.from(numerics, (f) => f.minimum), Float64Array.from(numerics, (f) => f.maximum));
  } catch {
    return undefined;
  }
}
