import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import S3rver from 's3rver';
import { writeOnnxModel } from '../../src/export/write-onnx-model.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { dataRecords, temporaryDirectory } from '../helpers/fixtures.js';
import { predictNativeBatch } from '../helpers/native-plane.js';
import { bundledModel } from './app-harness.js';
import { runFailingServer, startChildServer } from './child-server.js';

const xgboostModel = readFileSync(join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json'));
const xgboostSha = createHash('sha256').update(xgboostModel).digest('hex');
const credentials = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
const json = { 'content-type': 'application/json' };

/** `churn-predictor serve` (a child process, as the image runs it) with MODEL_PATH naming a model in a store. */
describe('start-up from a model in S3 or behind HTTP', { timeout: 120_000 }, () => {
  const directory = temporaryDirectory();
  let s3rver: S3rver;
  let s3Endpoint: string;
  let http: Server;
  let httpBase: string;

  before(async () => {
    s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(directory, 's3'), configureBuckets: [{ name: 'models', configs: [] }] });
    s3Endpoint = `http://127.0.0.1:${((await s3rver.run()) as AddressInfo).port}`;
    // The uploader is a plain SDK client with its own credentials; the server gets its credentials from the environment.
    const client = new S3Client({ region: 'us-east-1', endpoint: s3Endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'churn/v7/model.json', Body: xgboostModel }));
    await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'churn/v7/model.manifest.json', Body: JSON.stringify({ name: 'churn-xgb', version: '7', threshold: 0.6 }) }));
    client.destroy();

    const exported = join(directory, 'http', 'churn.onnx');
    writeOnnxModel(bundledModel(), exported);
    http = createServer((request, response) => {
      const name = new URL(request.url ?? '/', 'http://127.0.0.1').pathname.split('/').pop() ?? '';
      if (name !== 'churn.onnx' && name !== 'churn.manifest.json') return void response.writeHead(404).end();
      response.writeHead(200).end(readFileSync(join(directory, 'http', name)));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpBase = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  after(async () => {
    await s3rver.close();
    await new Promise((resolve) => http.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  });

  test('s3:// with AWS_ENDPOINT_URL and MODEL_SHA256: downloads, verifies, serves the sidecar\'s name and threshold', async () => {
    const server = await startChildServer({
      MODEL_PATH: 's3://models/churn/v7/model.json', AWS_ENDPOINT_URL: s3Endpoint, MODEL_SHA256: xgboostSha.toUpperCase(), ...credentials,
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      assert.deepEqual(await (await fetch(`${base}/health`)).json(), { status: 'ok', modelName: 'churn-xgb', modelVersion: '7' });
      const prediction = await (await fetch(`${base}/predict`, { method: 'POST', headers: json, body: JSON.stringify({ tenure: 3, age: 40 }) })).json() as { threshold: number; modelVersion: string };
      assert.deepEqual([prediction.threshold, prediction.modelVersion], [0.6, '7']);
      const loaded = server.logs.find((line) => line['msg'] === 'model loaded and verified');
      assert.deepEqual([loaded?.['format'], loaded?.['model']], ['xgboost-json', 'churn-xgb']);
      assert.ok(!JSON.stringify(server.logs).includes('S3RVER'), 'credentials never reach the log');
    } finally {
      server.kill();
    }
  });

  test('https?:// ONNX with its manifest: scores as the native model does', async () => {
    const server = await startChildServer({ MODEL_PATH: `${httpBase}/models/churn.onnx` });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const records = dataRecords().slice(0, 20);
      const response = await fetch(`${base}/predict/batch`, { method: 'POST', headers: json, body: JSON.stringify({ records }) });
      const body = await response.json() as { failed: number; results: { churnProbability: number }[] };
      assert.equal(body.failed, 0);
      const native = predictNativeBatch(bundledModel(), records).results;
      body.results.forEach((result, i) => assert.ok('churnProbability' in native[i]! && Math.abs(result.churnProbability - native[i].churnProbability) < 1e-5));
    } finally {
      server.kill();
    }
  });

  test('a checksum mismatch, wrong credentials or a missing model stop start-up with their code, exit 1', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ MODEL_PATH: 's3://models/churn/v7/model.json', AWS_ENDPOINT_URL: s3Endpoint, MODEL_SHA256: '0'.repeat(64), ...credentials }, 'ARTIFACT_CHECKSUM_MISMATCH'],
      [{ MODEL_PATH: 's3://models/churn/v7/model.json', AWS_ENDPOINT_URL: s3Endpoint, AWS_ACCESS_KEY_ID: 'AKIAWRONG', AWS_SECRET_ACCESS_KEY: 'wrong-secret' }, 'MODEL_FETCH_FAILED'],
      [{ MODEL_PATH: `${httpBase}/models/missing.onnx` }, 'MODEL_FETCH_FAILED'],
    ];
    for (const [env, code] of cases) {
      const result = await runFailingServer(env, 60_000);
      assert.equal(result.code, 1, `${code}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`^error ${code}: `), result.stderr);
      assert.ok(!result.stderr.includes('wrong-secret'));
    }
  });
});
