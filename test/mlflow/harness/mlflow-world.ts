import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import S3rver from 's3rver';
import { writeOnnxModel } from '../../../src/export/write-onnx-model.js';
import { bundledDataFile } from '../../../src/model/bundled-model.js';
import { s3Client } from '../../../src/sources/s3-download.js';
import type { S3Options } from '../../../src/sources/s3-options.js';
import { s3rverCredentials, withAwsEnvironment } from '../../helpers/aws-environment.js';
import { temporaryDirectory } from '../../helpers/fixtures.js';
import { bundledModel } from '../../server/app-harness.js';
import { runVenvPython, startMlflowServer, type MlflowServer } from './mlflow-server.js';

/** A model version the fixture script logged. */
export interface LoggedVersion {
  runId: string;
  modelId: string;
  artifactUri: string;
  version: string;
}

export type ProbeRecord = Record<string, number | null>;

/** What log_fixtures.py --mode registry registered, and the libraries' own predictions. */
export interface RegistryFixtures {
  features: string[];
  records: ProbeRecord[];
  xgb: Record<'1' | '2', LoggedVersion>;
  xgbPredictions: Record<'1' | '2', number[]>;
  ubj: LoggedVersion;
  runArtifacts: { runId: string; path: string };
  onnx: { runId: string; version: string };
  onnxPredictions: number[];
  onnxRecords: ProbeRecord[];
  exportedOnnx: { version: string };
  lightgbm: { version: string } | null;
  lightgbmPredictions?: number[];
  pyfunc: { version: string };
  multiclass: LoggedVersion;
  regression: LoggedVersion;
  missing: LoggedVersion;
  s3: { version: string; source: string };
  mlflowVersion: string;
  xgboostVersion: string;
}

export interface AuthFixtures {
  xgb: LoggedVersion;
  records: ProbeRecord[];
  xgbPredictions: number[];
}

export const admin = { username: 'admin', password: 'admin-password-for-tests' };
export const bearer = { token: 'a-bearer-token-for-the-tests-0123456789', user: 'admin' };
export const reader = { username: 'reader', password: 'reader-password-for-tests' };

/** The MLflow servers and stores one test run shares (starting MLflow takes tens of seconds). */
export interface MlflowWorld {
  registry: MlflowServer;
  auth: MlflowServer;
  fixtures: RegistryFixtures;
  authFixtures: AuthFixtures;
  /** s3rver: its S3 options (its credentials are s3rverCredentials, read from the environment as in a pod). */
  s3: { options: S3Options };
  /** Seconds the fixture scripts took (logging with MLflow's own client). */
  fixtureSeconds: number;
  stop(): Promise<void>;
}

const authConfig = `[mlflow]
default_permission = NO_PERMISSIONS
database_uri = sqlite:///{directory}/basic_auth.db
admin_username = ${admin.username}
admin_password = ${admin.password}
authorization_function = bearer_auth:authenticate
`;

/** Every file below `directory`, by its path relative to it. */
function filesBelow(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' }).filter((p) => statSync(join(directory, p)).isFile());
}

/** `mlflow-artifacts:/<path>` as the file path the server's --artifacts-destination keeps it at. */
export function artifactPath(server: MlflowServer, artifactUri: string): string {
  return join(server.artifactsDir, artifactUri.replace(/^mlflow-artifacts:\/*/, ''));
}

export async function startWorld(): Promise<MlflowWorld> {
  const directory = temporaryDirectory('churn-mlflow-world-');
  const s3Directory = join(directory, 's3');
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Directory, configureBuckets: [{ name: 'mlflow-models', configs: [] }] });
  const s3Endpoint = `http://127.0.0.1:${((await s3rver.run()) as AddressInfo).port}`;
  const s3 = { options: { region: 'us-east-1', endpoint: s3Endpoint } };
  const servers = await Promise.allSettled([
    startMlflowServer({ directory: join(directory, 'registry') }),
    startMlflowServer({ directory: join(directory, 'auth'), basicAuth: { config: authConfig }, env: {
      CHURN_TEST_BEARER_TOKEN: bearer.token, CHURN_TEST_BEARER_USER: bearer.user, MLFLOW_FLASK_SERVER_SECRET_KEY: 'csrf-key-for-the-tests',
    } }),
  ]);
  const stopAll = async () => {
    await Promise.all(servers.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    await s3rver.close();
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    const [registry, auth] = servers.map((s) => { if (s.status === 'rejected') throw s.reason; return s.value; }) as [MlflowServer, MlflowServer];
    const exportedOnnx = join(directory, 'churn.onnx');
    writeOnnxModel(bundledModel(), exportedOnnx);
    const started = performance.now();
    const registryOut = join(directory, 'registry.json');
    const authOut = join(directory, 'auth.json');
    await Promise.all([
      runVenvPython('log_fixtures.py', ['--mode', 'registry', '--data', bundledDataFile, '--exported-onnx', exportedOnnx, '--out', registryOut], { MLFLOW_TRACKING_URI: registry.url }),
      runVenvPython('log_fixtures.py', ['--mode', 'auth', '--data', bundledDataFile, '--out', authOut], { MLFLOW_TRACKING_URI: auth.url, MLFLOW_TRACKING_USERNAME: admin.username, MLFLOW_TRACKING_PASSWORD: admin.password }),
    ]);
    const fixtureSeconds = (performance.now() - started) / 1000;
    const fixtures = JSON.parse(readFileSync(registryOut, 'utf8')) as RegistryFixtures;
    const authFixtures = JSON.parse(readFileSync(authOut, 'utf8')) as AuthFixtures;

    // The S3-kept version: the files of version 1, put where its source points.
    const source = new URL(fixtures.s3.source);
    const folder = artifactPath(registry, fixtures.xgb['1'].artifactUri);
    await withAwsEnvironment(s3rverCredentials, async () => {
      const client = s3Client(s3.options);
      for (const file of filesBelow(folder)) {
        await client.send(new PutObjectCommand({ Bucket: source.hostname, Key: `${source.pathname.slice(1)}/${relative(folder, join(folder, file))}`, Body: readFileSync(join(folder, file)) }));
      }
      client.destroy();
    });
    // The version whose files the store lost.
    rmSync(artifactPath(registry, fixtures.missing.artifactUri), { recursive: true, force: true });

    // A user the auth server knows but has granted nothing (default_permission = NO_PERMISSIONS).
    const created = await fetch(`${auth.url}/api/2.0/mlflow/users/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}` },
      body: JSON.stringify(reader),
    });
    if (!created.ok) throw new Error(`cannot create the reader user: HTTP ${created.status} ${await created.text()}`);

    return { registry, auth, fixtures, authFixtures, s3, fixtureSeconds, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
