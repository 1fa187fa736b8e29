import type { TreeEnsemble } from './tree-ensemble.js';

/**
 * A tree model read from another library's file (src/model/formats/), runtime-agnostic: what it takes, its trees
 * (one TreeEnsemble per output group) and the arithmetic and output transform of the library that trained it, so
 * that tree-model-evaluator.ts answers what the library's own predict() answers.
 */
export type TreeModelFormat = 'xgboost-json' | 'xgboost-ubjson' | 'lightgbm-text';

export type TreeModelTask = 'binary' | 'multiclass' | 'regression';

/** How margins (rows × groups) become what the library's predict() returns. */
export type TreeModelOutput =
  /** The margin itself (regression, binary:logitraw). */
  | { readonly kind: 'identity' }
  /** 1 / (1 + exp(-scale × margin)), per group (binary; LightGBM multiclassova). */
  | { readonly kind: 'sigmoid'; readonly scale: number }
  /** exp(margin) (Poisson, gamma, Tweedie). */
  | { readonly kind: 'exp' }
  /** Softmax over the groups (multi:softprob, LightGBM multiclass). */
  | { readonly kind: 'softmax' }
  /** The index of the largest margin (multi:softmax), first on ties. */
  | { readonly kind: 'class' }
  /** sign(m) × m² (LightGBM's reg_sqrt). */
  | { readonly kind: 'signed-square' }
  /** log(1 + exp(margin)) (LightGBM cross_entropy_lambda). */
  | { readonly kind: 'softplus' };

export interface TreeModelInput {
  readonly name: string;
  /** Split as a category code (XGBoost feature type "c", LightGBM categorical_feature). */
  readonly categorical: boolean;
  /** The category names, code i being categories[i], when the file carries them (LightGBM pandas_categorical, XGBoost >= 3.1). */
  readonly categories?: readonly string[];
}

export interface TreeModel {
  readonly format: TreeModelFormat;
  readonly library: 'xgboost' | 'lightgbm';
  /** The library version that wrote the file ("1.7.6", or LightGBM's model format "v4"). */
  readonly libraryVersion: string;
  /** The objective as the file names it ("binary:logistic", "multiclass", "regression sqrt"...). */
  readonly objective: string;
  readonly task: TreeModelTask;
  readonly columns: number;
  /** The file's own feature names, when it has them. */
  readonly featureNames: readonly string[] | undefined;
  /** One per column; names are the feature names, else f0, f1... (XGBoost) or Column_0... (LightGBM). */
  readonly inputs: readonly TreeModelInput[];
  /** One ensemble per output group (class), each with its base margin. */
  readonly groups: readonly TreeEnsemble[];
  /**
   * 'float32': XGBoost reads inputs as float32, stores float32 thresholds and leaves (the loader rounds them) and
   * sums margins in float32, from the base margin, tree by tree. 'float64': LightGBM reads doubles (values within
   * 1e-35 of zero are zero), sums leaves in double from 0.
   */
  readonly arithmetic: 'float32' | 'float64';
  /**
   * predict() divides margins by this before the output transform: LightGBM random forests average their
   * iterations (average_output). 1 otherwise. Raw scores and contributions stay sums, as LightGBM gives them.
   */
  readonly averageOver: number;
  readonly output: TreeModelOutput;
}
