import { PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import S3rver from 's3rver';
import { stringify } from 'yaml';
import { packageRoot } from '../../src/foundation/package-files.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { NativeRuntime } from '../../src/runtimes/native-runtime.js';
import { openModelWithProvenance } from '../../src/runtimes/open-model-from.js';
import { s3Client } from '../../src/sources/s3-download.js';
import { s3rverCredentials, withAwsEnvironment } from '../helpers/aws-environment.js';
import { temporaryDirectory } from '../helpers/fixtures.js';
import { isCode, xgboostFlavor } from '../helpers/mlflow-folders.js';

const xgboostFile = join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json');

describe('MODEL_PATH=s3://bucket/prefix/ is a folder (s3rver)', () => {
  const directory = temporaryDirectory();
  let s3rver: S3rver;
  let endpoint: string;
  before(async () => {
    s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'models', configs: [] }] });
    endpoint = `http://127.0.0.1:${((await s3rver.run()) as AddressInfo).port}`;
    await withAwsEnvironment(s3rverCredentials, async () => {
      const client = s3Client({ region: 'us-east-1', endpoint });
      for (const file of readdirSync(bundledModelDirectory)) {
        await client.send(new PutObjectCommand({ Bucket: 'models', Key: `churn/native/${file}`, Body: readFileSync(join(bundledModelDirectory, file)) }));
      }
      await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'churn/mlflow/MLmodel', Body: stringify({ flavors: xgboostFlavor() }) }));
      await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'churn/mlflow/model.json', Body: readFileSync(xgboostFile) }));
      client.destroy();
    });
  });
  after(async () => {
    await s3rver.close();
    rmSync(directory, { recursive: true, force: true });
  });
  const options = () => ({ attempts: 2, backoffMs: 5, s3: { region: 'us-east-1', endpoint } });
  const open = (path: string, sha256?: string) => withAwsEnvironment(s3rverCredentials, () => openModelWithProvenance(path, { ...options(), ...(sha256 === undefined ? {} : { sha256 }) }));

  it('a native artifact folder, pinned by its manifest\'s sha256', async () => {
    const manifestSha = createHash('sha256').update(readFileSync(join(bundledModelDirectory, 'manifest.json'))).digest('hex');
    const { runtime, provenance } = await open('s3://models/churn/native/', manifestSha);
    assert.ok(runtime instanceof NativeRuntime);
    assert.deepEqual([provenance.kind, provenance.sha256], ['s3-folder', manifestSha]);
    await assert.rejects(open('s3://models/churn/native/', '1'.repeat(64)), isCode('ARTIFACT_CHECKSUM_MISMATCH'));
  });

  it('an MLflow model folder, and an empty prefix is ARTIFACT_NOT_FOUND', async () => {
    const { provenance } = await open('s3://models/churn/mlflow/');
    assert.equal(provenance.flavor, 'xgboost');
    await assert.rejects(open('s3://models/churn/nothing/'), isCode('ARTIFACT_NOT_FOUND'));
  });
});
