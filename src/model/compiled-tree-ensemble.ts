import { numberLiteral } from '../foundation/number-literal.js';
import type { TreeEnsemble } from './tree-ensemble.js';

/** Margin of the record at x[offset .. offset + columns), as a compiled ensemble computes it. */
export type CompiledMargin = (x: Float64Array, offset: number) => number;

/**
 * Ensembles above this many nodes stay with the loop. Measured by bench/generated-trees on full random trees, every
 * split a coin toss, 1,000 rows (2026-12-02): generated code 2.9x faster than the loop on the bundled model (894
 * nodes), 2.2-2.3x at 7,900 nodes, 1.8-2.1x from 15,900 to 24,100, then no faster at 31,800 (0.88-1.03x): the
 * machine code outgrows the CPU's caches, where the loop reads only the nodes on each row's path.
 */
const MAX_COMPILED_NODES = 25_000;

/**
 * Trees are written inline, as many to a function as fit in this many nodes. One function per tree, the first
 * design, paid a call per tree: V8 inlines few calls into one function (its budget is cumulative), and the calls
 * took 40 % of the bundled model's time. One function for every tree is worse past a few thousand nodes: V8 does
 * not optimize a function of over 60 KB of bytecode, and groups of 3,000 nodes ran 8-10x slower than groups of
 * 2,000. 1,000 keeps well below that edge at a small cost (62 trees of depth 6: 457 against 408 us per 1,000 rows).
 */
const NODES_PER_FUNCTION = 1_000;

// Made once per ensemble, one cache per arithmetic (float64, float32): batches ask on every call.
const compiled = [new WeakMap<TreeEnsemble, CompiledMargin | undefined>(), new WeakMap<TreeEnsemble, CompiledMargin | undefined>()] as const;

/**
 * One tree as nested ifs with every split's feature, threshold and leaf written in as constants, so the engine
 * compiles the tree into branches instead of walking the node arrays. Each node keeps the loop's decision exactly:
 * x < threshold goes left, x >= threshold goes right, and what neither holds for (NaN) goes the default side, so
 * a default-left node is `!(x >= t)` and a default-right one `x < t`. A leaf adds its value to the sum `s` as
 * `add` writes it. Also returns how many nodes the tree has.
 */
function treeSource(model: TreeEnsemble, root: number, add: (leaf: string) => string): { source: string; nodes: number } {
  const { feature, threshold, defaultLeft, left, right, value } = model;
  const out: string[] = [];
  let nodes = 0;
  // An explicit stack, not recursion: LightGBM trees can be hundreds of levels deep.
  const stack: (number | string)[] = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') { out.push(item); continue; }
    nodes++;
    const f = feature[item]!;
    if (f < 0) { out.push(add(numberLiteral(value[item]!))); continue; }
    const v = `x[o+${f}]`;
    const t = numberLiteral(threshold[item]!);
    out.push(defaultLeft[item] === 1 ? `if(!(${v}>=${t})){` : `if(${v}<${t}){`);
    // Popped in reverse: the left subtree, then "}else{", the right subtree, "}".
    stack.push('}', right[item]!, '}else{', left[item]!);
  }
  return { source: out.join(''), nodes };
}

/**
 * The ensemble's margin as generated JavaScript, bit for bit the loop's (treeEnsembleMargin; with `float32`, the
 * library evaluator's float32 sum): the same base, the same tree order, the same additions. About 2.8x faster than
 * the loop on the bundled model. Undefined when the loop must stay: the ensemble has split rules (category sets,
 * zero-as-missing), is large (MAX_COMPILED_NODES), has a tree larger than a function may be (NODES_PER_FUNCTION),
 * or code generation is switched off in this process (--disallow-code-generation-from-strings). Made once per
 * ensemble and arithmetic.
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
  const add = float32 ? (leaf: string) => `s=Math.fround(s+${leaf});` : (leaf: string) => `s+=${leaf};`;
  // Each function takes the sum so far and returns it with its trees' leaves added, in tree order.
  const functions: string[] = [];
  let trees: string[] = [];
  let nodes = 0;
  const close = (): void => {
    functions.push(`function g${functions.length}(x,o,s){${trees.join('\n')}return s;}`);
    trees = [];
    nodes = 0;
  };
  for (let t = 0; t < model.roots.length; t++) {
    const tree = treeSource(model, model.roots[t]!, add);
    if (tree.nodes > NODES_PER_FUNCTION) return undefined;
    if (nodes + tree.nodes > NODES_PER_FUNCTION) close();
    trees.push(`{${tree.source}}`);
    nodes += tree.nodes;
  }
  if (trees.length > 0) close();
  const calls = functions.map((_, g) => `s=g${g}(x,o,s);`).join('');
  const source = `"use strict";${functions.join('\n')}\nreturn function margin(x,o){let s=${numberLiteral(model.baseMargin)};${calls}return s;};`;
  try {
    return new Function(source)() as CompiledMargin;
  } catch {
    return undefined;
  }
}
