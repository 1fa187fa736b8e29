/**
 * The servers compared, each as a user would run it serving the same XGBoost model: how to prepare and
 * start it (one worker; the harness pins it to one core), when it is ready, and its own protocol: the body
 * of a one-row and of an n-row request, and where the probabilities are in its answer.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelArtifact } from '../../src/model/artifact-loader.js';
import { bundledDataFile, bundledModelDirectory } from '../../src/model/bundled-model.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { serveArguments } from '../../src/foundation/server-launch.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { DataPlane } from '../../src/serving/data-plane.js';
import type { SinglePrediction } from '../../src/serving/predictions.js';
import { peerModelDirectory, peerModelFile, peerModelName, type CheckRows, type RawRecord } from './peer-model.js';
import type { PythonEnvironment } from './python-environments.js';

/** One row as every protocol needs it: the raw record and the encoded vector. */
export interface PeerRow {
  record: RawRecord;
  features: (number | null)[];
}

export interface PeerContext {
  /** A fresh folder for this peer's files in this run. */
  work: string;
  environment: PythonEnvironment | undefined;
  inputs: readonly string[];
  check: CheckRows;
  /** Runs a Python script of the peer's environment, for preparation (training, saving a model). */
  python: (args: string[], env?: Record<string, string>) => void;
}

