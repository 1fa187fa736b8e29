import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import { ChurnError } from '../errors.js';
import { isJsonObject } from '../foundation/json-values.js';
import { compileRecordEncoder } from '../features/record-encoder.js';
import type { FeatureSchema } from '../features/schema.js';
import { nativeFlavor, nativeFlavorData } from '../model/mlflow-native-flavor.js';
import type { SourceLog } from '../sources/download-retries.js';
import { signatureInputs, type SignatureInputs } from './mlflow-signature.js';
import type { ModelDescription, ModelRuntime, PyfuncBehaviour } from './model-runtime.js';
import { openModel } from './open-model.js';
import { sidecarManifestFile } from './sidecar-manifest.js';

/** Flavours served, in the order one is chosen when a model has several. */
const SERVED = [nativeFlavor, 'onnx', 'xgboost', 'lightgbm'] as const;
type ServedFlavor = (typeof SERVED)[number];

/** Flavours whose loading unpickles Python objects (or runs Python code), which this server refuses to do. */
const PICKLED = new Set(['python_function', 'sklearn', 'pytorch', 'statsmodels', 'catboost', 'h2o', 'spacy', 'fastai', 'pmdarima', 'prophet', 'diviner', 'paddle', 'transformers', 'sentence_transformers', 'langchain', 'keras', 'tensorflow']);

export interface MlflowFolderOptions {
  /** The registered model's name and version, which the runtime reports (default: the folder's name, the MLmodel's model or run id). */
  name?: string;
  version?: string;
  /** MODEL_SHA256: the expected sha256 of the file the flavour names (manifest.json for the native flavour). */
  sha256?: string;
  log?: SourceLog;
}

export interface OpenedMlflowFolder {
  runtime: ModelRuntime;
  flavor: ServedFlavor;
  /** sha256 of the model file the flavour names (manifest.json for the native flavour). */
  sha256: string;
}

function corrupt(file: string, problem: string): never {
  throw new ChurnError('ARTIFACT_CORRUPT', `${file}: ${problem}`);
}

function unsupported(file: string, problem: string): never {
  throw new ChurnError('ARTIFACT_UNSUPPORTED_FORMAT', `${file}: ${problem}`);
}

/** Reads and checks the MLmodel file: YAML, a mapping, with a mapping of flavours. */
function readMlmodel(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ChurnError('ARTIFACT_NOT_FOUND', `${file}: cannot read (${(cause as Error).message})`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (cause) {
    return corrupt(file, `not valid YAML (${(cause as Error).message.split('\n')[0]})`);
  }
  if (!isJsonObject(document)) corrupt(file, 'the MLmodel file must be a YAML mapping');
  const flavors = document['flavors'];
  if (!isJsonObject(flavors) || Object.keys(flavors).length === 0) corrupt(file, 'the MLmodel file has no "flavors" mapping');
  for (const [name, flavor] of Object.entries(flavors)) if (!isJsonObject(flavor)) corrupt(file, `flavour "${name}" must be a mapping`);
  return document;
}

/** The flavour's `data` path, which must stay inside the folder. */
function dataPath(directory: string, file: string, flavor: string, configuration: Record<string, unknown>, fallback?: string): string {
  const data = configuration['data'] ?? fallback;
  if (typeof data !== 'string' || data === '') return corrupt(file, `flavour "${flavor}" names no "data" file`);
  const path = resolve(directory, data);
  const inside = relative(directory, path);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) corrupt(file, `flavour "${flavor}" names "${data}", outside the model folder`);
  if (!existsSync(path)) throw new ChurnError('ARTIFACT_NOT_FOUND', `${file}: flavour "${flavor}" names "${data}", which the model folder does not have`);
  return path;
}

function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * The refusal for a folder none of whose flavours is served: one line saying why (a pickle runs arbitrary code
 * when loaded) and how to log the model instead.
 */
