import { ChurnError } from '../errors.js';
import { DownloadFailure } from './download-failure.js';
import { apiTimeoutMs, withRetries, type RetryOptions } from './download-retries.js';
import { mlflowRequest, type MlflowConnection } from './mlflow-rest.js';
import { mlflowUriOf, type MlflowReference } from './mlflow-uri.js';
import type { MlflowProvenance } from './model-provenance.js';

/** A model version as the registry REST API returns it (the fields read here). */
interface ModelVersion {
  name?: string;
  version?: string;
  source?: string;
  run_id?: string;
  status?: string;
}

interface LoggedModel {
  info?: { model_id?: string; name?: string; artifact_uri?: string; source_run_id?: string };
}

interface Run {
  info?: { artifact_uri?: string };
  outputs?: { model_outputs?: { model_id?: string }[] };
}

/** What a reference resolved to: where the model's files are, and what the registry said about them. */
export interface ResolvedMlflowModel {
  readonly artifactUri: string;
  readonly provenance: MlflowProvenance;
}

/**
 * The read side of the MLflow REST API that turns a `models:/` or `runs:/` reference into an artifact location:
 * registered-model aliases, model versions and their download URIs, latest versions, runs and MLflow 3 logged
 * models. Every call takes the retry policy; errors name MODEL_PATH (`source`) and what to fix.
 */
export class MlflowRegistryClient {
  constructor(readonly connection: MlflowConnection, private readonly options: RetryOptions = {}) {}

  /** Resolves the reference to its artifact URI and provenance (two or three calls). */
  async resolve(reference: MlflowReference): Promise<ResolvedMlflowModel> {
    const source = `MODEL_PATH ${mlflowUriOf(reference)}`;
    const trackingUri = this.connection.trackingUri;
    if (reference.kind === 'logged-model') {
      const model = await this.loggedModel(source, reference.modelId);
      return { artifactUri: model.artifactUri, provenance: { trackingUri, modelId: reference.modelId, ...(model.runId === undefined ? {} : { runId: model.runId }), artifactUri: model.artifactUri } };
    }
    if (reference.kind === 'run') return this.resolveRun(source, reference.runId, reference.path);
    const version = await this.step(source, () => this.versionOf(reference, apiTimeoutMs(this.options)));
    const { artifact_uri: artifactUri } = await this.step(source, () => this.call<{ artifact_uri?: string }>('model-versions/get-download-uri', { name: reference.name, version: version.version }));
    if (typeof artifactUri !== 'string' || artifactUri === '') throw this.fail(source, `the registry gives no download URI for version ${version.version} of "${reference.name}"`);
    return {
      artifactUri,
      provenance: {
        trackingUri, registeredModel: reference.name, version: version.version,
        ...(reference.kind === 'alias' ? { alias: reference.alias } : {}),
        ...(reference.kind === 'latest' && reference.stage !== undefined ? { stage: reference.stage } : {}),
        ...(version.runId === undefined ? {} : { runId: version.runId }),
        ...(version.modelId === undefined ? {} : { modelId: version.modelId }),
        artifactUri,
      },
    };
  }

  /**
   * The version a reference names right now, in one call and one attempt: what following an alias (or `latest`)
   * polls. A pinned version answers without a call; runs and logged models never move (undefined).
   */
  async currentVersion(reference: MlflowReference, timeoutMs = 10_000): Promise<{ version: string; runId?: string } | undefined> {
    if (reference.kind === 'logged-model' || reference.kind === 'run') return undefined;
    if (reference.kind === 'version') return { version: reference.version };
    const source = `MODEL_PATH ${mlflowUriOf(reference)}`;
    const version = await withRetries(source, { ...this.options, attempts: 1 }, () => this.versionOf(reference, timeoutMs));
    return { version: version.version, ...(version.runId === undefined ? {} : { runId: version.runId }) };
  }

