import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { ChurnError } from '../errors.js';
import type { ModelManifest } from '../model/artifact-manifest.js';
import { apiTimeoutMs, defaultTimeoutMs, withRetries, type RetryOptions } from '../sources/download-retries.js';
import { uploadArtifact } from '../sources/mlflow-artifacts.js';
import { nativeFlavorData, nativeMlmodelText } from '../model/mlflow-native-flavor.js';
import { mlflowRequest, type MlflowConnection, type MlflowRequest } from '../sources/mlflow-rest.js';
import type { RoundReport } from './gbdt/gbdt-trainer.js';

/** Where a tracked training goes and what it registers. */
export interface TrackingOptions extends RetryOptions {
  connection: MlflowConnection;
  /** The experiment (created when missing). */
  experiment: string;
  runName?: string;
  /** Registers the logged model under this name (created when missing). */
  registerAs?: string;
  /** Points this alias of the registered model at the new version (needs registerAs). */
  alias?: string;
  /** One line per step, for the person running `train`. */
  say?: (line: string) => void;
}

export interface TrackedRun {
  experimentId: string;
  runId: string;
  /** The run in the MLflow UI. */
  runUrl: string;
  /** `runs:/<run id>/model`: the logged model, servable as MODEL_PATH. */
  modelUri: string;
  registered?: { name: string; version: string; alias?: string };
  /** The MODEL_PATH that serves this training: the alias, else the version, else the run's model. */
  modelPath: string;
}

/** The artifact path of the model folder inside the run (what `runs:/<run>/model` names). */
const MODEL_PATH_IN_RUN = 'model';
/** MLflow's limits per log-batch request. */
const MAX_PARAMS = 100;
const MAX_METRICS = 1000;

interface RunInfo { run_id?: string; experiment_id?: string; artifact_uri?: string }

/**
 * One training as an MLflow run, through the REST API of the tracking server: parameters (hyper-parameters, data,
 * split), metrics (test and validation, and the per-round losses as metric history), the data set as the run's input
 * with its sha256, the model card as the run's description, and the native artifact logged as an MLflow model folder
 * (flavour churn_predictor), optionally registered as a new model version and aliased. Files go through the tracking
 * server's artifact proxy (`mlflow server --serve-artifacts`, the default). Works with MLflow 2 and 3 servers.
 */
export class MlflowRunLogger {
  private run: Required<RunInfo> | undefined;

  constructor(private readonly options: TrackingOptions) {}

  private call<T>(path: string, request: Omit<MlflowRequest, 'timeoutMs'>): Promise<T> {
    return withRetries(`MLflow ${path}`, this.options, () =>
      mlflowRequest<T>(this.options.connection, `mlflow/${path}`, { timeoutMs: apiTimeoutMs(this.options), notFoundCode: 'TRACKING_FAILED', ...request }), 'TRACKING_FAILED');
  }

  /** A lookup that may find nothing: undefined then, instead of an error. */
  private async lookup<T>(path: string, query: Record<string, string>): Promise<T | undefined> {
    try {
      return await this.call<T>(path, { query, notFoundCode: 'MODEL_NOT_IN_REGISTRY' });
    } catch (error) {
      if (error instanceof ChurnError && error.code === 'MODEL_NOT_IN_REGISTRY') return undefined;
      throw error;
    }
  }

  private say(line: string): void {
    this.options.say?.(line);
  }

  /** Creates the run (and the experiment when it does not exist yet); call before training so the run's times are the training's. */
  async start(description: { dataFile: string; startedAt: Date }): Promise<void> {
    const experimentId = await this.experimentId(this.options.experiment);
    const tags = [
      { key: 'mlflow.source.name', value: 'churn-predictor train' },
      { key: 'mlflow.source.type', value: 'LOCAL' },
      { key: 'mlflow.user', value: safeUser() },
      ...(this.options.runName === undefined ? [] : [{ key: 'mlflow.runName', value: this.options.runName }]),
    ];
    const { run } = await this.call<{ run?: { info?: RunInfo } }>('runs/create', {
      method: 'POST', body: { experiment_id: experimentId, user_id: safeUser(), start_time: description.startedAt.getTime(), ...(this.options.runName === undefined ? {} : { run_name: this.options.runName }), tags },
    });
    const info = run?.info;
    if (typeof info?.run_id !== 'string' || typeof info.artifact_uri !== 'string') throw new ChurnError('TRACKING_FAILED', 'MLFLOW_TRACKING_URI: the tracking server created a run without an id or artifact location');
    this.run = { run_id: info.run_id, experiment_id: experimentId, artifact_uri: info.artifact_uri };
    this.say(`mlflow: run ${info.run_id} in experiment "${this.options.experiment}" (${this.runUrl()})`);
  }

