import { links, type LinkName } from './link.js';
import { linearMargin, type LinearModel } from './linear-model.js';
import { compileTreeEnsemble } from './compiled-tree-ensemble.js';
import { treeEnsembleMargin, type TreeEnsemble } from './tree-ensemble.js';

/** Every compact model form an evaluator understands. */
export type CompactModel = TreeEnsemble | LinearModel;

/** Margin (raw score before the link) of one encoded record. */
export type MarginFunction = (x: Float64Array, offset: number) => number;

export function marginFunction(model: CompactModel): MarginFunction {
  switch (model.kind) {
    case 'tree-ensemble':
      return compileTreeEnsemble(model) ?? ((x, offset) => treeEnsembleMargin(model, x, offset));
    case 'linear':
      return (x, offset) => linearMargin(model, x, offset);
  }
}

/** Probabilities for `rows` encoded records laid out row-major in `x`. */
export function scoreMatrix(model: CompactModel, link: LinkName, x: Float64Array, rows: number): Float64Array {
  const margin = marginFunction(model);
  const apply = links[link];
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = apply(margin(x, r * model.columns));
  return out;
}
