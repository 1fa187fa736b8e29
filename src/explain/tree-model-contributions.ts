import type { TreeModel } from '../model/tree-model.js';
import { libraryInputs } from '../model/tree-model-evaluator.js';
import { treeShapFor } from './tree-shap-choice.js';

/**
 * Exact TreeSHAP contributions to the margin of a TreeModel (XGBoost, LightGBM), rows × groups × (columns + 1),
 * the bias (expected margin) last in each group: XGBoost's pred_contribs=True, LightGBM's pred_contrib=True
 * (which lays the groups side by side, the same order). The trees decide as in treeModelMargins, so each group's
 * values add up to its margin.
 */
export function treeModelContributions(model: TreeModel, x: Float64Array, rows: number): Float64Array {
  const input = libraryInputs(model, x);
  const { groups, columns } = model;
  const k = groups.length;
  const width = columns + 1;
  const out = new Float64Array(rows * k * width);
  for (let g = 0; g < k; g++) {
    const shap = treeShapFor(groups[g]!);
    for (let r = 0; r < rows; r++) {
      const at = (r * k + g) * width;
      shap.explain(input, r * columns, out.subarray(at, at + columns));
      out[at + columns] = shap.expectedMargin;
    }
  }
  return out;
}
