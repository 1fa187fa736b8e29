import { basename, extname } from 'node:path';
import { ChurnError } from '../errors.js';
import { compileRecordEncoder, type RecordEncoder } from '../features/record-encoder.js';
import type { FeatureSchema, FeatureSpec } from '../features/schema.js';
import type { ReferenceProfile } from '../model/reference-profile.js';
import type { TreeModel } from '../model/tree-model.js';
import { treeShapFor } from '../explain/tree-shap-choice.js';
import {
  libraryMargins, marginTransform, readAsLibrary, rowMarginFunction, treeModelClasses, treeModelClassProbabilities, treeModelOutputs,
} from '../model/tree-model-evaluator.js';
import type { Contributions, EncodedRows, ModelDescription, ModelRuntime, OutputSpec, RuntimeOutput } from './model-runtime.js';
import { runtimeFeatureSchema, type ModelInput } from './runtime-feature-schema.js';
import { readSidecarManifest } from './sidecar-manifest.js';

export interface TreeModelRuntimeOptions {
  name: string;
  version: string;
  /** Input names in model order, overriding the file's (sidecar manifest). */
  inputs?: readonly string[];
  /** Binary classifiers: the decision threshold of the sidecar manifest. */
  threshold?: number;
  /**
   * The sidecar manifest's feature schema: ranges for numeric inputs, and names for the categories of a
   * categorical input whose file has none (category i is code i). It must name exactly the model's inputs.
   */
  schema?: FeatureSchema;
  /** The sidecar manifest's reference profile, for drift monitoring (`churn-predictor profile`). */
  referenceProfile?: ReferenceProfile;
  /** The model file, for messages. */
  file?: string;
}

/**
 * The largest number XGBoost reads: it takes inputs as float32, and a value that rounds to infinity there is
 * refused by XGBoost itself. This is the double just below FLT_MAX + half its last place (which rounds to even,
 * that is to infinity), so every accepted value rounds to a finite float.
 */
const FLOAT32_READABLE_MAX = 3.4028235677973362e38;

/**
 * Where model column c reads its value in an encoded row: encoded column `at[c]`, a number (`oneHot[c]` 0), or
 * the one-hot columns at[c] .. at[c] + oneHot[c] of a categorical feature, whose category index is the code
 * the library splits on (category names are listed in code order: pandas_categorical, XGBoost's cats).
 * `feature[c]` is the schema feature of column c, where its contribution goes.
 */
interface ColumnPlan {
  readonly at: Int32Array;
  readonly oneHot: Int32Array;
  readonly feature: Int32Array;
  /** Whether schema features are the model's columns in order (no reordering of contributions). */
  readonly inOrder: boolean;
}

/**
 * A tree model from another library (XGBoost JSON/UBJSON, LightGBM text), evaluated in-process and
 * synchronously, exactly as the library's predict(): src/model/formats reads the file, src/model/
 * tree-model-evaluator.ts scores and explains; this class adapts them to the runtime interface. Its schema takes
 * numeric inputs by feature name (missing allowed: trees route it), and categorical inputs by category name when
 * the file carries the names, else by the category code the library splits on.
 */
export class TreeModelRuntime implements ModelRuntime {
  readonly description: ModelDescription;
  readonly encoder: RecordEncoder;
  /** Binary classifiers: the positive class's probability of one encoded row, without allocating. */
  readonly probability?: (x: Float64Array, offset: number) => number;
  /** Single-output models (binary and regression); multi-class contributions would be per class. */
  readonly explain?: (rows: EncodedRows) => Contributions;
  private readonly plan: ColumnPlan;
  /** One row in the model's layout, for probability(). */
  private readonly row: Float64Array;

