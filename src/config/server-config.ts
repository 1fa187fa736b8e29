import { ChurnError } from '../errors.js';
import { bundledModelDirectory } from '../model/bundled-model.js';
import {
  absoluteUrl, awsRegion, integerIn, nonEmptyText, numberIn, oneOf, modelLocation, mlflowTrackingUri, secretList, sha256Hex, type EnvValue,
} from './env-values.js';
import type { MlflowConnection } from '../model/sources/mlflow-rest.js';
import { isMlflowUri } from '../model/sources/mlflow-uri.js';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Everything the server reads from its environment, validated. Built once at start-up by loadServerConfig. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly modelPath: string;
  readonly logLevel: LogLevel;
  readonly maxBatchSize: number;
  readonly bodyLimitBytes: number;
  /** Overrides the model's decision threshold; undefined keeps the model's. */
  readonly decisionThreshold: number | undefined;
  readonly shutdownDrainSeconds: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutSeconds: number;
  /** Mean event-loop delay above which data-plane requests are shed with 503; 0 turns shedding off. */
  readonly maxEventLoopDelayMs: number;
  /** Bearer keys for /predict* and /model; empty means no authentication. Secret. */
  readonly apiKeys: readonly string[];
  /** The MLflow tracking server that resolves a models:/ or runs:/ MODEL_PATH (and serves its artifacts). */
  readonly mlflowTrackingUri: string | undefined;
  /** MLflow credentials, as MLflow's clients take them: Basic (username and password) or else a bearer token. Secret. */
  readonly mlflowTrackingToken: string | undefined;
  readonly mlflowTrackingUsername: string | undefined;
  readonly mlflowTrackingPassword: string | undefined;
  /** Expected sha256 (lowercase hex) of the model file MODEL_PATH names; undefined skips the check. */
  readonly modelSha256: string | undefined;
  /** Credentials for loading models from S3. Secret. */
  readonly awsAccessKeyId: string | undefined;
  readonly awsSecretAccessKey: string | undefined;
  readonly awsRegion: string;
  /** An S3-compatible store (MinIO, Ceph, R2) instead of AWS; undefined means AWS. */
  readonly awsEndpointUrl: string | undefined;
}

/** The one defaults object; units are in the names. */
export const serverConfigDefaults: ServerConfig = Object.freeze({
  port: 8000,
  host: '0.0.0.0',
  modelPath: bundledModelDirectory,
  logLevel: 'info',
  maxBatchSize: 1000,
  // 2 MiB holds a 1,000-record JSON batch (about 0.5 MB) with room for pretty-printing.
  bodyLimitBytes: 2 * 1024 * 1024,
  decisionThreshold: undefined,
  // Time for endpoint removal to reach kube-proxy and load balancers after SIGTERM.
  shutdownDrainSeconds: 5,
  requestTimeoutMs: 10_000,
  // Above the 60 s idle timeout of AWS ALB and ingress-nginx, so the proxy closes idle sockets first (no 502s).
  keepAliveTimeoutSeconds: 75,
  maxEventLoopDelayMs: 200,
  apiKeys: [],
  mlflowTrackingUri: undefined,
  mlflowTrackingToken: undefined,
  mlflowTrackingUsername: undefined,
  mlflowTrackingPassword: undefined,
  modelSha256: undefined,
  awsAccessKeyId: undefined,
  awsSecretAccessKey: undefined,
  awsRegion: 'us-east-1',
  awsEndpointUrl: undefined,
});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface VariableSpec {
  readonly name: string;
  readonly secret: boolean;
  readonly description: string;
  /** How the default appears in docs and manifests; absent when the variable is optional with no value. */
  readonly default?: string;
  readonly apply: (value: EnvValue, config: Mutable<ServerConfig>) => void;
}

const d = serverConfigDefaults;