  private async versionOf(reference: Extract<MlflowReference, { name: string }>, timeoutMs: number): Promise<{ version: string; runId?: string; modelId?: string }> {
    let found: ModelVersion | undefined;
    if (reference.kind === 'version') {
      found = (await this.call<{ model_version?: ModelVersion }>('model-versions/get', { name: reference.name, version: reference.version }, timeoutMs)).model_version;
    } else if (reference.kind === 'alias') {
      found = (await this.call<{ model_version?: ModelVersion }>('registered-models/alias', { name: reference.name, alias: reference.alias }, timeoutMs)).model_version;
    } else {
      const query: Record<string, string> = { name: reference.name, ...(reference.stage === undefined ? {} : { stages: reference.stage }) };
      const versions = (await this.call<{ model_versions?: ModelVersion[] }>('registered-models/get-latest-versions', query, timeoutMs)).model_versions ?? [];
      // One latest version per stage: the newest of them is the model's latest (as MLflow's client picks it).
      found = versions.reduce<ModelVersion | undefined>((best, v) => (best === undefined || Number(v.version) > Number(best.version) ? v : best), undefined);
      if (found === undefined) {
        throw new DownloadFailure(`registered model "${reference.name}" has no version${reference.stage === undefined ? '' : ` in stage "${reference.stage}"`}`, true, true, 'MODEL_NOT_IN_REGISTRY');
      }
    }
    if (found === undefined || typeof found.version !== 'string') throw new DownloadFailure('the registry answered without a model version', true);
    if (found.status === 'PENDING_REGISTRATION') throw new DownloadFailure(`version ${found.version} of "${reference.name}" is still being registered`, false);
    if (found.status === 'FAILED_REGISTRATION') throw new DownloadFailure(`version ${found.version} of "${reference.name}" failed to register`, true, false, 'MODEL_NOT_IN_REGISTRY');
    const modelId = /^models:\/(m-[^/]+)$/.exec(found.source ?? '')?.[1];
    return {
      version: found.version,
      ...(found.run_id === undefined || found.run_id === '' ? {} : { runId: found.run_id }),
      ...(modelId === undefined ? {} : { modelId }),
    };
  }

  /**
   * `runs:/<run>/<path>`: MLflow 3 keeps a model logged in a run as a logged model of that name (the run's
   * outputs), MLflow 2 as run artifacts; the logged model wins, as in MLflow's own client.
   */
  private async resolveRun(source: string, runId: string, path: string): Promise<ResolvedMlflowModel> {
    const trackingUri = this.connection.trackingUri;
    const run = await this.step(source, () => this.call<{ run?: Run }>('runs/get', { run_id: runId }));
    const [first, ...rest] = path.split('/');
    for (const output of run.run?.outputs?.model_outputs ?? []) {
      if (typeof output.model_id !== 'string') continue;
      const model = await this.loggedModel(source, output.model_id);
      if (model.name !== first) continue;
      const artifactUri = [model.artifactUri.replace(/\/+$/, ''), ...rest].join('/');
      return { artifactUri, provenance: { trackingUri, runId, modelId: output.model_id, artifactUri } };
    }
    const root = run.run?.info?.artifact_uri;
    if (typeof root !== 'string' || root === '') throw this.fail(source, `run ${runId} has no artifact location`);
    const artifactUri = `${root.replace(/\/+$/, '')}/${path}`;
    return { artifactUri, provenance: { trackingUri, runId, artifactUri } };
  }

  private async loggedModel(source: string, modelId: string): Promise<{ name: string | undefined; artifactUri: string; runId: string | undefined }> {
    const { model } = await this.step(source, () => this.call<{ model?: LoggedModel }>(`logged-models/${encodeURIComponent(modelId)}`, {}));
    const artifactUri = model?.info?.artifact_uri;
    if (typeof artifactUri !== 'string' || artifactUri === '') throw this.fail(source, `logged model ${modelId} has no artifact location`);
    return { name: model?.info?.name, artifactUri, runId: model?.info?.source_run_id || undefined };
  }

  private call<T>(path: string, query: Record<string, string>, timeoutMs = apiTimeoutMs(this.options)): Promise<T> {
    return mlflowRequest<T>(this.connection, `mlflow/${path}`, { query, timeoutMs });
  }

  private step<T>(source: string, attempt: () => Promise<T>): Promise<T> {
    return withRetries(source, this.options, attempt);
  }

  /** A problem with what the server answered, as the error start-up stops with. */
  private fail(source: string, problem: string): ChurnError {
    return new ChurnError('MODEL_FETCH_FAILED', `${source}: ${problem}`);
  }
}
