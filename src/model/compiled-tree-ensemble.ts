import type { TreeEnsemble } from './tree-ensemble.js';

/** Margin of the record at x[offset .. offset + columns), as a compiled ensemble computes it. */
export type CompiledMargin = (x: Float64Array, offset: number) => number;

/**
 * Ensembles above this many nodes stay with the loop. Measured here on full random trees, warmed up: generated
 * code was 1.3-1.8x faster up to about 8,000 nodes (62 trees of depth 6: 2.6 against 4.7 us per row) and slower
 * beyond (100 trees of depth 6, 12,700 nodes: 1.2x slower; 300 of depth 6: 3x slower). Its machine code
 * outgrows the CPU's instruction caches, where the loop's code is small and it reads only the nodes on each path.
 */
const MAX_COMPILED_NODES = 8_000;

// Made once per ensemble, one cache per arithmetic (float64, float32): batches ask on every call.
const compiled = [new WeakMap<TreeEnsemble, CompiledMargin | undefined>(), new WeakMap<TreeEnsemble, CompiledMargin | undefined>()] as const;

/** A number as JavaScript source that reads back as exactly that double. */
function literal(n: number): string {
  if (Number.isNaN(n)) return '(0/0)';
  if (n === Infinity) return '(1/0)';
  if (n === -Infinity) return '(-1/0)';
  return Object.is(n, -0) ? '(-0)' : `(${String(n)})`;
}

/**
 * One tree as nested ifs with every split's feature, threshold and leaf written in as constants, so the engine
 * compiles the tree into branches instead of walking the node arrays. Each node keeps the loop's decision exactly:
 * x < threshold goes left, x >= threshold goes right, and what neither holds for (NaN) goes the default side, so
 * a default-left node is `!(x >= t)` and a default-right one `x < t`.
 */
function treeSource(model: TreeEnsemble, root: number): string {
  const { feature, threshold, defaultLeft, left, right, value } = model;
  const out: string[] = [];
  // An explicit stack, not recursion: LightGBM trees can be hundreds of levels deep.
  const stack: (number | string)[] = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') { out.push(item); continue; }
    const f = feature[item]!;
    if (f < 0) { out.push(`return ${literal(value[item]!)};`); continue; }
    const v = `x[o+${f}]`;
    const t = literal(threshold[item]!);
    out.push(defaultLeft[item] === 1 ? `if(!(${v}>=${t})){` : `if(${v}<${t}){`);
    // Popped in reverse: the left subtree, then "}else{", the right subtree, "}".
    stack.push('}', right[item]!, '}else{', left[item]!);
  }
  return out.join('');
}

/**
 * The ensemble's margin as generated JavaScript, bit for bit the loop's (treeEnsembleMargin; with `float32`, the
 * library evaluator's float32 sum): the same base, the same tree order, the same additions. About 1.4x faster than
 * the loop on the bundled model (bench/model-inference). Undefined when the loop must stay: the ensemble has split
 * rules (category sets, zero-as-missing), is large (MAX_COMPILED_NODES), or code generation is switched off in
 * this process (--disallow-code-generation-from-strings). Made once per ensemble and arithmetic.
 */
export function compileTreeEnsemble(model: TreeEnsemble, float32 = false): CompiledMargin | undefined {
  const cache = compiled[float32 ? 1 : 0];
  if (!cache.has(model)) {
    cache.set(model, model.rules !== undefined || model.feature.length > MAX_COMPILED_NODES ? undefined : compile(model, float32));
  }
  return cache.get(model);
}

/** The generated source holds numbers only, each written by `literal`: nothing from the artifact reaches it as text. */
function compile(model: TreeEnsemble, float32: boolean): CompiledMargin | undefined {
  const trees: string[] = [];
  const sums: string[] = [];
  for (let t = 0; t < model.roots.length; t++) {
    trees.push(`function t${t}(x,o){${treeSource(model, model.roots[t]!)}}`);
    sums.push(float32 ? `s=Math.fround(s+t${t}(x,o));` : `s+=t${t}(x,o);`);
  }
  const source = `"use strict";${trees.join('\n')}\nreturn function margin(x,o){let s=${literal(model.baseMargin)};${sums.join('')}return s;};`;
  try {
    return new Function(source)() as CompiledMargin;
  } catch {
    return undefined;
  }
}