function refusal(file: string, flavors: string[]): never {
  const pickled = flavors.filter((f) => PICKLED.has(f));
  const why = pickled.length > 0
    ? `loading ${pickled.join('/')} models unpickles Python objects, and executing a pickle runs arbitrary code, so this server refuses them`
    : `no runtime here reads the flavour${flavors.length > 1 ? 's' : ''} ${flavors.join(', ')}`;
  return unsupported(file, `${why}; log the model as ONNX (mlflow.onnx.log_model, e.g. after skl2onnx or onnxmltools) or as XGBoost (mlflow.xgboost.log_model with model_format="json") instead`);
}

/**
 * Opens an MLflow model folder through the runtime of its flavour: `churn_predictor` (our native artifact),
 * `onnx`, `xgboost` (model_format json or ubj) and `lightgbm` (its text model). The signature's inputs name the model's inputs and, for numeric columns, give the feature
 * schema requests are validated against. MODEL_SHA256 is checked against the file the flavour names.
 */
export async function openMlflowModelFolder(directory: string, options: MlflowFolderOptions = {}): Promise<OpenedMlflowFolder> {
  const file = join(directory, 'MLmodel');
  const mlmodel = readMlmodel(file);
  const flavors = mlmodel['flavors'] as Record<string, Record<string, unknown>>;
  const flavor = SERVED.find((f) => f in flavors) ?? refusal(file, Object.keys(flavors));
  const configuration = flavors[flavor]!;
  const idOf = (key: string) => (typeof mlmodel[key] === 'string' && mlmodel[key] !== '' ? mlmodel[key] : undefined);
  const name = options.name ?? basename(directory);
  const version = options.version ?? idOf('model_id') ?? idOf('run_id') ?? '1';

  if (flavor === nativeFlavor) {
    const folder = dataPath(directory, file, flavor, configuration, nativeFlavorData);
    const manifest = join(folder, 'manifest.json');
    if (!existsSync(manifest)) throw new ChurnError('ARTIFACT_NOT_FOUND', `${file}: the ${nativeFlavor} flavour's folder has no manifest.json`);
    const sha256 = verified(manifest, sha256Of(manifest), options.sha256);
    // The native runtime as it is: the server gives it the synchronous fast path; the artifact names itself.
    return { runtime: await openModel(folder), flavor, sha256 };
  }

  const model = dataPath(directory, file, flavor, configuration);
  if (statSync(model).isDirectory()) corrupt(file, `flavour "${flavor}" names a folder, not a model file`);
  const sha256 = verified(model, sha256Of(model), options.sha256);
  const signature = signatureInputs(file, isJsonObject(mlmodel['signature']) ? mlmodel['signature']['inputs'] : undefined, { name, version });
  if (signature.note !== undefined) options.log?.('model signature', { note: signature.note });
  const extension = flavor === 'onnx' ? '.onnx' : flavor === 'lightgbm' ? '.txt' : xgboostExtension(file, configuration['model_format']);
  const runtime = await openFlavorFile(file, flavor, model, extension, signature);
  // The registry's name and version, and the signature's schema when it fits the model's (numeric) inputs.
  const schema = signatureSchema(runtime.description.schema, signature.schema);
  const pyfunc: PyfuncBehaviour | undefined = 'python_function' in flavors
    ? { flavor, predictsLabels: sklearnClassifier(configuration['model_class']), requiredColumns: signature.required ?? [] }
    : undefined;
  return {
    runtime: withDescription(runtime, { name, version, ...(schema === undefined ? {} : { schema }), ...(pyfunc === undefined ? {} : { pyfunc }) }),
    flavor, sha256,
  };
}

/**
 * Whether the flavour's `model_class` is a classifier of scikit-learn's API (xgboost.sklearn.XGBClassifier,
 * XGBRFClassifier, lightgbm.sklearn.LGBMClassifier), whose predict() answers class labels; a Booster answers scores.
 */
function sklearnClassifier(modelClass: unknown): boolean {
  return typeof modelClass === 'string' && /\.sklearn\.[A-Za-z]*Classifier$/.test(modelClass);
}

/**
 * The signature's schema, in the order the runtime encodes its inputs (the encoded row is the model's row), when
 * every input of the model is a number; undefined otherwise (the runtime's own schema stays).
 */
