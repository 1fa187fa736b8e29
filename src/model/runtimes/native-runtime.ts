import { ChurnError, type FieldError } from '../../errors.js';
import type { LoadedModel } from '../artifact-loader.js';
import { Predictor, type PredictorOptions } from '../predictor.js';
import type { ModelRuntime, RuntimeDescription, RuntimeOutput } from './model-runtime.js';

/** The project's own artifact behind the runtime interface: the Predictor does the work. */
export class NativeRuntime implements ModelRuntime {
  readonly description: RuntimeDescription;
  readonly predictor: Predictor;

  constructor(readonly loaded: LoadedModel, options: PredictorOptions = {}) {
    this.predictor = new Predictor(loaded, options);
    const { manifest } = loaded;
    this.description = {
      name: manifest.name,
      version: manifest.version,
      format: 'native',
      task: 'binary',
      threshold: this.predictor.threshold,
      positiveProbability: { output: 'probability', column: 0 },
      inputs: manifest.schema.features.map((f) => (f.kind === 'categorical'
        ? { name: f.name, type: 'category' as const, categories: f.categories }
        : { name: f.name, type: 'number' as const })),
      outputs: [
        { name: 'probability', datatype: 'FP64', width: 1 },
        { name: 'label', datatype: 'BOOL', width: 1 },
      ],
    };
  }

  async predict(records: readonly unknown[]): Promise<RuntimeOutput[]> {
    const { results } = this.predictor.predictBatch(records);
    const probability = new Float64Array(records.length);
    const label = new Float64Array(records.length);
    let errors: FieldError[] | undefined;
    results.forEach((entry, i) => {
      if (!entry.ok) {
        (errors ??= []).push(...entry.errors.map((e) => ({ ...e, path: `/${i}${e.path}` })));
        return;
      }
      probability[i] = entry.churnProbability;
      label[i] = entry.churn ? 1 : 0;
    });
    if (errors !== undefined) throw new ChurnError('INVALID_RECORD', `${errors.length} invalid field(s)`, errors);
    return [
      { name: 'probability', datatype: 'FP64', width: 1, data: probability },
      { name: 'label', datatype: 'BOOL', width: 1, data: label },
    ];
  }

  async explain(records: readonly unknown[]): Promise<RuntimeOutput> {
    const { encoder } = this.loaded;
    const explainer = this.predictor.getExplainer();
    const features = this.description.inputs.length;
    const width = features + 1;
    const data = new Float64Array(records.length * width);
    const x = new Float64Array(encoder.width);
    let errors: FieldError[] | undefined;
    for (let r = 0; r < records.length; r++) {
      const failed = encoder.encode(records[r], x, 0, `/${r}`);
      if (failed !== undefined) {
        (errors ??= []).push(...failed);
        continue;
      }
      // Contributions per input feature (one-hot columns summed back), written in place; base value last.
      explainer.featureContributions(x, 0, data.subarray(r * width, r * width + features));
      data[r * width + features] = explainer.baseValue;
    }
    if (errors !== undefined) throw new ChurnError('INVALID_RECORD', `${errors.length} invalid field(s)`, errors);
    return { name: 'contributions', datatype: 'FP64', width, data };
  }

  async close(): Promise<void> {}
}
