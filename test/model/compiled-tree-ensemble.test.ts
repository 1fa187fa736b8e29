import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileTreeEnsemble } from '../../src/model/compiled-tree-ensemble.js';
import { loadModelArtifact } from '../../src/model/artifact-loader.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { marginFunction } from '../../src/model/scorer.js';
import { SplitRule, treeEnsembleMargin, type TreeEnsemble } from '../../src/model/tree-ensemble.js';

/** A small deterministic generator, so a failure names rows that can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Nodes appended to flat arrays, as the loaders lay them out (children after their parent, not adjacent). */
class EnsembleBuilder {
  feature: number[] = [];
  threshold: number[] = [];
  defaultLeft: number[] = [];
  left: number[] = [];
  right: number[] = [];
  value: number[] = [];
  roots: number[] = [];

  private add(): number {
    for (const column of [this.feature, this.threshold, this.defaultLeft, this.left, this.right, this.value]) column.push(0);
    return this.feature.length - 1;
  }

  leaf(value: number): number {
    const n = this.add();
    this.feature[n] = -1;
    this.value[n] = value;
    return n;
  }

  split(feature: number, threshold: number, defaultLeft: boolean, left: () => number, right: () => number): number {
    const n = this.add();
    this.feature[n] = feature;
    this.threshold[n] = threshold;
    this.defaultLeft[n] = defaultLeft ? 1 : 0;
    this.left[n] = left();
    this.right[n] = right();
    return n;
  }

  build(columns: number, baseMargin: number): TreeEnsemble {
    return {
      kind: 'tree-ensemble', columns, baseMargin, roots: Int32Array.from(this.roots), feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold), defaultLeft: Uint8Array.from(this.defaultLeft), left: Int32Array.from(this.left),
      right: Int32Array.from(this.right), value: Float64Array.from(this.value), cover: new Float64Array(this.feature.length),
    };
  }
}

// Thresholds a model really holds: ordinary, negative zero, float32 roundings, huge, tiny, infinite; leaves too.
const THRESHOLDS = [0.5, -0, 0, Math.fround(0.1), 1e-300, -1e300, 3.4028234663852886e38, Infinity, -Infinity, 2.5, 70.35];
const LEAVES = [0.1, -0.25, Math.fround(1 / 3), 1e-17, -0, 5e-324];

function randomEnsemble(seed: number, columns: number, trees: number, depth: number): TreeEnsemble {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const builder = new EnsembleBuilder();
  const grow = (level: number): number => (level === depth || next() < 0.15
    ? builder.leaf(pick(LEAVES) * (1 + next()))
    : builder.split(Math.floor(next() * columns), next() < 0.6 ? pick(THRESHOLDS) : next() * 100 - 50, next() < 0.5, () => grow(level + 1), () => grow(level + 1)));
  for (let t = 0; t < trees; t++) builder.roots.push(grow(0));
  return builder.build(columns, -0.37);
}

/** Rows whose values sit exactly on the ensemble's thresholds, just either side, missing, and extreme. */
function probeRows(model: TreeEnsemble, rows: number, seed: number): Float64Array {
  const next = random(seed);
  const x = new Float64Array(rows * model.columns);
  const cuts = Array.from(model.threshold.filter((_, n) => model.feature[n]! >= 0));
  for (let i = 0; i < x.length; i++) {
    const cut = cuts[Math.floor(next() * cuts.length)]!;
    const u = next();
    x[i] = u < 0.35 ? cut : u < 0.5 ? cut - 1e-9 : u < 0.6 ? cut + 1e-9 : u < 0.75 ? Number.NaN : u < 0.8 ? -0 : u < 0.85 ? Infinity : next() * 200 - 100;
  }
  return x;
}

/** The loop's sum in float32, tree by tree, as the library evaluator adds XGBoost's leaves. */
function float32Margin(model: TreeEnsemble, x: Float64Array, offset: number): number {
  let sum = model.baseMargin;
  for (let t = 0; t < model.roots.length; t++) {
    const one: TreeEnsemble = { ...model, baseMargin: 0, roots: model.roots.subarray(t, t + 1) };
    sum = Math.fround(sum + treeEnsembleMargin(one, x, offset));
  }
  return sum;
}