function signatureSchema(runtimeSchema: FeatureSchema, signature: FeatureSchema | undefined): FeatureSchema | undefined {
  if (signature === undefined || runtimeSchema.features.some((f) => f.kind !== 'numeric')) return undefined;
  const byName = new Map(signature.features.map((f) => [f.name, f]));
  const features = runtimeSchema.features.map((f) => byName.get(f.name));
  if (features.some((f) => f === undefined) || features.length !== signature.features.length) return undefined;
  return { ...signature, features: features as FeatureSchema['features'] };
}

function verified(file: string, actual: string, expected: string | undefined): string {
  if (expected !== undefined && actual !== expected.toLowerCase()) {
    throw new ChurnError('ARTIFACT_CHECKSUM_MISMATCH', `${file}: sha256 ${actual} does not match MODEL_SHA256 ${expected.toLowerCase()}`);
  }
  return actual;
}

/** The extension the XGBoost runtime reads a `model_format` by; the deprecated binary format has none. */
function xgboostExtension(file: string, format: unknown): string {
  if (format === undefined || format === 'json') return '.json';
  if (format === 'ubj') return '.ubj';
  return unsupported(file, `the xgboost flavour's model_format ${JSON.stringify(format)} (XGBoost's deprecated binary format) is not read here; log the model with model_format="json"`);
}

/**
 * Loads the flavour's model file through the runtime its extension picks. The file is reached through a link in a
 * fresh folder when it needs another extension or a manifest naming its inputs from the signature; the runtime holds
 * the model in memory once loaded, so the folder goes right after.
 */
async function openFlavorFile(file: string, flavor: ServedFlavor, model: string, extension: string, signature: SignatureInputs): Promise<ModelRuntime> {
  const open = async (inputs?: readonly string[]): Promise<ModelRuntime> => {
    if (extname(model) === extension && inputs === undefined) return openModel(model);
    const staging = mkdtempSync(join(tmpdir(), 'churn-mlflow-'));
    try {
      const link = join(staging, `model${extension}`);
      symlinkSync(model, link);
      if (inputs !== undefined) writeFileSync(sidecarManifestFile(link), JSON.stringify({ inputs }));
      return await openModel(link);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  };
  let runtime = await open();
  const names = signature.names;
  if (names === undefined) return runtime;
  const described = runtime.description.schema.features.map((f) => f.name);
  if (!sameNames(described, names)) {
    // A model saved without input names (XGBoost trained on a matrix: f0…, LightGBM's Column_0…, an ONNX [N, F]
    // input) reads them by position: the signature names them, in its order, as MLflow's pyfunc would feed them.
    const positional = described.length === names.length && described.every((n, i) => n === `f${i}` || n === `Column_${i}`);
    await runtime.close();
    if (!positional) {
      throw new ChurnError('ARTIFACT_SCHEMA_MISMATCH', `${file}: the signature names the inputs ${names.join(', ')}; the ${flavor} model reads ${described.join(', ')}`);
    }
    runtime = await open(names);
  }
  return runtime;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && new Set([...a, ...b]).size === a.length;
}

/**
 * The same runtime under another name and version (the registry's) and, when given, the signature's schema: the
 * encoder is compiled from it, and encodes the same row the runtime's own would (same inputs, same order).
 */
function withDescription(runtime: ModelRuntime, changes: Pick<ModelDescription, 'name' | 'version'> & { schema?: FeatureSchema; pyfunc?: PyfuncBehaviour }): ModelRuntime {
  const description: ModelDescription = { ...runtime.description, ...changes };
  const encoder = changes.schema === undefined ? runtime.encoder : compileRecordEncoder(changes.schema);
  if (encoder.width !== runtime.encoder.width) throw new Error('withDescription: the schema must encode the runtime\'s row');
  return {
    description,
    encoder,
    predict: (rows) => runtime.predict(rows),
    ...(runtime.probability === undefined ? {} : { probability: runtime.probability.bind(runtime) }),
    ...(runtime.explain === undefined ? {} : { explain: runtime.explain.bind(runtime) }),
    close: () => runtime.close(),
  };
}