const specs: readonly VariableSpec[] = [
  {
    name: 'PORT', secret: false, default: String(d.port), description: 'TCP port to listen on (0 picks a free port).',
    apply: (v, c) => { c.port = integerIn(v, 0, 65535); },
  },
  {
    name: 'HOST', secret: false, default: d.host, description: 'Address to listen on.',
    apply: (v, c) => { c.host = nonEmptyText(v); },
  },
  {
    name: 'MODEL_PATH', secret: false, default: 'models/churn (the bundled model)',
    description: 'The model to serve: a native artifact directory, an XGBoost .json or an .onnx file, as a local path or an http(s):// or s3:// URL (see docs/bring-your-own-model.md).',
    apply: (v, c) => { c.modelPath = modelLocation(v); },
  },
  {
    name: 'LOG_LEVEL', secret: false, default: d.logLevel, description: `Log level: ${logLevels.join(', ')} (case-insensitive).`,
    apply: (v, c) => { c.logLevel = oneOf(v, logLevels); },
  },
  {
    name: 'MAX_BATCH_SIZE', secret: false, default: String(d.maxBatchSize), description: 'Most records one /predict/batch request may hold.',
    apply: (v, c) => { c.maxBatchSize = integerIn(v, 1, 100_000); },
  },
  {
    name: 'BODY_LIMIT_BYTES', secret: false, default: String(d.bodyLimitBytes), description: 'Largest request body accepted, in bytes.',
    apply: (v, c) => { c.bodyLimitBytes = integerIn(v, 1024, 256 * 1024 * 1024); },
  },
  {
    name: 'DECISION_THRESHOLD', secret: false, description: 'Probability at or above which a customer is flagged as churning; overrides the model\'s.',
    apply: (v, c) => { c.decisionThreshold = numberIn(v, 0, 1); },
  },
  {
    name: 'SHUTDOWN_DRAIN_SECONDS', secret: false, default: String(d.shutdownDrainSeconds),
    description: 'After SIGTERM, seconds to keep serving (readiness 503, Connection: close) before refusing new connections.',
    apply: (v, c) => { c.shutdownDrainSeconds = numberIn(v, 0, 300); },
  },
  {
    name: 'REQUEST_TIMEOUT_MS', secret: false, default: String(d.requestTimeoutMs),
    description: 'Time a client has to send a whole request (headers within min(this, 5000) ms); also bounds the final wait for in-flight requests at shutdown.',
    apply: (v, c) => { c.requestTimeoutMs = integerIn(v, 1000, 600_000); },
  },
  {
    name: 'KEEP_ALIVE_TIMEOUT_SECONDS', secret: false, default: String(d.keepAliveTimeoutSeconds),
    description: 'Idle keep-alive timeout; keep it above the idle timeout of any proxy in front of the pods.',
    apply: (v, c) => { c.keepAliveTimeoutSeconds = integerIn(v, 1, 3600); },
  },
  {
    name: 'MAX_EVENT_LOOP_DELAY_MS', secret: false, default: String(d.maxEventLoopDelayMs),
    description: 'Mean event-loop delay above which /predict* and /model answer 503 OVERLOADED and /readyz fails; 0 turns it off.',
    apply: (v, c) => { c.maxEventLoopDelayMs = integerIn(v, 0, 60_000); },
  },
  {
    name: 'API_KEYS', secret: true, description: 'Comma-separated bearer keys (from a Secret); when set, /predict* and /model need Authorization: Bearer <key>.',
    apply: (v, c) => { c.apiKeys = secretList(v, 16); },
  },
  {
    name: 'MLFLOW_TRACKING_URI', secret: false,
    description: 'MLflow tracking server (http(s)://) that resolves a models:/ or runs:/ MODEL_PATH and serves its artifacts; credentials go in MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN, not in the URL.',
    apply: (v, c) => { c.mlflowTrackingUri = mlflowTrackingUri(v); },
  },
  {
    name: 'MLFLOW_TRACKING_TOKEN', secret: true, description: 'Bearer token for the MLflow tracking server (used when no MLFLOW_TRACKING_USERNAME is set).',
    apply: (v, c) => { c.mlflowTrackingToken = nonEmptyText(v); },
  },
  {
    name: 'MLFLOW_TRACKING_USERNAME', secret: true, description: 'User for HTTP Basic auth to the MLflow tracking server (set together with MLFLOW_TRACKING_PASSWORD).',
    apply: (v, c) => { c.mlflowTrackingUsername = nonEmptyText(v); },
  },
  {
    name: 'MLFLOW_TRACKING_PASSWORD', secret: true, description: 'Password for HTTP Basic auth to the MLflow tracking server (set together with MLFLOW_TRACKING_USERNAME).',
    apply: (v, c) => { c.mlflowTrackingPassword = nonEmptyText(v); },
  },
  {
    name: 'MODEL_SHA256', secret: false, description: 'Expected sha256 of the model file (64 hex digits); start-up stops when the file does not match.',
    apply: (v, c) => { c.modelSha256 = sha256Hex(v); },
  },
  {
    name: 'AWS_ACCESS_KEY_ID', secret: true, description: 'AWS credentials for an s3:// MODEL_PATH (set together with AWS_SECRET_ACCESS_KEY).',
    apply: (v, c) => { c.awsAccessKeyId = nonEmptyText(v); },
  },
  {
    name: 'AWS_SECRET_ACCESS_KEY', secret: true, description: 'AWS credentials for an s3:// MODEL_PATH (set together with AWS_ACCESS_KEY_ID).',
    apply: (v, c) => { c.awsSecretAccessKey = nonEmptyText(v); },
  },
  {
    name: 'AWS_REGION', secret: false, default: d.awsRegion, description: 'Region of the S3 bucket an s3:// MODEL_PATH names.',
    apply: (v, c) => { c.awsRegion = awsRegion(v); },
  },
  {
    name: 'AWS_ENDPOINT_URL', secret: false, description: 'An S3-compatible store (MinIO, Ceph, R2) for an s3:// MODEL_PATH, addressed path-style.',
    apply: (v, c) => { c.awsEndpointUrl = absoluteUrl(v, ['http', 'https']); },
  },
];

