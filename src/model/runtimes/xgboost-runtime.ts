import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ChurnError } from '../../errors.js';
import { TreeShap } from '../../explain/tree-shap.js';
import type { ModelRuntime, RuntimeDescription, RuntimeOutput } from './model-runtime.js';
import { numericMatrix } from './numeric-records.js';
import { readSidecarManifest } from './sidecar-manifest.js';
import type { ReferenceProfile } from '../reference-profile.js';
import { toFloat32Values, xgboostMargins, xgboostPredictions } from './xgboost-evaluator.js';
import { xgboostFromJson, type XGBoostModel } from './xgboost-json.js';

/** An XGBoost JSON model evaluated in-process: loading (xgboost-json) and evaluating (xgboost-evaluator) stay apart. */
export class XGBoostRuntime implements ModelRuntime {
  readonly description: RuntimeDescription;
  private readonly names: readonly string[];
  private readonly threshold: number;
  private shap: TreeShap | undefined;
  /** Present for single-output models (binary and regression); multi-class contributions are per class. */
  readonly explain?: (records: readonly unknown[]) => Promise<RuntimeOutput>;

  constructor(readonly model: XGBoostModel, options: { name: string; version: string; inputs?: readonly string[]; threshold?: number; referenceProfile?: ReferenceProfile }) {
    const names = options.inputs ?? model.featureNames ?? Array.from({ length: model.columns }, (_, i) => `f${i}`);
    if (names.length !== model.columns) {
      throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `the manifest names ${names.length} inputs, the XGBoost model reads ${model.columns} columns`);
    }
    this.names = names;
    this.threshold = options.threshold ?? 0.5;
    if (model.groups.length === 1) this.explain = (records) => this.contributions(records);
    const k = model.groups.length;
    const task = model.objective.startsWith('multi:') ? 'multiclass' : model.objective === 'binary:logistic' ? 'binary' : 'regression';
    this.description = {
      name: options.name, version: options.version, format: 'xgboost-json', task,
      ...(options.referenceProfile === undefined ? {} : { referenceProfile: options.referenceProfile }),
      ...(task === 'binary' ? { threshold: this.threshold, positiveProbability: { output: 'probability', column: 0 } } : {}),
      inputs: names.map((name) => ({ name, type: 'number' as const })),
      outputs: task === 'regression'
        ? [{ name: 'prediction', datatype: 'FP64', width: 1 }]
        : [{ name: 'probability', datatype: 'FP64', width: k }, { name: 'label', datatype: 'INT64', width: 1 }],
    };
  }

  async predict(records: readonly unknown[]): Promise<RuntimeOutput[]> {
    const rows = records.length;
    const x = toFloat32Values(numericMatrix(records, this.names));
    const margins = xgboostMargins(this.model, x, rows);
    const k = this.model.groups.length;
    switch (this.description.task) {
      case 'regression':
        return [{ name: 'prediction', datatype: 'FP64', width: 1, data: xgboostPredictions(this.model, margins, rows) }];
      case 'binary': {
        const probability = xgboostPredictions(this.model, margins, rows);
        return [
          { name: 'probability', datatype: 'FP64', width: 1, data: probability },
          { name: 'label', datatype: 'INT64', width: 1, data: probability.map((p) => (p >= this.threshold ? 1 : 0)) },
        ];
      }
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

  private async contributions(records: readonly unknown[]): Promise<RuntimeOutput> {
    const rows = records.length;
    const columns = this.model.columns;
    const width = columns + 1;
    const x = toFloat32Values(numericMatrix(records, this.names));
    this.shap ??= new TreeShap(this.model.groups[0]!);
    const data = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) {
      this.shap.explain(x, r * columns, data.subarray(r * width, r * width + columns));
      data[r * width + columns] = this.shap.expectedMargin;
    }
    return { name: 'contributions', datatype: 'FP64', width, data };
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
