import { ChurnError } from '../errors.js';
import { bundledModelDirectory } from '../model/bundled-model.js';
import {
  absoluteUrl, awsRegion, driftWindow, fieldNames, integerIn, mlflowTrackingUri, nonEmptyText, numberIn, oneOf, modelLocation, payloadLogSink,
  secretList, sha256Hex, type EnvValue,
} from './env-values.js';
import type { MlflowConnection } from '../sources/mlflow-rest.js';
import { isMlflowUri, parseMlflowUri } from '../sources/mlflow-uri.js';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Everything the server reads from its environment, validated. Built once at start-up by loadServerConfig. */
export interface ServerConfig {
  readonly port: number;
  /** The gRPC endpoint's port (Open Inference Protocol, grpc.health.v1); 0 turns gRPC off. */
  readonly grpcPort: number;
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
  /** Longest a data-plane request should wait for the CPU (run-queue expected wait, mean event-loop delay) before requests are shed with 503; 0 turns shedding off. */
  readonly maxEventLoopDelayMs: number;
  /** Bearer keys for every data-plane protocol; empty means no authentication. Secret. */
  readonly apiKeys: readonly string[];
  /** The MLflow tracking server that resolves a models:/ or runs:/ MODEL_PATH (and serves its artifacts). */
  readonly mlflowTrackingUri: string | undefined;
  /** MLflow credentials, as MLflow's clients take them: Basic (username and password) or else a bearer token. Secret. */
  readonly mlflowTrackingToken: string | undefined;
  readonly mlflowTrackingUsername: string | undefined;
  readonly mlflowTrackingPassword: string | undefined;
  /** Expected sha256 (lowercase hex) of the model file MODEL_PATH names; undefined skips the check. */
  readonly modelSha256: string | undefined;
  /** Seconds between polls of the MLflow alias (or latest version) MODEL_PATH names; undefined: no following. */
  readonly modelRefreshSeconds: number | undefined;
  /** Region of the bucket an s3:// MODEL_PATH names. */
  readonly awsRegion: string;
  /** An S3-compatible store (MinIO, Ceph, R2) instead of AWS; undefined means AWS. */
  readonly awsEndpointUrl: string | undefined;
  /** Share of ordinary requests (2xx, 3xx, 503) that get a log line of their own; errors and slow requests always do. */
  readonly requestLogSampleRate: number;
  /** A request that takes at least this long is logged (warn) whatever the sample; 0 turns it off. */
  readonly requestLogSlowMs: number;
  /** Seconds between summary lines (requests, statuses, latency percentiles); 0 turns them off. */
  readonly requestLogSummarySeconds: number;
  /** Drift monitoring: live records counted over the last N records or the last T seconds (docs/monitoring.md). */
  readonly driftWindow: { readonly kind: 'off' } | { readonly kind: 'records'; readonly size: number } | { readonly kind: 'time'; readonly seconds: number };
  /** Payload logging (off by default): where sampled requests and responses go, and what is kept of them. */
  readonly payloadLog: ReturnType<typeof payloadLogSink>;
  readonly payloadLogSampleRate: number;
  readonly payloadLogDropFields: readonly string[];
  readonly payloadLogHashFields: readonly string[];
  /** HMAC-SHA256 key of hashed fields. Secret. */
  readonly payloadLogHashKey: string | undefined;
  readonly payloadLogQueueSize: number;
  readonly payloadLogCloudEventsMode: (typeof cloudEventsModes)[number];
}

/** How the HTTP payload log sink sends CloudEvents: one event per POST in binary or structured mode, or batches. */
export const cloudEventsModes = ['binary', 'structured', 'batch'] as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One environment variable: its parser, its default, and the ServerConfig field it sets. */
interface VariableSpec<K extends keyof ServerConfig = keyof ServerConfig> {
  readonly name: string;
  readonly secret: boolean;
  readonly description: string;
  /** The field it sets; absent for variables read by a library from the environment (AWS credentials). */
  readonly field?: K;
  readonly default?: ServerConfig[K];
  /** How the default reads in docs and manifests, when not its plain string form. */
  readonly shownDefault?: string;
  readonly parse: (value: EnvValue) => ServerConfig[K] | string;
}

/** Declares a spec; the field and the parser's type must agree. */
function variable<K extends keyof ServerConfig>(spec: VariableSpec<K> & { parse: (value: EnvValue) => ServerConfig[K] }): VariableSpec {
  return spec as unknown as VariableSpec;
}

