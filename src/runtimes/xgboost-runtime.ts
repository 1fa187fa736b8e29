import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ChurnError } from '../errors.js';
import { TreeShap } from '../explain/tree-shap.js';
import { compileRecordEncoder, type RecordEncoder } from '../features/record-encoder.js';
import { toFloat32Values, xgboostMargins, xgboostPredictions } from '../model/formats/xgboost-evaluator.js';
import { xgboostFromJson, type XGBoostModel } from '../model/formats/xgboost-json.js';
import { treeEnsembleMargin } from '../model/tree-ensemble.js';
import type { Contributions, EncodedRows, ModelDescription, ModelRuntime, ModelTask, RuntimeOutput } from './model-runtime.js';
import { runtimeFeatureSchema } from './runtime-feature-schema.js';
import { readSidecarManifest } from './sidecar-manifest.js';
import type { ReferenceProfile } from '../model/reference-profile.js';

/**
 * An XGBoost JSON model evaluated in-process and synchronously: loading (model/formats/xgboost-json) and
 * evaluating (xgboost-evaluator) stay apart. Its records are its numeric columns, by name.
 */
export class XGBoostRuntime implements ModelRuntime {
  readonly description: ModelDescription;
  readonly encoder: RecordEncoder;
  private shap: TreeShap | undefined;
  /** Binary classifiers: scores one encoded row without allocating. */
  readonly probability?: (x: Float64Array, offset: number) => number;
  /** Single-output models (binary and regression); multi-class contributions would be per class. */
  readonly explain?: (rows: EncodedRows) => Contributions;

  constructor(readonly model: XGBoostModel, options: { name: string; version: string; inputs?: readonly string[]; threshold?: number; referenceProfile?: ReferenceProfile }) {
    const names = options.inputs ?? model.featureNames ?? Array.from({ length: model.columns }, (_, i) => `f${i}`);
    if (names.length !== model.columns) {
      throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `the manifest names ${names.length} inputs, the XGBoost model reads ${model.columns} columns`);
    }
    const k = model.groups.length;
    const task: ModelTask = model.objective.startsWith('multi:') ? 'multiclass' : model.objective === 'binary:logistic' ? 'binary' : 'regression';
    const schema = runtimeFeatureSchema(options.name, options.version, names.map((name) => ({ name, type: 'number' as const })));
    this.encoder = compileRecordEncoder(schema);
    this.description = {
      name: options.name, version: options.version, format: 'xgboost-json', task, schema,
      ...(task === 'binary' ? { threshold: options.threshold ?? 0.5, positiveProbability: { output: 'probability', column: 0 } } : {}),
      ...(options.referenceProfile === undefined ? {} : { referenceProfile: options.referenceProfile }),
      outputs: task === 'regression'
        ? [{ name: 'prediction', datatype: 'FP64', width: 1 }]
        : task === 'binary'
          ? [{ name: 'probability', datatype: 'FP64', width: 1 }]
          : [{ name: 'probability', datatype: 'FP64', width: k }, { name: 'label', datatype: 'INT64', width: 1 }],
      card: { objective: model.objective, trees: model.groups.reduce((n, g) => n + g.roots.length, 0) },
    };
    if (task === 'binary') {
      const trees = model.groups[0]!;
      this.probability = (x, offset) => {
        toFloat32Values(x.subarray(offset, offset + model.columns));
        return 1 / (1 + Math.exp(-treeEnsembleMargin(trees, x, offset)));
      };
    }
    if (k === 1) this.explain = (rows) => this.contributions(rows);
  }

  predict({ rows, x }: EncodedRows): RuntimeOutput[] {
    const margins = xgboostMargins(this.model, toFloat32Values(x), rows);
    const k = this.model.groups.length;
    switch (this.description.task) {
      case 'regression':
        return [{ name: 'prediction', datatype: 'FP64', width: 1, data: xgboostPredictions(this.model, margins, rows) }];
      case 'binary':
        return [{ name: 'probability', datatype: 'FP64', width: 1, data: xgboostPredictions(this.model, margins, rows) }];
      case 'multiclass': {
        // multi:softmax predicts only the class; its probabilities are the same softmax softprob applies.
        const probability = xgboostPredictions({ ...this.model, objective: 'multi:softprob' }, margins, rows);
        const label = xgboostPredictions({ ...this.model, objective: 'multi:softmax' }, margins, rows);
        return [
          { name: 'probability', datatype: 'FP64', width: k, data: probability },
          { name: 'label', datatype: 'INT64', width: 1, data: label },
        ];
      }
    }
  }

  private contributions({ rows, x }: EncodedRows): Contributions {
    const columns = this.model.columns;
    const width = columns + 1;
    toFloat32Values(x);
    this.shap ??= new TreeShap(this.model.groups[0]!);
    const data = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) {
      this.shap.explain(x, r * columns, data.subarray(r * width, r * width + columns));
      data[r * width + columns] = this.shap.expectedMargin;
    }
    return { width, data };
  }

  async close(): Promise<void> {}
}

/** Loads `file` (Booster.save_model JSON) and its optional sidecar manifest. */
export function loadXGBoostRuntime(file: string): XGBoostRuntime {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ChurnError('ARTIFACT_NOT_FOUND', `${file}: cannot read (${(cause as Error).message})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new ChurnError('ARTIFACT_CORRUPT', `${file}: not valid JSON, the file may be truncated (${(cause as Error).message})`);
  }
  const sidecar = readSidecarManifest(file);
  return new XGBoostRuntime(xgboostFromJson(file, document), {
    name: sidecar?.name ?? basename(file, extname(file)),
    version: sidecar?.version ?? '1',
    ...(sidecar?.inputs !== undefined ? { inputs: sidecar.inputs } : {}),
    ...(sidecar?.threshold !== undefined ? { threshold: sidecar.threshold } : {}),
    ...(sidecar?.referenceProfile !== undefined ? { referenceProfile: sidecar.referenceProfile } : {}),
  });
}
