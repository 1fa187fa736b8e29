import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadServerConfig, mlflowConnection, redactedServerConfig, serverConfigDefaults, serverEnvironmentVariables } from '../../src/config/server-config.js';
import { ChurnError } from '../../src/errors.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { parseModelLocation } from '../../src/sources/model-location.js';

function configError(env: Record<string, string>): ChurnError {
  try {
    loadServerConfig(env);
  } catch (error) {
    assert.ok(error instanceof ChurnError, `expected a ChurnError, got ${String(error)}`);
    return error;
  }
  return assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('loadServerConfig', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadServerConfig({});
    assert.equal(config.port, 8000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.modelPath, bundledModelDirectory);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.maxBatchSize, 1000);
    assert.equal(config.decisionThreshold, undefined);
    assert.equal(config.shutdownDrainSeconds, 5);
    assert.deepEqual(config.apiKeys, []);
    assert.equal(config.awsRegion, 'us-east-1');
    assert.equal(config.maxEventLoopDelayMs, 200);
    assert.equal(config.mlflowTrackingUri, undefined);
    // What docs/server.md says of each default is checked against loadServerConfig by test/server/server-docs.test.ts.
    assert.equal(Object.isFrozen(serverConfigDefaults), true);
  });

  test('empty strings count as unset (an optional key left blank in a ConfigMap)', () => {
    assert.equal(loadServerConfig({ PORT: '', DECISION_THRESHOLD: ' ' }).port, 8000);
  });

  test('reads every variable', () => {
    const config = loadServerConfig({
      PORT: '9000', GRPC_PORT: '9001', HOST: '127.0.0.1', MODEL_PATH: bundledModelDirectory, LOG_LEVEL: 'WARN', MAX_BATCH_SIZE: '50',
      BODY_LIMIT_BYTES: '4096', DECISION_THRESHOLD: '0.25', SHUTDOWN_DRAIN_SECONDS: '0.5', REQUEST_TIMEOUT_MS: '2000',
      KEEP_ALIVE_TIMEOUT_SECONDS: '120', MAX_EVENT_LOOP_DELAY_MS: '0', API_KEYS: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb',
      MLFLOW_TRACKING_URI: 'http://mlflow.ml-serving.svc.cluster.local:5000', AWS_ACCESS_KEY_ID: 'AKIA0000', AWS_SECRET_ACCESS_KEY: 'secret-value',
      MODEL_SHA256: 'AB'.repeat(32), AWS_REGION: 'eu-central-1', AWS_ENDPOINT_URL: 'http://minio.storage:9000',
      MLFLOW_TRACKING_TOKEN: 'mlflow-token', MLFLOW_TRACKING_USERNAME: 'ml-user', MLFLOW_TRACKING_PASSWORD: 'ml-password',
      REQUEST_LOG_SAMPLE_RATE: '0.25', REQUEST_LOG_SLOW_MS: '250', REQUEST_LOG_SUMMARY_SECONDS: '10',
      DRIFT_WINDOW: '1h', PAYLOAD_LOG: 'https://logger.monitoring/events', PAYLOAD_LOG_SAMPLE_RATE: '0.1',
      PAYLOAD_LOG_DROP_FIELDS: 'gender, SeniorCitizen', PAYLOAD_LOG_HASH_FIELDS: 'customerID', PAYLOAD_LOG_HASH_KEY: 'k'.repeat(32),
      PAYLOAD_LOG_QUEUE_SIZE: '500', PAYLOAD_LOG_CLOUDEVENTS_MODE: 'Batch',
    });
    assert.deepEqual({ ...config }, {
      port: 9000, grpcPort: 9001, host: '127.0.0.1', modelPath: bundledModelDirectory, logLevel: 'warn', maxBatchSize: 50,
      bodyLimitBytes: 4096, decisionThreshold: 0.25, shutdownDrainSeconds: 0.5, requestTimeoutMs: 2000,
      keepAliveTimeoutSeconds: 120, maxEventLoopDelayMs: 0, apiKeys: ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb'],
      mlflowTrackingUri: 'http://mlflow.ml-serving.svc.cluster.local:5000/',
      modelSha256: 'ab'.repeat(32), modelRefreshSeconds: undefined, awsRegion: 'eu-central-1', awsEndpointUrl: 'http://minio.storage:9000/',
      mlflowTrackingToken: 'mlflow-token', mlflowTrackingUsername: 'ml-user', mlflowTrackingPassword: 'ml-password',
      requestLogSampleRate: 0.25, requestLogSlowMs: 250, requestLogSummarySeconds: 10,
      driftWindow: { kind: 'time', seconds: 3600 }, payloadLog: { kind: 'http', url: 'https://logger.monitoring/events' }, payloadLogSampleRate: 0.1,
      payloadLogDropFields: ['gender', 'SeniorCitizen'], payloadLogHashFields: ['customerID'], payloadLogHashKey: 'k'.repeat(32),
      payloadLogQueueSize: 500, payloadLogCloudEventsMode: 'batch',
    });
  });

  const invalid: [string, string][] = [
    ['PORT', 'abc'], ['PORT', '70000'], ['PORT', '80.5'], ['GRPC_PORT', '-1'], ['GRPC_PORT', 'grpc'], ['GRPC_PORT', '8000'], ['HOST', 'a\nb'], ['MODEL_PATH', '/nonexistent/model'],
    ['LOG_LEVEL', 'loud'], ['MAX_BATCH_SIZE', '0'], ['MAX_BATCH_SIZE', '1e3'], ['BODY_LIMIT_BYTES', '10'],
    ['DECISION_THRESHOLD', '1.5'], ['DECISION_THRESHOLD', 'NaN'], ['SHUTDOWN_DRAIN_SECONDS', '-1'],
    ['REQUEST_TIMEOUT_MS', '10'], ['KEEP_ALIVE_TIMEOUT_SECONDS', '0'], ['MAX_EVENT_LOOP_DELAY_MS', 'fast'],
    ['API_KEYS', 'short'], ['MLFLOW_TRACKING_URI', 'not a url'], ['MLFLOW_TRACKING_URI', 'ftp://host/'],
    ['MODEL_SHA256', 'abc'], ['MODEL_SHA256', 'g'.repeat(64)], ['AWS_REGION', 'US East'], ['AWS_ENDPOINT_URL', 's3://bucket'],
    ['REQUEST_LOG_SAMPLE_RATE', '2'], ['REQUEST_LOG_SLOW_MS', 'slow'], ['REQUEST_LOG_SUMMARY_SECONDS', '1.5'],
    ['DRIFT_WINDOW', '10'], ['DRIFT_WINDOW', '5s'], ['DRIFT_WINDOW', 'of'], ['DRIFT_WINDOW', '2d'], ['DRIFT_WINDOW', '-1h'], ['PAYLOAD_LOG', 'syslog'], ['PAYLOAD_LOG', 'file:'],
    ['PAYLOAD_LOG_SAMPLE_RATE', '2'], ['PAYLOAD_LOG_DROP_FIELDS', ' , '], ['PAYLOAD_LOG_HASH_KEY', 'short'], ['PAYLOAD_LOG_QUEUE_SIZE', '1'],
    ['PAYLOAD_LOG_CLOUDEVENTS_MODE', 'kafka'],
  ];
  for (const [name, value] of invalid) {
    test(`${name}=${JSON.stringify(value)} is INVALID_CONFIG naming the variable in one line`, () => {
      const error = configError({ [name]: value });
      assert.equal(error.code, 'INVALID_CONFIG');
      assert.ok(error.message.startsWith(`${name} `), error.message);
      assert.ok(!error.message.includes('\n'));
    });
  }

  test('MODEL_PATH may name a file or a URL, and takes exactly what the model loader can load', () => {
    assert.equal(loadServerConfig({ MODEL_PATH: `${bundledModelDirectory}/manifest.json` }).modelPath, `${bundledModelDirectory}/manifest.json`);
    assert.equal(loadServerConfig({ MODEL_PATH: 's3://models/churn/1.0.0/model.json' }).modelPath, 's3://models/churn/1.0.0/model.json');
    assert.equal(loadServerConfig({ MODEL_PATH: 'https://models.example/churn/model.onnx?sig=1' }).modelPath, 'https://models.example/churn/model.onnx?sig=1');
    // An http(s) prefix names no model file (a web server cannot list a folder; an S3 prefix ending in / is a folder):
    // the loader would refuse it, so start-up refuses it first, by name.
    for (const location of ['s3://models', 'https://models.example/', 'ftp://models/churn']) {
      const error = configError({ MODEL_PATH: location });
      assert.equal(error.code, 'INVALID_CONFIG');
      assert.ok(error.message.startsWith('MODEL_PATH '), error.message);
    }
  });

  test('MODEL_PATH is parsed by the loader\'s own parser: what start-up accepts, the loader loads', () => {
    const mlflow = { MLFLOW_TRACKING_URI: 'http://mlflow.ml.svc:5000' };
    for (const uri of ['models:/churn/3', 'models:/churn@champion', 'models:/churn/latest', 'models:/churn/Production', 'models:/m-0123abcd', 'runs:/0123abcd/model']) {
      assert.equal(loadServerConfig({ ...mlflow, MODEL_PATH: uri }).modelPath, uri);
      assert.deepEqual(parseModelLocation(uri).kind, 'mlflow');
    }
    assert.equal(parseModelLocation('s3://models/churn/1.0.0/').kind, 's3-folder');
    for (const bad of ['models:/', 'models:/churn@', 'models:/@champion', 'models://profile/churn/1', 'runs:/0123abcd', 'runs:/0123abcd/../x', 'http://models.example/', 'gs://bucket/model.json']) {
      const error = configError({ ...mlflow, MODEL_PATH: bad });
      assert.equal(error.code, 'INVALID_CONFIG');
      assert.ok(error.message.startsWith('MODEL_PATH '), error.message);
      assert.throws(() => parseModelLocation(bad), (e: unknown) => e instanceof ChurnError && e.code === 'INVALID_CONFIG', bad);
    }
  });

  test('a registry MODEL_PATH needs MLFLOW_TRACKING_URI; MLflow credentials come from the Secret, never the URL', () => {
    const missing = configError({ MODEL_PATH: 'models:/churn@champion' });
    assert.ok(missing.message.startsWith('MLFLOW_TRACKING_URI '), missing.message);
    const inUrl = configError({ MLFLOW_TRACKING_URI: 'https://ml-user:ml-token@mlflow.example/' });
    assert.ok(inUrl.message.startsWith('MLFLOW_TRACKING_URI ') && !inUrl.message.includes('ml-token'), inUrl.message);
    assert.ok(configError({ MLFLOW_TRACKING_USERNAME: 'ml-user' }).message.startsWith('MLFLOW_TRACKING_PASSWORD '));
    assert.ok(configError({ MLFLOW_TRACKING_PASSWORD: 'ml-password' }).message.startsWith('MLFLOW_TRACKING_USERNAME '));
    assert.equal(configError({ MLFLOW_TRACKING_URI: 'file:///mlruns' }).code, 'INVALID_CONFIG');
  });

  test('MODEL_REFRESH_SECONDS follows an alias or latest; a fixed MODEL_PATH with it stops start-up naming it', () => {
    const mlflow = { MLFLOW_TRACKING_URI: 'http://mlflow.ml.svc:5000', MODEL_REFRESH_SECONDS: '30' };
    assert.equal(loadServerConfig({ ...mlflow, MODEL_PATH: 'models:/churn@champion' }).modelRefreshSeconds, 30);
    assert.equal(loadServerConfig({ ...mlflow, MODEL_PATH: 'models:/churn/latest' }).modelRefreshSeconds, 30);
    assert.equal(loadServerConfig({ MLFLOW_TRACKING_URI: 'http://mlflow.ml.svc:5000', MODEL_PATH: 'models:/churn@champion' }).modelRefreshSeconds, undefined);
    for (const fixed of ['models:/churn/3', 'runs:/0123abcd/model', bundledModelDirectory]) {
      assert.ok(configError({ ...mlflow, MODEL_PATH: fixed }).message.startsWith('MODEL_REFRESH_SECONDS '), fixed);
    }
    assert.ok(configError({ ...mlflow, MODEL_PATH: 'models:/churn@champion', MODEL_REFRESH_SECONDS: '0' }).message.startsWith('MODEL_REFRESH_SECONDS '));
  });

  test('mlflowConnection uses Basic credentials when a username is set, else the token, as MLflow clients do', () => {
    const base = { MLFLOW_TRACKING_URI: 'https://mlflow.example/' };
    const uri = 'https://mlflow.example/';
    assert.deepEqual(mlflowConnection(loadServerConfig(base), uri), { trackingUri: uri });
    assert.deepEqual(mlflowConnection(loadServerConfig({ ...base, MLFLOW_TRACKING_TOKEN: 't0ken' }), uri), { trackingUri: uri, credentials: { token: 't0ken' } });
    assert.deepEqual(
      mlflowConnection(loadServerConfig({ ...base, MLFLOW_TRACKING_TOKEN: 't0ken', MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' }), uri),
      { trackingUri: uri, credentials: { username: 'u', password: 'p' } },
    );
  });

  test('secret values never appear in the message', () => {
    const error = configError({ API_KEYS: 'a-long-enough-secret-key, tiny' });
    assert.ok(!error.message.includes('a-long-enough-secret-key'));
    assert.ok(!error.message.includes('tiny'));
  });

  test('GRPC_PORT defaults to 8081, 0 turns gRPC off, and it may not share PORT', () => {
    assert.equal(loadServerConfig({}).grpcPort, 8081);
    assert.equal(loadServerConfig({ GRPC_PORT: '0' }).grpcPort, 0);
    assert.equal(loadServerConfig({ PORT: '0', GRPC_PORT: '0' }).grpcPort, 0);
    assert.ok(configError({ PORT: '9000', GRPC_PORT: '9000' }).message.startsWith('GRPC_PORT '));
  });

  test('AWS credentials come in pairs', () => {
    assert.equal(configError({ AWS_ACCESS_KEY_ID: 'AKIA0000' }).code, 'INVALID_CONFIG');
  });

  test('the redacted view hides secrets', () => {
    const config = loadServerConfig({
      API_KEYS: 'aaaaaaaaaaaaaaaa', AWS_ACCESS_KEY_ID: 'AKIA0000', AWS_SECRET_ACCESS_KEY: 'secret-value',
      MLFLOW_TRACKING_URI: 'https://mlflow.example:5000/', MODEL_PATH: 'https://bot:dl-token@models.example/churn/model.json',
      MLFLOW_TRACKING_USERNAME: 'ml-user', MLFLOW_TRACKING_PASSWORD: 'ml-password', MLFLOW_TRACKING_TOKEN: 'ml-token',
      PAYLOAD_LOG: 'https://log-user:log-token@logger.example/', PAYLOAD_LOG_HASH_KEY: 'hash-key-hash-key-hash-key',
    });
    const text = JSON.stringify(redactedServerConfig(config));
    for (const secret of ['aaaaaaaaaaaaaaaa', 'AKIA0000', 'secret-value', 'ml-token', 'dl-token', 'ml-user', 'ml-password', 'log-token', 'hash-key-hash-key']) assert.ok(!text.includes(secret), text);
    assert.ok(text.includes('mlflow.example:5000'));
  });
});

describe('serverEnvironmentVariables', () => {
  test('lists the contract with no duplicates and marks secrets', () => {
    const names = serverEnvironmentVariables.map((v) => v.name);
    assert.equal(new Set(names).size, names.length);
    for (const required of ['PORT', 'HOST', 'MODEL_PATH', 'LOG_LEVEL', 'MAX_BATCH_SIZE', 'BODY_LIMIT_BYTES', 'DECISION_THRESHOLD',
      'SHUTDOWN_DRAIN_SECONDS', 'REQUEST_TIMEOUT_MS', 'API_KEYS', 'MLFLOW_TRACKING_URI', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
      assert.ok(names.includes(required), required);
    }
    const secrets = serverEnvironmentVariables.filter((v) => v.secret).map((v) => v.name).sort();
    assert.deepEqual(secrets, ['API_KEYS', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'MLFLOW_TRACKING_PASSWORD', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_TRACKING_USERNAME', 'PAYLOAD_LOG_HASH_KEY']);
    for (const variable of serverEnvironmentVariables) {
      assert.ok(variable.description.length > 10, variable.name);
      if (variable.secret) assert.equal(variable.default, undefined, `${variable.name} must have no default`);
    }
    assert.equal(serverEnvironmentVariables.find((v) => v.name === 'PORT')?.default, '8000');
  });

  test('every listed default is accepted by loadServerConfig', () => {
    for (const variable of serverEnvironmentVariables) {
      if (variable.default === undefined || variable.name === 'MODEL_PATH') continue;
      assert.doesNotThrow(() => loadServerConfig({ [variable.name]: variable.default }), variable.name);
    }
  });
});