const specs: readonly VariableSpec[] = [
  variable({ name: 'PORT', field: 'port', default: 8000, secret: false, description: 'TCP port to listen on (0 picks a free port).', parse: (v) => integerIn(v, 0, 65535) }),
  variable({
    name: 'GRPC_PORT', field: 'grpcPort', default: 8081, secret: false,
    description: 'TCP port of the gRPC endpoint (Open Inference Protocol GRPCInferenceService and grpc.health.v1.Health), on HOST; 0 turns gRPC off.',
    parse: (v) => integerIn(v, 0, 65535),
  }),
  variable({ name: 'HOST', field: 'host', default: '0.0.0.0', secret: false, description: 'Address to listen on.', parse: nonEmptyText }),
  variable({
    name: 'MODEL_PATH', field: 'modelPath', default: bundledModelDirectory, shownDefault: 'models/churn (the bundled model)', secret: false,
    description: 'The model to serve: a native artifact directory, an XGBoost .json or .ubj, a LightGBM .txt or an .onnx file, as a local path or an http(s):// or s3:// URL (see docs/bring-your-own-model.md).',
    parse: modelLocation,
  }),
  variable({ name: 'LOG_LEVEL', field: 'logLevel', default: 'info', secret: false, description: `Log level: ${logLevels.join(', ')} (case-insensitive).`, parse: (v) => oneOf(v, logLevels) }),
  variable({ name: 'MAX_BATCH_SIZE', field: 'maxBatchSize', default: 1000, secret: false, description: 'Most records one batch request may hold, whatever the protocol.', parse: (v) => integerIn(v, 1, 100_000) }),
  // 2 MiB holds a 1,000-record JSON batch (about 0.5 MB) with room for pretty-printing.
  variable({ name: 'BODY_LIMIT_BYTES', field: 'bodyLimitBytes', default: 2 * 1024 * 1024, secret: false, description: 'Largest request body accepted, in bytes.', parse: (v) => integerIn(v, 1024, 256 * 1024 * 1024) }),
  variable({ name: 'DECISION_THRESHOLD', field: 'decisionThreshold', secret: false, description: 'Probability at or above which a customer is flagged as churning; overrides the model\'s.', parse: (v) => numberIn(v, 0, 1) }),
  // Time for endpoint removal to reach kube-proxy and load balancers after SIGTERM.
  variable({
    name: 'SHUTDOWN_DRAIN_SECONDS', field: 'shutdownDrainSeconds', default: 5, secret: false,
    description: 'After SIGTERM, seconds to keep serving (readiness 503, Connection: close) before refusing new connections.', parse: (v) => numberIn(v, 0, 300),
  }),
  variable({
    name: 'REQUEST_TIMEOUT_MS', field: 'requestTimeoutMs', default: 10_000, secret: false,
    description: 'Time a client has to send a whole request (headers within min(this, 5000) ms); also bounds the final wait for in-flight requests at shutdown.',
    parse: (v) => integerIn(v, 1000, 600_000),
  }),
  // Above the 60 s idle timeout of AWS ALB and ingress-nginx, so the proxy closes idle sockets first (no 502s).
  variable({
    name: 'KEEP_ALIVE_TIMEOUT_SECONDS', field: 'keepAliveTimeoutSeconds', default: 75, secret: false,
    description: 'Idle keep-alive timeout (checked each second); keep it above the idle timeout of any proxy in front of the pods.', parse: (v) => integerIn(v, 1, 3600),
  }),
  variable({
    name: 'MAX_EVENT_LOOP_DELAY_MS', field: 'maxEventLoopDelayMs', default: 200, secret: false,
    description: 'Longest a data-plane request (every protocol) should wait for the CPU: above it in the run queue\'s expected wait, or in the mean event-loop delay, requests answer 503 OVERLOADED and /readyz fails; 0 turns shedding off.',
    parse: (v) => integerIn(v, 0, 60_000),
  }),
  variable({
    name: 'API_KEYS', field: 'apiKeys', default: [], secret: true,
    description: 'Comma-separated bearer keys (from a Secret); when set, every data-plane protocol needs Authorization: Bearer <key>.', parse: (v) => secretList(v, 16),
  }),
  variable({
    name: 'MLFLOW_TRACKING_URI', field: 'mlflowTrackingUri', secret: false,
    description: 'MLflow tracking server (http(s)://) that resolves a models:/ or runs:/ MODEL_PATH and serves its artifacts; credentials go in MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN, not in the URL.',
    parse: mlflowTrackingUri,
  }),
  variable({
    name: 'MLFLOW_TRACKING_TOKEN', field: 'mlflowTrackingToken', secret: true,
    description: 'Bearer token for the MLflow tracking server (used when no MLFLOW_TRACKING_USERNAME is set).', parse: nonEmptyText,
  }),
  variable({
    name: 'MLFLOW_TRACKING_USERNAME', field: 'mlflowTrackingUsername', secret: true,
    description: 'User for HTTP Basic auth to the MLflow tracking server (set together with MLFLOW_TRACKING_PASSWORD).', parse: nonEmptyText,
  }),
  variable({
    name: 'MLFLOW_TRACKING_PASSWORD', field: 'mlflowTrackingPassword', secret: true,
    description: 'Password for HTTP Basic auth to the MLflow tracking server (set together with MLFLOW_TRACKING_USERNAME).', parse: nonEmptyText,
  }),
  variable({
    name: 'MODEL_REFRESH_SECONDS', field: 'modelRefreshSeconds', secret: false,
    description: 'Follow the MLflow alias MODEL_PATH names (models:/<name>@<alias>, or /latest): poll it this often and, when it moves, load, warm and swap in the new version without dropping a request. Unset: the model changes only with a rollout.',
    parse: (v) => integerIn(v, 1, 86_400),
  }),
  variable({
    name: 'MODEL_SHA256', field: 'modelSha256', secret: false, description: 'Expected sha256 of the model file (64 hex digits); start-up stops when the file does not match.',
    parse: sha256Hex,
  }),
  {
    name: 'AWS_ACCESS_KEY_ID', secret: true, parse: nonEmptyText,
    description: 'Static AWS credentials for an s3:// MODEL_PATH (with AWS_SECRET_ACCESS_KEY). Read by the AWS SDK\'s default credential chain, which also takes AWS_SESSION_TOKEN, web identity (IRSA), EKS pod identity, profiles and instance metadata.',
  },
  { name: 'AWS_SECRET_ACCESS_KEY', secret: true, parse: nonEmptyText, description: 'See AWS_ACCESS_KEY_ID (set both or neither).' },
  { name: 'AWS_SESSION_TOKEN', secret: true, parse: nonEmptyText, description: 'Temporary credentials (STS, SSO) with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.' },
  variable({ name: 'AWS_REGION', field: 'awsRegion', default: 'us-east-1', secret: false, description: 'Region of the S3 bucket an s3:// MODEL_PATH names.', parse: awsRegion }),
  variable({
    name: 'AWS_ENDPOINT_URL', field: 'awsEndpointUrl', secret: false, description: 'An S3-compatible store (MinIO, Ceph, R2) for an s3:// MODEL_PATH, addressed path-style.',
    parse: (v) => absoluteUrl(v, ['http', 'https']),
  }),
  // At tens of thousands of requests per second a line per request costs a fifth of the CPU (docs/server.md,
  // Logging): by default errors and slow requests are logged, 1% of the rest, and a summary every minute.
  variable({
    name: 'REQUEST_LOG_SAMPLE_RATE', field: 'requestLogSampleRate', default: 0.01, secret: false,
    description: 'Share of ordinary requests (2xx, 3xx, 503) logged one line each, 0 to 1 (1 logs every request); 4xx and 5xx answers and slow requests are always logged.',
    parse: (v) => numberIn(v, 0, 1),
  }),
  variable({
    name: 'REQUEST_LOG_SLOW_MS', field: 'requestLogSlowMs', default: 500, secret: false,
    description: 'A request taking at least this many milliseconds is logged (warn) whatever the sample; 0 turns it off.',
    parse: (v) => numberIn(v, 0, 600_000),
  }),
  variable({
    name: 'REQUEST_LOG_SUMMARY_SECONDS', field: 'requestLogSummarySeconds', default: 60, secret: false,
    description: 'Seconds between request summary lines (count, rate, statuses, latency percentiles, slow and shed requests); 0 turns them off.',
    parse: (v) => integerIn(v, 0, 86_400),
  }),
  variable({
    name: 'DRIFT_WINDOW', field: 'driftWindow', default: { kind: 'records', size: 10_000 }, shownDefault: '10000', secret: false,
    description: 'Drift monitoring window: the last N records (100 to 1000000), a duration such as 15m or 1h (60s to 24h), or off.',
    parse: driftWindow,
  }),
  variable({
    name: 'PAYLOAD_LOG', field: 'payloadLog', default: { kind: 'off' }, shownDefault: 'off', secret: false,
    description: 'Payload logging of every data-plane protocol (REST, V2): off, stdout, file:<path>, or an http(s):// CloudEvents receiver.',
    parse: payloadLogSink,
  }),
  variable({
    name: 'PAYLOAD_LOG_SAMPLE_RATE', field: 'payloadLogSampleRate', default: 1, secret: false, description: 'Share of requests logged, from 0 to 1.',
    parse: (v) => numberIn(v, 0, 1),
  }),
  variable({
    name: 'PAYLOAD_LOG_DROP_FIELDS', field: 'payloadLogDropFields', default: [], secret: false, description: 'Comma-separated record fields left out of the payload log.',
    parse: fieldNames,
  }),
  variable({
    name: 'PAYLOAD_LOG_HASH_FIELDS', field: 'payloadLogHashFields', default: [], secret: false,
    description: 'Comma-separated record fields written as their HMAC-SHA256 (e.g. customerID): joinable, not readable.', parse: fieldNames,
  }),
  variable({
    name: 'PAYLOAD_LOG_HASH_KEY', field: 'payloadLogHashKey', secret: true,
    description: 'Key of the HMAC of PAYLOAD_LOG_HASH_FIELDS (from a Secret); without it the hash is a plain sha256.', parse: (v) => secretList(v, 16)[0]!,
  }),
  variable({
    name: 'PAYLOAD_LOG_QUEUE_SIZE', field: 'payloadLogQueueSize', default: 10_000, secret: false,
    description: 'Entries waiting to be written; when full, new entries are dropped (and counted), never waited for.', parse: (v) => integerIn(v, 10, 1_000_000),
  }),
  variable({
    name: 'PAYLOAD_LOG_CLOUDEVENTS_MODE', field: 'payloadLogCloudEventsMode', default: 'binary', secret: false,
    description: 'HTTP sink: binary (one event per POST, ce-* headers, as KServe\'s logger), structured, or batch (application/cloudevents-batch+json).',
    parse: (v) => oneOf(v, cloudEventsModes),
  }),
];