/** Every variable the server reads: the ConfigMap/Secret contract the Kubernetes manifests are checked against. */
export const serverEnvironmentVariables: readonly { name: string; default?: string; secret: boolean; description: string }[] =
  specs.map(({ name, default: value, secret, description }) => (value === undefined ? { name, secret, description } : { name, default: value, secret, description }));

/**
 * Reads and validates the server's variables once. Unset or empty variables take their defaults; the
 * first invalid one throws INVALID_CONFIG naming it. Variables not in the contract are ignored.
 */
export function loadServerConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const config: Mutable<ServerConfig> = { ...serverConfigDefaults };
  for (const spec of specs) {
    const raw = env[spec.name];
    if (raw === undefined || raw.trim() === '') continue;
    spec.apply({ name: spec.name, raw, secret: spec.secret }, config);
  }
  if (config.awsAccessKeyId === undefined !== (config.awsSecretAccessKey === undefined)) {
    const missing = config.awsAccessKeyId === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY';
    throw new ChurnError('INVALID_CONFIG', `${missing} must be set together with ${missing === 'AWS_ACCESS_KEY_ID' ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'}`);
  }
  checkMlflowCredentials(config);
  if (isMlflowUri(config.modelPath) && config.mlflowTrackingUri === undefined) {
    throw new ChurnError('INVALID_CONFIG', `MLFLOW_TRACKING_URI must be set: MODEL_PATH ${config.modelPath} is resolved by an MLflow tracking server`);
  }
  return Object.freeze(config);
}

/** A username without a password (or the other way round) is a mistake, not anonymous access. */
function checkMlflowCredentials(config: ServerConfig): void {
  if (config.mlflowTrackingUsername === undefined === (config.mlflowTrackingPassword === undefined)) return;
  const [missing, other] = config.mlflowTrackingUsername === undefined ? ['MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD'] : ['MLFLOW_TRACKING_PASSWORD', 'MLFLOW_TRACKING_USERNAME'];
  throw new ChurnError('INVALID_CONFIG', `${missing} must be set together with ${other}`);
}

/**
 * MLFLOW_TRACKING_URI and its credentials for commands other than the server (`train --mlflow`), read by the
 * server's own specs; INVALID_CONFIG naming the variable when one is invalid or the URI is unset.
 */
export function mlflowConnectionFromEnvironment(env: NodeJS.ProcessEnv): MlflowConnection {
  const config: Mutable<ServerConfig> = { ...serverConfigDefaults };
  for (const spec of specs) {
    const raw = env[spec.name];
    if (!spec.name.startsWith('MLFLOW_') || raw === undefined || raw.trim() === '') continue;
    spec.apply({ name: spec.name, raw, secret: spec.secret }, config);
  }
  if (config.mlflowTrackingUri === undefined) throw new ChurnError('INVALID_CONFIG', 'MLFLOW_TRACKING_URI must be set to the MLflow tracking server (http(s)://host:port)');
  checkMlflowCredentials(config);
  return mlflowConnection(config, config.mlflowTrackingUri);
}

/** The MLflow tracking server and the credentials MLflow's clients would use: Basic when a username is set, else the token. */
export function mlflowConnection(config: ServerConfig, trackingUri: string): MlflowConnection {
  const { mlflowTrackingUsername: username, mlflowTrackingPassword: password, mlflowTrackingToken: token } = config;
  if (username !== undefined && password !== undefined) return { trackingUri, credentials: { username, password } };
  return token === undefined ? { trackingUri } : { trackingUri, credentials: { token } };
}

/** A URL without the credentials it may carry (`https://user:token@host`). */
function withoutCredentials(url: string | undefined): string | undefined {
  if (url === undefined || !/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(url)) return url;
  const parsed = new URL(url);
  parsed.username = parsed.username === '' ? '' : 'hidden';
  parsed.password = parsed.password === '' ? '' : 'hidden';
  return parsed.href;
}

/** The configuration with secrets replaced by a mark, for the start-up log line. */
export function redactedServerConfig(config: ServerConfig): Record<string, unknown> {
  return {
    ...config,
    modelPath: withoutCredentials(config.modelPath),
    apiKeys: config.apiKeys.length === 0 ? 'none' : `${config.apiKeys.length} key(s), hidden`,
    awsAccessKeyId: config.awsAccessKeyId === undefined ? undefined : 'hidden',
    awsSecretAccessKey: config.awsSecretAccessKey === undefined ? undefined : 'hidden',
    mlflowTrackingToken: config.mlflowTrackingToken === undefined ? undefined : 'hidden',
    mlflowTrackingUsername: config.mlflowTrackingUsername === undefined ? undefined : 'hidden',
    mlflowTrackingPassword: config.mlflowTrackingPassword === undefined ? undefined : 'hidden',
  };
}
