import { Explainer } from '../explain/explainer.js';
import type { RecordEncoder } from '../features/record-encoder.js';
import { loadModelArtifact, type LoadedModel } from '../model/artifact-loader.js';
import { links } from '../model/link.js';
import { marginFunction, type MarginFunction } from '../model/scorer.js';
import type { Contributions, EncodedRows, ModelDescription, ModelRuntime, RuntimeOutput } from './model-runtime.js';

/**
 * The project's own artifact (GBDT or logistic regression): evaluated in-process and synchronously, explained
 * exactly (TreeSHAP, linear SHAP) with one-hot columns summed back to their feature.
 */
export class NativeRuntime implements ModelRuntime {
  readonly description: ModelDescription;
  readonly encoder: RecordEncoder;
  private readonly margin: MarginFunction;
  private readonly link: (margin: number) => number;
  private explainer: Explainer | undefined;

  constructor(readonly loaded: LoadedModel) {
    const { manifest } = loaded;
    this.encoder = loaded.encoder;
    this.margin = marginFunction(loaded.model);
    this.link = links[manifest.link];
    this.description = {
      name: manifest.name,
      version: manifest.version,
      format: 'native',
      task: 'binary',
      schema: manifest.schema,
      outputs: [{ name: 'probability', datatype: 'FP64', width: 1 }],
      positiveProbability: { output: 'probability', column: 0 },
      threshold: manifest.threshold.value,
      ...(manifest.referenceProfile === undefined ? {} : { referenceProfile: manifest.referenceProfile }),
      // What GET /model shows beyond the common card: how the model was made and how well it did.
      card: {
        createdAt: manifest.createdAt,
        algorithm: manifest.algorithm,
        hyperParameters: manifest.hyperParameters,
        link: manifest.link,
        thresholdMethod: manifest.threshold.method,
        metrics: manifest.metrics,
        trainingData: manifest.training.data,
        split: manifest.training.split,
        iterations: manifest.training.iterations,
        payloadSha256: manifest.payload.sha256,
      },
    };
  }

  /** Loads and verifies an artifact directory. */
  static open(directory: string): NativeRuntime {
    return new NativeRuntime(loadModelArtifact(directory));
  }

  probability(x: Float64Array, offset: number): number {
    return this.link(this.margin(x, offset));
  }

  predict({ rows, x }: EncodedRows): RuntimeOutput[] {
    const width = this.encoder.width;
    const probability = new Float64Array(rows);
    for (let r = 0; r < rows; r++) probability[r] = this.link(this.margin(x, r * width));
    return [{ name: 'probability', datatype: 'FP64', width: 1, data: probability }];
  }

  explain({ rows, x }: EncodedRows): Contributions {
    this.explainer ??= new Explainer(this.loaded);
    const features = this.description.schema.features.length;
    const width = features + 1;
    const data = new Float64Array(rows * width);
    for (let r = 0; r < rows; r++) {
      this.explainer.featureContributions(x, r * this.encoder.width, data.subarray(r * width, r * width + features));
      data[r * width + features] = this.explainer.baseValue;
    }
    return { width, data };
  }

  async close(): Promise<void> {}
}