/** The one defaults object, from the specs; units are in the names. */
export const serverConfigDefaults: ServerConfig = Object.freeze(Object.fromEntries(
  specs.filter((s) => s.field !== undefined).map((s) => [s.field, s.default]),
) as unknown as ServerConfig);

/** Every variable the server reads: the ConfigMap/Secret contract the Kubernetes manifests are checked against. */
export const serverEnvironmentVariables: readonly { name: string; default?: string; secret: boolean; description: string }[] = specs.map((s) => {
  const shown = s.shownDefault ?? (s.default === undefined || Array.isArray(s.default) ? undefined : String(s.default));
  return shown === undefined ? { name: s.name, secret: s.secret, description: s.description } : { name: s.name, default: shown, secret: s.secret, description: s.description };
});

function specOf(name: string): VariableSpec {
  const spec = specs.find((s) => s.name === name);
  if (spec === undefined) throw new Error(`${name} is not a server variable`);
  return spec;
}

const isSet = (raw: string | undefined): raw is string => raw !== undefined && raw.trim() !== '';

/**
 * One variable read with the server's own parser, for tools that read the server's environment from somewhere
 * else (the simulator reads it from the manifests): the default when unset, INVALID_CONFIG naming it when bad.
 */
export function readServerVariable<K extends keyof ServerConfig>(env: Readonly<Record<string, string | undefined>>, name: string, field: K): ServerConfig[K] {
  const spec = specOf(name);
  if (spec.field !== field) throw new Error(`${name} sets ${String(spec.field)}, not ${String(field)}`);
  const raw = env[name];
  return (isSet(raw) ? spec.parse({ name, raw, secret: spec.secret }) : serverConfigDefaults[field]) as ServerConfig[K];
}

