import { ChurnError } from '../../errors.js';
import { SplitRule, type SplitRules, type TreeEnsemble } from '../tree-ensemble.js';

/** One node of a tree as a model file describes it, in the terms of the in-memory form (see TreeEnsemble). */
export type SourceNode =
  | { readonly leaf: true; readonly value: number; readonly cover: number }
  | {
    readonly leaf: false;
    readonly feature: number;
    readonly cover: number;
    /** Node ids (in the file's numbering) of the children. */
    readonly left: number;
    readonly right: number;
    readonly defaultLeft: boolean;
    readonly split:
      /** x < threshold goes left (LightGBM's x <= t is given as x < the next double above t). */
      | { readonly kind: 'threshold'; readonly threshold: number }
      /** LightGBM missing_type Zero: NaN and 0 take the default side, else x < below goes left. */
      | { readonly kind: 'zero-is-missing'; readonly below: number }
      /** A category set as a bitset over codes; `inSetGoes` is the side its members take. */
      | { readonly kind: 'category-set'; readonly inSetGoes: 'left' | 'right'; readonly bits: ArrayLike<number> };
  };

/**
 * Collects the trees of one output group into a TreeEnsemble. Each tree is laid out in preorder from its root,
 * which drops unreachable (pruned) nodes and puts every child after its parent; a node reached twice or a child
 * out of range is ARTIFACT_CORRUPT naming the file and the tree.
 */
export class TreeEnsembleBuilder {
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly defaultLeft: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly value: number[] = [];
  private readonly cover: number[] = [];
  private readonly roots: number[] = [];
  private readonly rule: number[] = [];
  private readonly below: number[] = [];
  private readonly setStart: number[] = [];
  private readonly setWords: number[] = [];
  private readonly sets: number[] = [];
  private hasRules = false;

  constructor(private readonly file: string, private readonly columns: number) {}

  /** Appends the tree whose nodes are ids 0 .. nodes - 1 (root `root`), read through `node`. */
  addTree(tree: string, nodes: number, root: number, node: (id: number) => SourceNode): void {
    const fail = (problem: string): never => { throw new ChurnError('ARTIFACT_CORRUPT', `${this.file}: ${tree}: ${problem}`); };
    const visited = new Uint8Array(nodes);
    this.roots.push(this.feature.length);
    // An explicit stack, so a degenerate deep tree cannot overflow the call stack.
    const pending: { id: number; parent: number; side: 'left' | 'right' | 'root' }[] = [{ id: root, parent: -1, side: 'root' }];
    while (pending.length > 0) {
      const { id, parent, side } = pending.pop()!;
      if (!(Number.isInteger(id) && id >= 0 && id < nodes)) fail(`node ${id} is out of range (the tree has ${nodes})`);
      if (visited[id] === 1) fail(`node ${id} is reached twice`);
      visited[id] = 1;
      const at = this.feature.length;
      if (side === 'left') this.left[parent] = at;
      else if (side === 'right') this.right[parent] = at;
      const n = node(id);
      if (!Number.isFinite(n.cover)) fail(`node ${id} has no finite cover`);
      this.cover.push(n.cover);
      this.left.push(-1);
      this.right.push(-1);
      this.below.push(0);
      this.setStart.push(0);
      this.setWords.push(0);
      if (n.leaf) {
        if (!Number.isFinite(n.value)) fail(`leaf ${id} has no finite value`);
        this.feature.push(-1);
        this.threshold.push(0);
        this.defaultLeft.push(0);
        this.value.push(n.value);
        this.rule.push(SplitRule.DEFAULT);
        continue;
      }
      if (!(Number.isInteger(n.feature) && n.feature >= 0 && n.feature < this.columns)) {
        fail(`node ${id} splits on column ${n.feature}, the model has ${this.columns}`);
      }
      this.feature.push(n.feature);
      this.defaultLeft.push(n.defaultLeft ? 1 : 0);
      this.value.push(0);
      const split = n.split;
      if (split.kind === 'threshold') {
        if (Number.isNaN(split.threshold)) fail(`node ${id} has no threshold`);
        this.threshold.push(split.threshold);
        this.rule.push(SplitRule.DEFAULT);
      } else {
        // NaN fails the threshold test both ways, so the evaluators consult the rule.
        this.threshold.push(NaN);
        this.hasRules = true;
        if (split.kind === 'zero-is-missing') {
          this.rule.push(SplitRule.ZERO_IS_MISSING);
          this.below[at] = split.below;
        } else {
          this.rule.push(split.inSetGoes === 'right' ? SplitRule.CATEGORY_SET_RIGHT : SplitRule.CATEGORY_SET_LEFT);
          this.setStart[at] = this.sets.length;
          this.setWords[at] = split.bits.length;
          for (let i = 0; i < split.bits.length; i++) this.sets.push(split.bits[i]! >>> 0);
        }
      }
      // Right pushed first so the left subtree is laid out first (preorder).
      pending.push({ id: n.right, parent: at, side: 'right' }, { id: n.left, parent: at, side: 'left' });
    }
  }

  get trees(): number {
    return this.roots.length;
  }

  build(baseMargin: number): TreeEnsemble {
    let rules: SplitRules | undefined;
    if (this.hasRules) {
      rules = {
        kind: Uint8Array.from(this.rule), below: Float64Array.from(this.below), setStart: Int32Array.from(this.setStart),
        setWords: Int32Array.from(this.setWords), sets: Uint32Array.from(this.sets),
      };
    }
    return {
      kind: 'tree-ensemble', columns: this.columns, baseMargin,
      roots: Int32Array.from(this.roots), feature: Int32Array.from(this.feature), threshold: Float64Array.from(this.threshold),
      defaultLeft: Uint8Array.from(this.defaultLeft), left: Int32Array.from(this.left), right: Int32Array.from(this.right),
      value: Float64Array.from(this.value), cover: Float64Array.from(this.cover),
      ...(rules !== undefined ? { rules } : {}),
    };
  }
}

/** A bitset (32-bit words) with the given category codes (non-negative integers) set. */
export function categoryBitset(codes: ArrayLike<number>): Uint32Array {
  let max = -1;
  for (let i = 0; i < codes.length; i++) max = Math.max(max, codes[i]!);
  if (max < 0) return new Uint32Array(0);
  const bits = new Uint32Array((max >>> 5) + 1);
  for (let i = 0; i < codes.length; i++) bits[codes[i]! >>> 5]! |= 1 << (codes[i]! & 31);
  return bits;
}
