import { basename, extname } from 'node:path';
import { ChurnError } from '../../errors.js';
import type { TreeModel } from '../tree-model.js';
import { treeModelClasses, treeModelClassProbabilities, treeModelContributions, treeModelMargins, treeModelOutputs } from '../tree-model-evaluator.js';
import { treeModelMatrix } from '../tree-model-records.js';
import type { ModelRuntime, RuntimeDescription, RuntimeInput, RuntimeOutput } from './model-runtime.js';
import { readSidecarManifest } from './sidecar-manifest.js';

export interface TreeModelRuntimeOptions {
  name: string;
  version: string;
  /** Input names in model order, overriding the file's (sidecar manifest). */
  inputs?: readonly string[];
  threshold?: number;
}

/**
 * A tree model from another library (XGBoost, LightGBM) evaluated in-process: src/model/formats reads it,
 * src/model/tree-model-evaluator.ts scores and explains it as the library does; this class only adapts them to
 * the runtime interface.
 */
export class TreeModelRuntime implements ModelRuntime {
  readonly description: RuntimeDescription;
  private readonly names: readonly string[];
  private readonly threshold: number;
  /** Present for single-output models (binary and regression); multi-class contributions are per class. */
  readonly explain?: (records: readonly unknown[]) => Promise<RuntimeOutput>;

  constructor(readonly model: TreeModel, options: TreeModelRuntimeOptions) {
    const names = options.inputs ?? model.inputs.map((i) => i.name);
    if (names.length !== model.columns) {
      throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `the manifest names ${names.length} inputs, the ${model.library} model reads ${model.columns} columns`);
    }
    this.names = names;
    this.threshold = options.threshold ?? 0.5;
    if (model.groups.length === 1) this.explain = (records) => this.contributions(records);
    const task = model.task;
    const inputs = names.map((name, c): RuntimeInput => {
      const categories = model.inputs[c]!.categories;
      return categories !== undefined ? { name, type: 'category', categories } : { name, type: 'number' };
    });
    this.description = {
      name: options.name, version: options.version, format: model.format, task,
      ...(task === 'binary' ? { threshold: this.threshold, positiveProbability: { output: 'probability', column: 0 } } : {}),
      inputs,
      outputs: task === 'regression'
        ? [{ name: 'prediction', datatype: 'FP64', width: 1 }]
        : [{ name: 'probability', datatype: 'FP64', width: model.groups.length }, { name: 'label', datatype: 'INT64', width: 1 }],
    };
  }

  async predict(records: readonly unknown[]): Promise<RuntimeOutput[]> {
    const rows = records.length;
    const margins = treeModelMargins(this.model, treeModelMatrix(this.model, records, this.names), rows);
    switch (this.description.task) {
      case 'regression':
        return [{ name: 'prediction', datatype: 'FP64', width: 1, data: treeModelOutputs(this.model, margins, rows) }];
      case 'binary': {
        const probability = treeModelOutputs(this.model, margins, rows);
        return [
          { name: 'probability', datatype: 'FP64', width: 1, data: probability },
          { name: 'label', datatype: 'INT64', width: 1, data: probability.map((p) => (p >= this.threshold ? 1 : 0)) },
        ];
      }
      case 'multiclass':
        return [
          { name: 'probability', datatype: 'FP64', width: this.model.groups.length, data: treeModelClassProbabilities(this.model, margins, rows) },
          { name: 'label', datatype: 'INT64', width: 1, data: treeModelClasses(this.model, margins, rows) },
        ];
    }
  }

  private async contributions(records: readonly unknown[]): Promise<RuntimeOutput> {
    const data = treeModelContributions(this.model, treeModelMatrix(this.model, records, this.names), records.length);
    return { name: 'contributions', datatype: 'FP64', width: this.model.columns + 1, data };
  }

  async close(): Promise<void> {}
}

/** The runtime options for a model file: its sidecar manifest's, else the file's stem as name, version "1". */
export function treeModelRuntimeOptions(file: string): TreeModelRuntimeOptions {
  const sidecar = readSidecarManifest(file);
  return {
    name: sidecar?.name ?? basename(file, extname(file)),
    version: sidecar?.version ?? '1',
    ...(sidecar?.inputs !== undefined ? { inputs: sidecar.inputs } : {}),
    ...(sidecar?.threshold !== undefined ? { threshold: sidecar.threshold } : {}),
  };
}