/**
 * Reads and validates the server's variables once. Unset or empty variables take their defaults; the
 * first invalid one throws INVALID_CONFIG naming it. Variables not in the contract are ignored.
 */
export function loadServerConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const config: Mutable<ServerConfig> = { ...serverConfigDefaults };
  for (const spec of specs) {
    const raw = env[spec.name];
    if (!isSet(raw)) continue;
    const value = spec.parse({ name: spec.name, raw, secret: spec.secret });
    if (spec.field !== undefined) (config as Record<string, unknown>)[spec.field] = value;
  }
  if (config.grpcPort !== 0 && config.grpcPort === config.port) {
    throw new ChurnError('INVALID_CONFIG', `GRPC_PORT must differ from PORT (both are ${config.port}); set GRPC_PORT=0 to turn gRPC off`);
  }
  if (isSet(env['AWS_ACCESS_KEY_ID']) !== isSet(env['AWS_SECRET_ACCESS_KEY'])) {
    const missing = isSet(env['AWS_ACCESS_KEY_ID']) ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID';
    throw new ChurnError('INVALID_CONFIG', `${missing} must be set together with ${missing === 'AWS_ACCESS_KEY_ID' ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'}`);
  }
  checkMlflowCredentials(config);
  if (isMlflowUri(config.modelPath) && config.mlflowTrackingUri === undefined) {
    throw new ChurnError('INVALID_CONFIG', `MLFLOW_TRACKING_URI must be set: MODEL_PATH ${config.modelPath} is resolved by an MLflow tracking server`);
  }
  if (config.modelRefreshSeconds !== undefined && !followsAlias(config.modelPath)) {
    throw new ChurnError('INVALID_CONFIG', `MODEL_REFRESH_SECONDS follows a moving MLflow reference (models:/<name>@<alias> or models:/<name>/latest); MODEL_PATH ${config.modelPath} names a fixed model (unset MODEL_REFRESH_SECONDS, or roll out to change it)`);
  }
  return Object.freeze(config);
}