  constructor(readonly model: TreeModel, options: TreeModelRuntimeOptions) {
    const names = options.inputs ?? model.inputs.map((i) => i.name);
    if (names.length !== model.columns) {
      throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `the manifest names ${names.length} inputs, the ${model.library} model reads ${model.columns} columns`);
    }
    const schema = options.schema === undefined ? treeModelSchema(model, names, options) : checkedSchema(model, names, options.schema, options.file);
    this.encoder = compileRecordEncoder(schema);
    this.plan = columnPlan(this.encoder, names);
    this.row = new Float64Array(model.columns);
    const task = model.task;
    const k = model.groups.length;
    const outputs: OutputSpec[] = task === 'regression'
      ? [{ name: 'prediction', datatype: 'FP64', width: 1 }]
      : task === 'binary'
        ? [{ name: 'probability', datatype: 'FP64', width: 1 }]
        : [{ name: 'probability', datatype: 'FP64', width: k }, { name: 'label', datatype: 'INT64', width: 1 }];
    this.description = {
      name: options.name, version: options.version, format: model.format, task, schema, outputs,
      ...(task === 'binary' ? { positiveProbability: { output: 'probability', column: 0 } } : {}),
      ...(task === 'binary' && options.threshold !== undefined ? { threshold: options.threshold } : {}),
      ...(options.referenceProfile === undefined ? {} : { referenceProfile: options.referenceProfile }),
      // GET /model: which library trained it, how it turns margins into predictions, and its size.
      card: {
        library: model.library,
        libraryVersion: model.libraryVersion,
        objective: model.objective,
        trees: model.groups.reduce((n, g) => n + g.roots.length, 0),
        ...(k > 1 ? { classes: k } : {}),
      },
    };
    if (task === 'binary') {
      const link = marginTransform(model)!;
      const margin = rowMarginFunction(model, 0);
      const row = this.row;
      this.probability = (x, offset) => {
        this.toModelRow(x, offset, row, 0);
        return link(margin(readAsLibrary(model, row), 0));
      };
    }
    if (k === 1) this.explain = (rows) => this.contributions(rows);
  }

  predict({ rows, x }: EncodedRows): RuntimeOutput[] {
    const model = this.model;
    const margins = libraryMargins(model, this.modelMatrix(x, rows), rows);
    switch (this.description.task) {
      case 'regression':
        return [{ name: 'prediction', datatype: 'FP64', width: 1, data: treeModelOutputs(model, margins, rows) }];
      case 'binary':
        return [{ name: 'probability', datatype: 'FP64', width: 1, data: treeModelOutputs(model, margins, rows) }];
      case 'multiclass':
        return [
          // multi:softmax predicts only the class; its probabilities are the softmax multi:softprob applies.
          { name: 'probability', datatype: 'FP64', width: model.groups.length, data: treeModelClassProbabilities(model, margins, rows) },
          { name: 'label', datatype: 'INT64', width: 1, data: treeModelClasses(model, margins, rows) },
        ];
    }
  }

  async close(): Promise<void> {}

  /** Exact TreeSHAP of the one output: one value per schema feature (each is one model column), then the base value. */
  private contributions({ rows, x }: EncodedRows): Contributions {
    const columns = this.model.columns;
    const width = columns + 1;
    const input = this.modelMatrix(x, rows);
    const shap = treeShapFor(this.model.groups[0]!);
    const { feature, inOrder } = this.plan;
    const phi = new Float64Array(columns);
    const data = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) {
      const row = data.subarray(r * width, (r + 1) * width);
      if (inOrder) {
        shap.explain(input, r * columns, row.subarray(0, columns));
      } else {
        phi.fill(0);
        shap.explain(input, r * columns, phi);
        for (let c = 0; c < columns; c++) row[feature[c]!] = phi[c]!;
      }
      row[columns] = shap.expectedMargin;
    }
    return { width, data };
  }

  /** Encoded rows → the model's layout, read as the library reads it (a new matrix: x is the caller's). */
  private modelMatrix(x: Float64Array, rows: number): Float64Array {
    const columns = this.model.columns;
    const width = this.encoder.width;
    const out = new Float64Array(rows * columns);
    for (let r = 0; r < rows; r++) this.toModelRow(x, r * width, out, r * columns);
    return readAsLibrary(this.model, out);
  }

  private toModelRow(x: Float64Array, offset: number, out: Float64Array, outOffset: number): void {
    const { at, oneHot } = this.plan;
    for (let c = 0; c < at.length; c++) {
      const start = offset + at[c]!;
      const count = oneHot[c]!;
      if (count === 0) {
        out[outOffset + c] = x[start]!;
      } else {
        // The encoder accepted exactly one of the categories: its index is the code.
        let code = 0;
        while (code < count && x[start + code] !== 1) code++;
        out[outOffset + c] = code;
      }
    }
  }
}