describe('compiled tree ensembles', () => {
  it('score every probe row bit for bit as the loop does: on thresholds, either side, missing, extreme', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const model = randomEnsemble(seed, 7, 40, 6);
      // More nodes than one generated function holds: the sum is carried across functions.
      assert.ok(model.feature.length > 1000, `${model.feature.length} nodes`);
      const compiled = compileTreeEnsemble(model);
      assert.ok(compiled !== undefined);
      const x = probeRows(model, 2000, seed + 100);
      for (let r = 0; r < 2000; r++) {
        const offset = r * model.columns;
        assert.ok(Object.is(compiled(x, offset), treeEnsembleMargin(model, x, offset)), `seed ${seed}, row ${r}`);
      }
    }
  });

  it('add in float32 tree by tree when asked, as the XGBoost evaluator does', () => {
    const model = randomEnsemble(9, 5, 30, 5);
    const compiled = compileTreeEnsemble(model, true)!;
    const x = probeRows(model, 1000, 19);
    let differs = 0;
    for (let r = 0; r < 1000; r++) {
      const offset = r * model.columns;
      assert.ok(Object.is(compiled(x, offset), float32Margin(model, x, offset)), `row ${r}`);
      if (compiled(x, offset) !== treeEnsembleMargin(model, x, offset)) differs++;
    }
    assert.ok(differs > 0, 'the float32 sums must differ from the float64 ones somewhere, or this test proves nothing');
  });

  it('score the bundled model as the loop does, and are made once per ensemble and arithmetic', () => {
    const { model } = loadModelArtifact(bundledModelDirectory);
    assert.equal(model.kind, 'tree-ensemble');
    if (model.kind !== 'tree-ensemble') return;
    const compiled = compileTreeEnsemble(model)!;
    assert.equal(compileTreeEnsemble(model), compiled);
    assert.notEqual(compileTreeEnsemble(model, true), compiled);
    const x = probeRows(model, 3000, 7);
    for (let r = 0; r < 3000; r++) assert.ok(Object.is(compiled(x, r * model.columns), treeEnsembleMargin(model, x, r * model.columns)), `row ${r}`);
  });

  it('leave ensembles with split rules, of over 25,000 nodes, or with a tree of over 1,000 nodes to the loop', () => {
    const model = randomEnsemble(11, 4, 3, 3);
    const nodes = model.feature.length;
    const rules = { kind: new Uint8Array(nodes).fill(SplitRule.DEFAULT), below: new Float64Array(nodes), setStart: new Int32Array(nodes), setWords: new Int32Array(nodes), sets: new Uint32Array(0) };
    assert.equal(compileTreeEnsemble({ ...model, rules }), undefined);
    const large = randomEnsemble(12, 4, 300, 8);
    assert.ok(large.feature.length > 25_000, `${large.feature.length} nodes`);
    assert.equal(compileTreeEnsemble(large), undefined);
    assert.ok(compileTreeEnsemble(randomEnsemble(13, 4, 200, 6)) !== undefined);
    // One complete tree of depth 10 (2,047 nodes) among small ones: too large for one generated function.
    const builder = new EnsembleBuilder();
    const full = (level: number): number => (level === 10 ? builder.leaf(level / 3) : builder.split(level % 4, level, level % 2 === 0, () => full(level + 1), () => full(level + 1)));
    builder.roots.push(builder.leaf(0.25), full(0), builder.leaf(-0.5));
    const deep = builder.build(4, 0.1);
    assert.equal(compileTreeEnsemble(deep), undefined);
    const margin = marginFunction(deep);
    const x = probeRows(deep, 200, 21);
    for (let r = 0; r < 200; r++) assert.ok(Object.is(margin(x, r * 4), treeEnsembleMargin(deep, x, r * 4)), `row ${r}`);
  });

  it('handle a tree thousands of levels deep (LightGBM grows such chains): compiled or not, the margin is the loop\'s', () => {
    const builder = new EnsembleBuilder();
    // Built from the bottom up (a recursive builder would overflow the stack itself): level k sends x < k left, to a leaf.
    let below = builder.leaf(0.5);
    for (let level = 2999; level >= 0; level--) {
      const deeper = below;
      below = builder.split(0, level, true, () => builder.leaf(level / 7), () => deeper);
    }
    builder.roots.push(below);
    const model = builder.build(1, 0);
    const margin = marginFunction(model);
    for (const v of [-1, 0, 17.5, 1500, 2999, 3000, 1e9, Number.NaN]) {
      assert.ok(Object.is(margin(Float64Array.of(v), 0), treeEnsembleMargin(model, Float64Array.of(v), 0)), `x = ${v}`);
    }
  });

  it('fall back to the loop in a process that forbids code generation from strings', () => {
    const scorer = fileURLToPath(new URL('../../src/model/scorer.js', import.meta.url));
    const loader = fileURLToPath(new URL('../../src/model/artifact-loader.js', import.meta.url));
    const bundled = fileURLToPath(new URL('../../src/model/bundled-model.js', import.meta.url));
    const script = `
      const { marginFunction } = await import(${JSON.stringify(scorer)});
      const { loadModelArtifact } = await import(${JSON.stringify(loader)});
      const { bundledModelDirectory } = await import(${JSON.stringify(bundled)});
      const { model } = loadModelArtifact(bundledModelDirectory);
      process.stdout.write(String(marginFunction(model)(new Float64Array(model.columns), 0)));`;
    const forbidden = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const { model } = loadModelArtifact(bundledModelDirectory);
    assert.equal(Number(forbidden), treeEnsembleMargin(model as TreeEnsemble, new Float64Array(model.columns), 0));
  });
});