/** Whether MODEL_PATH names a reference that can move: an alias, the latest version, or the latest of a stage. */
function followsAlias(modelPath: string): boolean {
  if (!isMlflowUri(modelPath)) return false;
  const kind = parseMlflowUri(modelPath).kind;
  return kind === 'alias' || kind === 'latest';
}

/** A username without a password (or the other way round) is a mistake, not anonymous access. */
function checkMlflowCredentials(config: Pick<ServerConfig, 'mlflowTrackingUsername' | 'mlflowTrackingPassword'>): void {
  if (config.mlflowTrackingUsername === undefined === (config.mlflowTrackingPassword === undefined)) return;
  const [missing, other] = config.mlflowTrackingUsername === undefined ? ['MLFLOW_TRACKING_USERNAME', 'MLFLOW_TRACKING_PASSWORD'] : ['MLFLOW_TRACKING_PASSWORD', 'MLFLOW_TRACKING_USERNAME'];
  throw new ChurnError('INVALID_CONFIG', `${missing} must be set together with ${other}`);
}

/**
 * MLFLOW_TRACKING_URI and its credentials for commands other than the server (`train --mlflow`, `--model models:/…`),
 * read by the server's own specs; INVALID_CONFIG naming the variable when one is invalid or the URI is unset.
 */
export function mlflowConnectionFromEnvironment(env: Readonly<Record<string, string | undefined>>): MlflowConnection {
  const config = {
    mlflowTrackingUri: readServerVariable(env, 'MLFLOW_TRACKING_URI', 'mlflowTrackingUri'),
    mlflowTrackingToken: readServerVariable(env, 'MLFLOW_TRACKING_TOKEN', 'mlflowTrackingToken'),
    mlflowTrackingUsername: readServerVariable(env, 'MLFLOW_TRACKING_USERNAME', 'mlflowTrackingUsername'),
    mlflowTrackingPassword: readServerVariable(env, 'MLFLOW_TRACKING_PASSWORD', 'mlflowTrackingPassword'),
  };
  if (config.mlflowTrackingUri === undefined) throw new ChurnError('INVALID_CONFIG', 'MLFLOW_TRACKING_URI must be set to the MLflow tracking server (http(s)://host:port)');
  checkMlflowCredentials(config);
  return mlflowConnection(config, config.mlflowTrackingUri);
}

/** The MLflow tracking server and the credentials MLflow's clients would use: Basic when a username is set, else the token. */
export function mlflowConnection(
  config: Pick<ServerConfig, 'mlflowTrackingUsername' | 'mlflowTrackingPassword' | 'mlflowTrackingToken'>, trackingUri: string,
): MlflowConnection {
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
    mlflowTrackingToken: config.mlflowTrackingToken === undefined ? undefined : 'hidden',
    mlflowTrackingUsername: config.mlflowTrackingUsername === undefined ? undefined : 'hidden',
    mlflowTrackingPassword: config.mlflowTrackingPassword === undefined ? undefined : 'hidden',
    payloadLogHashKey: config.payloadLogHashKey === undefined ? undefined : 'hidden',
    payloadLog: config.payloadLog.kind === 'http' ? { kind: 'http', url: withoutCredentials(config.payloadLog.url) } : config.payloadLog,
  };
}
