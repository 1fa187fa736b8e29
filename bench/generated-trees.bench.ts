/**
 * Tree ensembles scored by generated code (compileTreeEnsemble) against the loop (treeEnsembleMargin): CPU time
 * per 1,000 rows for the bundled model and for ensembles of full random trees of growing size, and what making
 * the code costs (compiling, then the first call, which compiles the generated functions). Its figures set
 * MAX_COMPILED_NODES and NODES_PER_FUNCTION in src/model/compiled-tree-ensemble.ts; an ensemble over the cap shows
 * the loop only.
 *
 * Random rows against random thresholds make every split a coin toss, the worst case for branch prediction; the
 * bundled model's rows are the data file's.
 *
 *   node dist/bench/generated-trees.bench.js
 */
import { readFileSync } from 'node:fs';
import { parseCsvRecords } from '../src/features/csv-records.js';
import { SeededRandom } from '../src/foundation/seeded-random.js';
import { loadModelArtifact } from '../src/model/artifact-loader.js';
import { bundledDataFile, bundledModelDirectory } from '../src/model/bundled-model.js';
import { compileTreeEnsemble } from '../src/model/compiled-tree-ensemble.js';
import { treeEnsembleMargin, type TreeEnsemble } from '../src/model/tree-ensemble.js';
import { cpuMicros, median, reportBench, type BenchRow } from './bench-report.js';

const ROWS = 1000;
const COLUMNS = 45;

/** `trees` full trees of `depth`, on random columns and thresholds in [-1, 1), NaN going either way. */
function randomEnsemble(trees: number, depth: number, seed: number): TreeEnsemble {
  const random = new SeededRandom(seed);
  const perTree = 2 ** (depth + 1) - 1;
  const n = trees * perTree;
  const feature = new Int32Array(n).fill(-1);
  const threshold = new Float64Array(n);
  const defaultLeft = new Uint8Array(n);
  const left = new Int32Array(n).fill(-1);
  const right = new Int32Array(n).fill(-1);
  const value = new Float64Array(n);
  const roots = new Int32Array(trees);
  for (let t = 0; t < trees; t++) {
    const base = t * perTree;
    roots[t] = base;
    // Heap order within the tree: node i's children are 2i+1 and 2i+2; the last level is leaves.
    for (let i = 0; i < perTree; i++) {
      const node = base + i;
      if (2 * i + 1 < perTree) {
        feature[node] = Math.floor(random.next() * COLUMNS);
        threshold[node] = random.next() * 2 - 1;
        defaultLeft[node] = random.next() < 0.5 ? 1 : 0;
        left[node] = base + 2 * i + 1;
        right[node] = base + 2 * i + 2;
      } else {
        value[node] = (random.next() - 0.5) / 10;
      }
    }
  }
  return { kind: 'tree-ensemble', columns: COLUMNS, baseMargin: 0.1, roots, feature, threshold, defaultLeft, left, right, value, cover: new Float64Array(n) };
}

function randomRows(seed: number): Float64Array {
  const random = new SeededRandom(seed);
  return Float64Array.from({ length: ROWS * COLUMNS }, () => (random.next() < 0.05 ? Number.NaN : random.next() * 2 - 1));
}

/** CPU microseconds per 1,000 rows of scoring every row: the median of 9 samples of 5 passes, after 30 passes of warm-up. */
function perThousandRows(margin: (x: Float64Array, offset: number) => number, x: Float64Array, columns: number, rows: number): number {
  let sink = 0;
  const all = (): void => { for (let r = 0; r < rows; r++) sink += margin(x, r * columns); };
  for (let i = 0; i < 30; i++) all();
  const samples: number[] = [];
  for (let s = 0; s < 9; s++) samples.push(cpuMicros(() => { for (let i = 0; i < 5; i++) all(); }) / 5);
  if (Number.isNaN(sink)) throw new Error('NaN margin');
  return (median(samples) * 1000) / rows;
}

interface Case { name: string; model: TreeEnsemble; x: Float64Array; rows: number }

function bundledCase(): Case {
  const loaded = loadModelArtifact(bundledModelDirectory);
  if (loaded.model.kind !== 'tree-ensemble') throw new Error('the bundled model is not a tree ensemble');
  const records = parseCsvRecords(readFileSync(bundledDataFile, 'utf8'), loaded.manifest.schema).records.slice(0, ROWS);
  const width = loaded.encoder.width;
  const x = new Float64Array(records.length * width);
  records.forEach((record, r) => loaded.encoder.encode(record, x, r * width));
  return { name: 'bundled model', model: loaded.model, x, rows: records.length };
}

function main(): void {
  const x = randomRows(7);
  const cases: Case[] = [
    bundledCase(),
    ...([[62, 6], [125, 6], [160, 6], [190, 6], [250, 6], [300, 8]] as const).map(([trees, depth], i) => ({
      name: `${trees} trees of depth ${depth}`, model: randomEnsemble(trees, depth, 100 + i), x, rows: ROWS,
    })),
  ];
  const rows: BenchRow[] = [];
  for (const c of cases) {
    const nodes = c.model.feature.length;
    const loop = perThousandRows((row, offset) => treeEnsembleMargin(c.model, row, offset), c.x, c.model.columns, c.rows);
    const started = process.hrtime.bigint();
    const compiled = compileTreeEnsemble(c.model);
    const madeMs = Number(process.hrtime.bigint() - started) / 1e6;
    rows.push({ metric: `${c.name} (${nodes} nodes): loop`, value: loop, unit: 'µs/1000 rows' });
    if (compiled === undefined) {
      rows.push({ metric: `${c.name}: generated code`, value: 0, unit: '-', note: 'over the cap: scored by the loop' });
      continue;
    }
    const first = process.hrtime.bigint();
    compiled(c.x, 0);
    const firstMs = Number(process.hrtime.bigint() - first) / 1e6;
    const generated = perThousandRows(compiled, c.x, c.model.columns, c.rows);
    rows.push(
      { metric: `${c.name}: generated code`, value: generated, unit: 'µs/1000 rows', note: `made in ${madeMs.toFixed(1)} ms, first call ${firstMs.toFixed(1)} ms` },
      { metric: `${c.name}: loop / generated`, value: loop / generated, unit: 'x' },
    );
  }
  reportBench({ scenario: 'generated-trees', rows });
}

main();