  private runUrl(): string {
    const { run_id: runId, experiment_id: experimentId } = this.started();
    return `${this.options.connection.trackingUri.replace(/\/+$/, '')}/#/experiments/${experimentId}/runs/${runId}`;
  }

  private started(): Required<RunInfo> {
    if (this.run === undefined) throw new Error('MlflowRunLogger.start() was not called');
    return this.run;
  }

  private async experimentId(name: string): Promise<string> {
    const found = await this.lookup<{ experiment?: { experiment_id?: string; lifecycle_stage?: string } }>('experiments/get-by-name', { experiment_name: name });
    if (found?.experiment?.lifecycle_stage === 'deleted') throw new ChurnError('INVALID_ARGUMENT', `--experiment "${name}" is deleted in MLflow: restore it or choose another name`);
    if (typeof found?.experiment?.experiment_id === 'string') return found.experiment.experiment_id;
    // MLflow 3 records what an experiment is for: this one trains models (not GenAI traces).
    const created = await this.call<{ experiment_id?: string }>('experiments/create', { method: 'POST', body: { name, tags: [{ key: 'mlflow.experimentKind', value: 'custom_model_development' }] } });
    if (typeof created.experiment_id !== 'string') throw new ChurnError('TRACKING_FAILED', 'MLFLOW_TRACKING_URI: the tracking server created an experiment without an id');
    this.say(`mlflow: created experiment "${name}"`);
    return created.experiment_id;
  }

  /** Parameters, metrics (with the per-round history), the data set and the model card of a finished training. */
  async logTraining(manifest: ModelManifest, dataFile: string, history: readonly RoundReport[], modelCard: string): Promise<void> {
    const { run_id: runId } = this.started();
    const { training, metrics } = manifest;
    const params: Record<string, string | number> = {
      algorithm: manifest.algorithm,
      ...manifest.hyperParameters,
      'model.name': manifest.name,
      'model.version': manifest.version,
      'data.file': training.data.file,
      'data.sha256': training.data.sha256,
      'data.rows': training.data.rows,
      'data.positives': training.data.positives,
      'split.trainRows': training.split.trainRows,
      'split.validationRows': training.split.validationRows,
      'split.testRows': training.split.testRows,
      'iterations.kept': training.iterations.kept,
      'iterations.run': training.iterations.run,
    };
    const at = Date.now();
    const test = metrics.test;
    const finals: Record<string, number> = {
      'test.rocAuc': test.rocAuc, 'test.prAuc': test.prAuc, 'test.logLoss': test.logLoss, 'test.brierScore': test.brierScore,
      'test.accuracy': test.atThreshold.accuracy, 'test.precision': test.atThreshold.precision, 'test.recall': test.atThreshold.recall, 'test.f1': test.atThreshold.f1,
      'validation.rocAuc': metrics.validation.rocAuc, 'validation.logLoss': metrics.validation.logLoss, threshold: manifest.threshold.value,
    };
    const metricList = [
      ...Object.entries(finals).map(([key, value]) => ({ key, value, timestamp: at, step: 0 })),
      // The learning curves: one point per boosting round, which the MLflow UI charts.
      ...history.flatMap((r) => [
        { key: 'train.loss', value: r.trainLoss, timestamp: at, step: r.round },
        { key: 'validation.loss', value: r.validLoss, timestamp: at, step: r.round },
        { key: 'validation.auc', value: r.validAuc, timestamp: at, step: r.round },
      ]),
    ].filter((m) => Number.isFinite(m.value));
    const paramList = Object.entries(params).map(([key, value]) => ({ key, value: String(value) }));
    for (let i = 0; i < Math.max(paramList.length, metricList.length); i += MAX_METRICS) {
      await this.call('runs/log-batch', {
        method: 'POST',
        body: {
          run_id: runId,
          params: i === 0 ? paramList.slice(0, MAX_PARAMS) : [],
          metrics: metricList.slice(i, i + MAX_METRICS),
          tags: i === 0 ? [{ key: 'mlflow.note.content', value: `\`\`\`\n${modelCard}\n\`\`\`` }, { key: 'data.sha256', value: training.data.sha256 }] : [],
        },
      });
    }
    // The data set as the run's input (MLflow's Datasets): name, source and digest, which the UI lists with the run.
    await this.call('runs/log-inputs', {
      method: 'POST',
      body: {
        run_id: runId,
        datasets: [{
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: {
            name: training.data.file,
            // MLflow keeps digests of up to 36 characters; the whole sha256 is the data.sha256 parameter and tag.
            digest: training.data.sha256.slice(0, 36),
            source_type: 'local',
            source: JSON.stringify({ uri: `file://${resolve(dataFile)}` }),
            profile: JSON.stringify({ num_rows: training.data.rows, positives: training.data.positives, sha256: training.data.sha256 }),
          },
        }],
      },
    });
    this.say(`mlflow: logged ${paramList.length} parameters, ${metricList.length} metric points and the data set (sha256 ${training.data.sha256.slice(0, 12)}…)`);
  }