/**
 * The records a tree model takes, one feature per model column: a number (unbounded for LightGBM; within
 * float32 for XGBoost, which refuses what float32 cannot hold), a category name when the file names the
 * categories, or the category code when it does not.
 */
function treeModelSchema(model: TreeModel, names: readonly string[], options: TreeModelRuntimeOptions): FeatureSchema {
  const inputs: ModelInput[] = names.map((name, c) => {
    const categories = model.inputs[c]!.categories;
    return categories !== undefined && categories.length > 0 ? { name, type: 'category', categories } : { name, type: 'number' };
  });
  const schema = runtimeFeatureSchema(options.name, options.version, inputs);
  const bound = model.arithmetic === 'float32' ? FLOAT32_READABLE_MAX : Number.MAX_VALUE;
  const features = schema.features.map((feature, c): FeatureSpec => {
    if (feature.kind !== 'numeric') return feature;
    const code = model.inputs[c]!.categorical;
    return {
      ...feature, minimum: -bound, maximum: bound,
      ...(code ? { description: `Input "${feature.name}" of the model: a category code (the file names no categories)` } : {}),
    };
  });
  return { ...schema, features };
}

/**
 * A sidecar manifest's schema, checked against the model: the same inputs (in any order), a number for every
 * numeric column, and for a categorical column its code as a number or its categories by name, in code order
 * (those of the file when it names them). XGBoost's float32 limit bounds its numeric ranges.
 */
function checkedSchema(model: TreeModel, names: readonly string[], schema: FeatureSchema, file = 'the model'): FeatureSchema {
  const mismatch = (problem: string): never => { throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `${file}: the manifest's schema ${problem}`); };
  if (schema.features.length !== names.length) mismatch(`has ${schema.features.length} features, the model ${names.length} inputs`);
  const bound = model.arithmetic === 'float32' ? FLOAT32_READABLE_MAX : Number.MAX_VALUE;
  const features = schema.features.map((feature): FeatureSpec => {
    const c = names.indexOf(feature.name);
    if (c < 0) mismatch(`names "${feature.name}", which the model does not take (its inputs: ${names.join(', ')})`);
    const input = model.inputs[c]!;
    if (feature.kind === 'numeric') return { ...feature, minimum: Math.max(feature.minimum, -bound), maximum: Math.min(feature.maximum, bound) };
    if (!input.categorical) mismatch(`makes "${feature.name}" categorical; the model splits it as a number`);
    const named = input.categories;
    if (named !== undefined && (named.length !== feature.categories.length || named.some((name, i) => name !== feature.categories[i]))) {
      mismatch(`lists the categories of "${feature.name}" as ${JSON.stringify(feature.categories)}; the model file has ${JSON.stringify(named)}, in code order`);
    }
    return feature;
  });
  return { ...schema, features };
}

function columnPlan(encoder: RecordEncoder, names: readonly string[]): ColumnPlan {
  const columns = names.length;
  const at = new Int32Array(columns);
  const oneHot = new Int32Array(columns);
  const feature = new Int32Array(columns);
  const features = encoder.schema.features;
  for (let c = 0; c < columns; c++) {
    const f = features.findIndex((spec) => spec.name === names[c]);
    const spec = features[f]!;
    feature[c] = f;
    at[c] = encoder.columns.findIndex((column) => column.feature === f);
    oneHot[c] = spec.kind === 'categorical' ? spec.categories.length : 0;
  }
  return { at, oneHot, feature, inOrder: feature.every((f, c) => f === c) };
}

/** The runtime options for a model file: its sidecar manifest's, else the file's stem as name, version "1". */
export function treeModelRuntimeOptions(file: string): TreeModelRuntimeOptions {
  const sidecar = readSidecarManifest(file);
  return {
    name: sidecar?.name ?? basename(file, extname(file)),
    version: sidecar?.version ?? '1',
    ...(sidecar?.inputs !== undefined ? { inputs: sidecar.inputs } : {}),
    ...(sidecar?.threshold !== undefined ? { threshold: sidecar.threshold } : {}),
    ...(sidecar?.schema !== undefined ? { schema: sidecar.schema } : {}),
    ...(sidecar?.referenceProfile !== undefined ? { referenceProfile: sidecar.referenceProfile } : {}),
    file,
  };
}
