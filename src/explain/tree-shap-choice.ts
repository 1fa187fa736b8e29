import type { TreeEnsemble } from '../model/tree-ensemble.js';
import { LeafTableTreeShap } from './leaf-table-tree-shap.js';
import { TreeShap } from './tree-shap.js';

/** Exact TreeSHAP of one ensemble, whichever algorithm explains it. */
export type EnsembleShap = TreeShap | LeafTableTreeShap;

const built = new WeakMap<TreeEnsemble, EnsembleShap>();

/**
 * The TreeSHAP explainer of an ensemble, built once per ensemble: leaf tables when the trees are shallow enough
 * for them (the default model's are), the recursive algorithm otherwise. Both give the same values.
 */
export function treeShapFor(ensemble: TreeEnsemble): EnsembleShap {
  let shap = built.get(ensemble);
  if (shap === undefined) {
    shap = LeafTableTreeShap.fits(ensemble) ? new LeafTableTreeShap(ensemble) : new TreeShap(ensemble);
    built.set(ensemble, shap);
  }
  return shap;
}