export interface Launch {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export interface RequestFormat {
  path: string;
  /** The request body for `rows`; `inputs` are the model's input names in order. */
  body: (rows: readonly PeerRow[], inputs: readonly string[]) => unknown;
  probabilities: (answer: unknown) => number[];
}

export interface PeerServer {
  id: string;
  label: string;
  /** The Python environment (bench/peers/<name>/requirements.txt); none for ours. */
  environment?: string;
  /** Distributions whose versions the table prints. */
  versionOf: string[];
  /** What model it serves, when it is not the shared XGBoost model. */
  modelNote?: string;
  /** How its configuration differs from the defaults, and why. */
  configuration: string;
  /** The row whose figures its ratio is taken against. */
  comparedWith: string;
  prepare?: (context: PeerContext) => void;
  launch: (context: PeerContext, port: number, freePorts: number[]) => Launch;
  readyPath: string;
  single: RequestFormat;
  batch: RequestFormat;
  /** The probabilities the check rows must get: the model library's own, computed outside the server. */
  expected: (context: PeerContext) => number[];
}

const peersDirectory = join(packageRoot, 'bench', 'peers');

const missingAsNull = (v: number | null) => (v === null || Number.isNaN(v) ? null : v);
const flat = (rows: readonly PeerRow[]) => rows.flatMap((r) => r.features.map(missingAsNull));
const xgboostExpected = (context: PeerContext) => context.check.rows.map((r) => r.probability);

function field(value: unknown, ...path: (string | number)[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') throw new Error(`answer has no ${path.join('.')}: ${JSON.stringify(value).slice(0, 300)}`);
    at = (at as Record<string | number, unknown>)[key];
  }
  return at;
}

function numbers(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number')) throw new Error(`${what} is not a list of numbers: ${JSON.stringify(value).slice(0, 300)}`);
  return value as number[];
}

/** An Open Inference Protocol (V2) request: the rows as one FP64 [n, inputs] tensor. */
function v2Request(rows: readonly PeerRow[], outputs?: string[]): unknown {
  const width = rows[0]?.features.length ?? 0;
  return {
    inputs: [{ name: 'input-0', shape: [rows.length, width], datatype: 'FP64', data: flat(rows) }],
    ...(outputs === undefined ? {} : { outputs: outputs.map((name) => ({ name })) }),
  };
}

/** The output `name` of a V2 answer (or its only output), flattened. */
function v2Output(answer: unknown, name?: string): { data: number[]; shape: number[] } {
  const outputs = field(answer, 'outputs') as { name: string; shape: number[]; data: unknown }[];
  const output = name === undefined ? outputs[0] : outputs.find((o) => o.name === name);
  if (output === undefined) throw new Error(`V2 answer lacks output ${name ?? '0'}: ${JSON.stringify(answer).slice(0, 300)}`);
  const data = Array.isArray(output.data) ? (output.data as unknown[]).flat(2) : output.data;
  return { data: numbers(data, 'V2 output data'), shape: output.shape };
}

/** The positive class's column of a [n, 2] probability output, or the [n] / [n, 1] output itself. */
function positiveColumn({ data, shape }: { data: number[]; shape: number[] }): number[] {
  return shape.length === 2 && shape[1] === 2 ? data.filter((_, i) => i % 2 === 1) : data;
}

const v2Format = (outputs?: string[], pick: (answer: unknown) => number[] = (a) => positiveColumn(v2Output(a))): RequestFormat => ({
  path: `/v2/models/${peerModelName}/infer`,
  body: (rows) => v2Request(rows, outputs),
  probabilities: pick,
});

const ours = (model: string | undefined): ((context: PeerContext, port: number) => Launch) => (_context, port) => ({
  command: process.execPath,
  args: serveArguments(),
  cwd: packageRoot,
  // No gRPC endpoint: these scenarios are HTTP, and the default GRPC_PORT (8081) may be taken.
  env: { PORT: String(port), GRPC_PORT: '0', HOST: '127.0.0.1', ...(model === undefined ? {} : { MODEL_PATH: model }) },
});

/** Records keyed by the model's input names, as our /predict takes an XGBoost model's inputs. */
const namedInputs = (row: PeerRow, inputs: readonly string[]) => Object.fromEntries(inputs.map((name, i) => [name, missingAsNull(row.features[i]!)]));

/**
 * MLServer with its XGBoost runtime: model-settings.json for the model, settings.json (ports and `settings`) for
 * the server, in the work folder, then `mlserver start` on it.
 */
function mlserver(id: string, label: string, configuration: string, settings: Record<string, unknown>): PeerServer {
  return {
    id,
    label,
    environment: 'mlserver',
    versionOf: ['mlserver', 'mlserver-xgboost', 'xgboost'],
    configuration,
    comparedWith: 'ours-v2',
    prepare: (context) => {
      const model = join(context.work, peerModelName);
      mkdirSync(model, { recursive: true });
      writeFileSync(join(model, 'model-settings.json'), JSON.stringify({
        name: peerModelName, implementation: 'mlserver_xgboost.XGBoostModel', parameters: { uri: peerModelFile, version: '1' },
      }, null, 2));
    },
    launch: (context, port, [grpcPort, metricsPort]) => {
      writeFileSync(join(context.work, 'settings.json'), JSON.stringify({ host: '127.0.0.1', http_port: port, grpc_port: grpcPort, metrics_port: metricsPort, ...settings }, null, 2));
      return { command: join(context.environment!.directory, 'bin', 'mlserver'), args: ['start', context.work], cwd: context.work, env: {} };
    },
    readyPath: `/v2/models/${peerModelName}/ready`,
    // mlserver-xgboost opens a plain booster as an XGBRegressor, whose `predict` (the default output) is the
    // probability of a binary:logistic model; `predict_proba` is only offered for XGBClassifier files.
    single: v2Format(),
    batch: v2Format(),
    expected: xgboostExpected,
  };
}

/** MLflow's scoring protocol: a pandas DataFrame in `split` orientation, columns named as the booster's features. */
const mlflowFormat: RequestFormat = {
  path: '/invocations',
  body: (rows, inputs) => ({ dataframe_split: { columns: inputs, data: rows.map((r) => r.features.map(missingAsNull)) } }),
  probabilities: (answer) => numbers(field(answer, 'predictions'), 'predictions'),
};

export const peerServers: PeerServer[] = [
  {
    id: 'ours',
    label: 'churn-predictor',
    versionOf: ['churn-predictor'],
    configuration: 'defaults (LOG_LEVEL=info: every error and slow request logged, 1 % of the rest, a summary a minute), MODEL_PATH=churn-xgb.json with its sidecar manifest',
    comparedWith: 'ours',
    launch: ours(peerModelFile),
    readyPath: '/readyz',
    single: {
      path: '/predict',
      body: (rows, inputs) => namedInputs(rows[0]!, inputs),
      probabilities: (answer) => [field(answer, 'churnProbability') as number],
    },
    batch: {
      path: '/predict/batch',
      body: (rows, inputs) => ({ records: rows.map((r) => namedInputs(r, inputs)) }),
      probabilities: (answer) => (field(answer, 'results') as { churnProbability: number }[]).map((r) => r.churnProbability),
    },
    expected: xgboostExpected,
  },
  {
    id: 'ours-v2',
    label: 'churn-predictor, V2 protocol',
    versionOf: ['churn-predictor'],
    configuration: 'as above; requests in the Open Inference Protocol, as MLServer and KServe get them',
    comparedWith: 'ours-v2',
    launch: ours(peerModelFile),
    readyPath: '/readyz',
    single: v2Format(['probability']),
    batch: v2Format(['probability']),
    expected: xgboostExpected,
  },
  {
    id: 'ours-native',
    label: 'churn-predictor, bundled model',
    versionOf: ['churn-predictor'],
    modelNote: 'our own GBDT (models/churn), raw records: validated and encoded by the server',
    configuration: 'defaults, no MODEL_PATH',
    comparedWith: 'ours-native',
    launch: ours(undefined),
    readyPath: '/readyz',
    single: { path: '/predict', body: (rows) => rows[0]!.record, probabilities: (answer) => [field(answer, 'churnProbability') as number] },
    batch: {
      path: '/predict/batch',
      body: (rows) => ({ records: rows.map((r) => r.record) }),
      probabilities: (answer) => (field(answer, 'results') as { churnProbability: number }[]).map((r) => r.churnProbability),
    },
    // Scored in this process by the same artifact, through the library's data plane (no HTTP).
    expected: (context) => {
      const plane = new DataPlane(new NativeRuntime(loadModelArtifact(bundledModelDirectory)), { maxBatchSize: 1 });
      return context.check.rows.map((r) => (plane.predict(r.record, {}, 'cli') as SinglePrediction).churnProbability);
    },
  },
  mlserver('mlserver', 'MLServer', 'parallel_workers 0: inference in the server process, as one core suits (the default, 1, is the next row)', { parallel_workers: 0 }),
  mlserver('mlserver-default', 'MLServer, parallel_workers 1 (its default)', 'as MLServer ships: inference in a worker process beside the server process (both on the one core), requests passed between them', {}),
  {
    id: 'kserve',
    label: 'KServe model server',
    environment: 'kserve',
    versionOf: ['kserve', 'xgboost'],
    configuration: 'kserve.ModelServer, 1 worker, gRPC off; the model class loads the booster as xgbserver does',
    comparedWith: 'ours-v2',
    launch: (context, port) => ({
      command: context.environment!.python,
      args: [join(peersDirectory, 'kserve', 'xgboost_model_server.py'), '--model_file', peerModelFile, '--model_name', peerModelName, '--http_port', String(port)],
      cwd: context.work,
      env: {},
    }),
    readyPath: `/v2/models/${peerModelName}/ready`,
    single: v2Format(),
    batch: v2Format(),
    expected: xgboostExpected,
  },
  {
    id: 'mlflow',
    label: 'mlflow models serve',
    environment: 'mlflow',
    versionOf: ['mlflow', 'xgboost'],
    configuration: 'xgboost flavour (mlflow.xgboost.save_model of the booster, with a signature of 45 doubles), --env-manager local, 1 worker',
    comparedWith: 'ours',
    prepare: (context) => context.python([join(peersDirectory, 'mlflow', 'save_mlflow_model.py'), peerModelFile, join(peerModelDirectory, 'churn-xgb.manifest.json'), join(context.work, 'model')]),
    launch: (context, port) => ({
      command: join(context.environment!.directory, 'bin', 'mlflow'),
      args: ['models', 'serve', '-m', join(context.work, 'model'), '-h', '127.0.0.1', '-p', String(port), '--env-manager', 'local', '-w', '1'],
      cwd: context.work,
      env: {},
    }),
    readyPath: '/ping',
    single: mlflowFormat,
    batch: mlflowFormat,
    expected: xgboostExpected,
  },
  {
    id: 'bentoml',
    label: 'BentoML',
    environment: 'bentoml',
    versionOf: ['bentoml', 'xgboost'],
    configuration: 'a @bentoml.service with workers=1 opening the booster at start-up (service.py)',
    comparedWith: 'ours',
    launch: (context, port) => ({
      command: join(context.environment!.directory, 'bin', 'bentoml'),
      args: ['serve', 'service:ChurnXGBoost', '--host', '127.0.0.1', '--port', String(port)],
      cwd: join(peersDirectory, 'bentoml'),
      env: { CHURN_XGB_MODEL: peerModelFile, BENTOML_HOME: join(context.work, 'bentoml-home'), BENTOML_DO_NOT_TRACK: 'True' },
    }),
    readyPath: '/readyz',
    single: { path: '/predict', body: (rows) => ({ rows: rows.map((r) => r.features.map(missingAsNull)) }), probabilities: (answer) => numbers(answer, 'answer') },
    batch: { path: '/predict', body: (rows) => ({ rows: rows.map((r) => r.features.map(missingAsNull)) }), probabilities: (answer) => numbers(answer, 'answer') },
    expected: xgboostExpected,
  },
  {
    id: 'course',
    label: 'the course (FastAPI + scikit-learn)',
    environment: 'course',
    versionOf: ['fastapi', 'uvicorn', 'scikit-learn'],
    modelNote: 'not the XGBoost model: the course\'s scikit-learn Pipeline (one-hot + RandomForest, 100 trees), raw records',
    configuration: 'uvicorn, 1 worker, as the course runs it',
    comparedWith: 'ours-native',
    prepare: (context) => context.python([join(peersDirectory, 'course', 'train_course_model.py'), bundledDataFile, join(peersDirectory, 'model', 'check-rows.json'), context.work]),
    launch: (context, port) => ({
      command: join(context.environment!.directory, 'bin', 'uvicorn'),
      args: ['app:app', '--host', '127.0.0.1', '--port', String(port)],
      cwd: join(peersDirectory, 'course'),
      env: { MODEL_PATH: join(context.work, 'churn_model.pkl') },
    }),
    readyPath: '/health',
    single: { path: '/predict', body: (rows) => rows[0]!.record, probabilities: (answer) => [field(answer, 'churn_probability') as number] },
    batch: {
      path: '/predict/batch',
      body: (rows) => ({ customers: rows.map((r) => r.record) }),
      probabilities: (answer) => (field(answer, 'predictions') as { churn_probability: number }[]).map((p) => p.churn_probability),
    },
    expected: (context) => (JSON.parse(readFileSync(join(context.work, 'course-check.json'), 'utf8')) as { probabilities: number[] }).probabilities,
  },
];

/** A fresh work folder for a peer under the cache. */
export function freshWorkFolder(cacheDirectory: string, id: string): string {
  const work = join(cacheDirectory, 'work', id);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  return work;
}