  /** Uploads the artifact folder as the run's MLflow model (`runs:/<run>/model`): MLmodel plus artifact/. */
  async logModel(manifest: ModelManifest, artifactDirectory: string): Promise<string> {
    const { run_id: runId, artifact_uri: artifactUri } = this.started();
    const files: [string, Buffer][] = [
      ['MLmodel', Buffer.from(nativeMlmodelText(manifest, { runId, artifactPath: MODEL_PATH_IN_RUN, modelUuid: randomUUID().replaceAll('-', ''), createdAt: new Date() }))],
      [`${nativeFlavorData}/manifest.json`, readFileSync(join(artifactDirectory, 'manifest.json'))],
      [`${nativeFlavorData}/${manifest.payload.file}`, readFileSync(join(artifactDirectory, manifest.payload.file))],
    ];
    let bytes = 0;
    for (const [path, body] of files) {
      await withRetries(`${artifactUri}/${MODEL_PATH_IN_RUN}/${path}`, this.options, () =>
        uploadArtifact(artifactUri, this.options.connection, `${MODEL_PATH_IN_RUN}/${path}`, body, this.options.timeoutMs ?? defaultTimeoutMs), 'TRACKING_FAILED');
      bytes += body.length;
    }
    // MLflow 2's UI lists a run's models from this tag.
    await this.call('runs/set-tag', {
      method: 'POST',
      body: { run_id: runId, key: 'mlflow.log-model.history', value: JSON.stringify([{ run_id: runId, artifact_path: MODEL_PATH_IN_RUN, utc_time_created: new Date().toISOString(), flavors: { churn_predictor: {} } }]) },
    });
    this.say(`mlflow: logged the model (${files.length} files, ${bytes} bytes) as runs:/${runId}/${MODEL_PATH_IN_RUN}`);
    return `${artifactUri.replace(/\/+$/, '')}/${MODEL_PATH_IN_RUN}`;
  }

  /** Registers the logged model as a new version (waiting until it is READY) and moves the alias to it. */
  async register(name: string, source: string, alias?: string): Promise<{ name: string; version: string; alias?: string }> {
    const { run_id: runId } = this.started();
    // An existing registered model gets a new version.
    if (await this.lookup('registered-models/get', { name }) === undefined) {
      await this.call('registered-models/create', { method: 'POST', body: { name } });
      this.say(`mlflow: created registered model "${name}"`);
    }
    const created = await this.call<{ model_version?: { version?: string; status?: string } }>('model-versions/create', {
      method: 'POST', body: { name, source, run_id: runId, description: `churn-predictor train, run ${runId}` },
    });
    const version = created.model_version?.version;
    if (typeof version !== 'string') throw new ChurnError('TRACKING_FAILED', `MLFLOW_TRACKING_URI: registering "${name}" returned no version`);
    let status = created.model_version?.status;
    for (let wait = 100; status === 'PENDING_REGISTRATION'; wait = Math.min(wait * 2, 2000)) {
      await new Promise((r) => setTimeout(r, wait));
      status = (await this.call<{ model_version?: { status?: string } }>('model-versions/get', { query: { name, version } })).model_version?.status;
    }
    if (status === 'FAILED_REGISTRATION') throw new ChurnError('TRACKING_FAILED', `MLFLOW_TRACKING_URI: version ${version} of "${name}" failed to register`);
    this.say(`mlflow: registered "${name}" version ${version}`);
    if (alias !== undefined) {
      await this.call('registered-models/alias', { method: 'POST', body: { name, alias, version } });
      this.say(`mlflow: alias "${alias}" of "${name}" now points at version ${version}`);
    }
    return { name, version, ...(alias === undefined ? {} : { alias }) };
  }

  /** Ends the run: FINISHED, or FAILED when training or logging failed. */
  async finish(status: 'FINISHED' | 'FAILED'): Promise<void> {
    if (this.run === undefined) return;
    await this.call('runs/update', { method: 'POST', body: { run_id: this.run.run_id, status, end_time: Date.now() } });
  }

  /** What the run produced, once finished. */
  summary(registered?: { name: string; version: string; alias?: string }): TrackedRun {
    const { run_id: runId, experiment_id: experimentId } = this.started();
    const modelUri = `runs:/${runId}/${MODEL_PATH_IN_RUN}`;
    const modelPath = registered === undefined ? modelUri : registered.alias !== undefined ? `models:/${registered.name}@${registered.alias}` : `models:/${registered.name}/${registered.version}`;
    return { experimentId, runId, runUrl: this.runUrl(), modelUri, ...(registered === undefined ? {} : { registered }), modelPath };
  }
}

/** The OS user for the run's mlflow.user tag, as MLflow's clients record it (none in some containers). */
function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
