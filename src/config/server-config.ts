import { ChurnError } from '../errors.js';
import { bundledModelDirectory } from '../model/bundled-model.js';
import {
  absoluteUrl, awsRegion, driftWindow, fieldNames, integerIn, nonEmptyText, numberIn, oneOf, modelLocation, payloadLogSink, secretList, sha256Hex,
  type EnvValue,
} from './env-values.js';

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
  readonly mlflowTrackingUri: string | undefined;
  /** Expected sha256 (lowercase hex) of the model file MODEL_PATH names; undefined skips the check. */
  readonly modelSha256: string | undefined;
  /** Credentials for loading models from S3. Secret. */
  readonly awsAccessKeyId: string | undefined;
  readonly awsSecretAccessKey: string | undefined;
  readonly awsRegion: string;
  /** An S3-compatible store (MinIO, Ceph, R2) instead of AWS; undefined means AWS. */
  readonly awsEndpointUrl: string | undefined;
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
  modelSha256: undefined,
  awsAccessKeyId: undefined,
  awsSecretAccessKey: undefined,
  awsRegion: 'us-east-1',
  awsEndpointUrl: undefined,
  driftWindow: { kind: 'records' as const, size: 10_000 },
  payloadLog: { kind: 'off' as const },
  payloadLogSampleRate: 1,
  payloadLogDropFields: [],
  payloadLogHashFields: [],
  payloadLogHashKey: undefined,
  payloadLogQueueSize: 10_000,
  payloadLogCloudEventsMode: 'binary' as const,
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
    name: 'MLFLOW_TRACKING_URI', secret: false, description: 'MLflow tracking server (accepted for model loading from a registry; not used yet).',
    apply: (v, c) => { c.mlflowTrackingUri = absoluteUrl(v, ['http', 'https', 'file']); },
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
  {
    name: 'DRIFT_WINDOW', secret: false, default: '10000',
    description: 'Drift monitoring window: the last N records (100 to 1000000), a duration such as 15m or 1h (60s to 24h), or off.',
    apply: (v, c) => { c.driftWindow = driftWindow(v); },
  },
  {
    name: 'PAYLOAD_LOG', secret: false, default: 'off',
    description: 'Payload logging of /predict*: off, stdout, file:<path>, or an http(s):// CloudEvents receiver.',
    apply: (v, c) => { c.payloadLog = payloadLogSink(v); },
  },
  {
    name: 'PAYLOAD_LOG_SAMPLE_RATE', secret: false, default: String(d.payloadLogSampleRate), description: 'Share of requests logged, from 0 to 1.',
    apply: (v, c) => { c.payloadLogSampleRate = numberIn(v, 0, 1); },
  },
  {
    name: 'PAYLOAD_LOG_DROP_FIELDS', secret: false, description: 'Comma-separated record fields left out of the payload log.',
    apply: (v, c) => { c.payloadLogDropFields = fieldNames(v); },
  },
  {
    name: 'PAYLOAD_LOG_HASH_FIELDS', secret: false, description: 'Comma-separated record fields written as their HMAC-SHA256 (e.g. customerID): joinable, not readable.',
    apply: (v, c) => { c.payloadLogHashFields = fieldNames(v); },
  },
  {
    name: 'PAYLOAD_LOG_HASH_KEY', secret: true, description: 'Key of the HMAC of PAYLOAD_LOG_HASH_FIELDS (from a Secret); without it the hash is a plain sha256.',
    apply: (v, c) => { c.payloadLogHashKey = secretList(v, 16)[0]!; },
  },
  {
    name: 'PAYLOAD_LOG_QUEUE_SIZE', secret: false, default: String(d.payloadLogQueueSize),
    description: 'Entries waiting to be written; when full, new entries are dropped (and counted), never waited for.',
    apply: (v, c) => { c.payloadLogQueueSize = integerIn(v, 10, 1_000_000); },
  },
  {
    name: 'PAYLOAD_LOG_CLOUDEVENTS_MODE', secret: false, default: d.payloadLogCloudEventsMode,
    description: 'HTTP sink: binary (one event per POST, ce-* headers, as KServe\'s logger), structured, or batch (application/cloudevents-batch+json).',
    apply: (v, c) => { c.payloadLogCloudEventsMode = oneOf(v, cloudEventsModes); },
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
  return Object.freeze(config);
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
    mlflowTrackingUri: withoutCredentials(config.mlflowTrackingUri),
    apiKeys: config.apiKeys.length === 0 ? 'none' : `${config.apiKeys.length} key(s), hidden`,
    awsAccessKeyId: config.awsAccessKeyId === undefined ? undefined : 'hidden',
    awsSecretAccessKey: config.awsSecretAccessKey === undefined ? undefined : 'hidden',
    payloadLogHashKey: config.payloadLogHashKey === undefined ? undefined : 'hidden',
    payloadLog: config.payloadLog.kind === 'http' ? { kind: 'http', url: withoutCredentials(config.payloadLog.url) } : config.payloadLog,
  };
}
