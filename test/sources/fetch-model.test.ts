import { PutObjectCommand } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import S3rver from 's3rver';
import { ChurnError } from '../../src/errors.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { fetchModel, type FetchOptions } from '../../src/sources/fetch-model.js';
import { sidecarManifestName } from '../../src/runtimes/sidecar-manifest.js';
import { openModelFrom } from '../../src/runtimes/open-model-from.js';
import { s3Client } from '../../src/sources/s3-download.js';
import { temporaryDirectory } from '../helpers/fixtures.js';
import { s3rverCredentials, withAwsEnvironment } from '../helpers/aws-environment.js';

const model = readFileSync(join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json'));
const modelSha = createHash('sha256').update(model).digest('hex');
const sidecar = JSON.stringify({ name: 'from-the-store', version: '7' });
const quick: FetchOptions = { attempts: 3, backoffMs: 5, timeoutMs: 5000 };

function isCode(code: string) {
  return (error: unknown) => error instanceof ChurnError && error.code === code;
}

// A private temporary folder for this file: other test files and processes download models too, and their
// folders would come and go while these tests count ours.
const privateTmp = temporaryDirectory('fetch-model-tmp-');
const sharedTmp = process.env['TMPDIR'];
process.env['TMPDIR'] = privateTmp;
process.on('exit', () => {
  if (sharedTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = sharedTmp;
  rmSync(privateTmp, { recursive: true, force: true });
});

/** Our temporary directories; a failed fetch must leave none behind. */
function downloadDirectories(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('churn-model-'));
}

describe('fetchModel over HTTP', () => {
  let server: Server;
  let base: string;
  const hits = new Map<string, number>();
  const queries: string[] = [];
  before(async () => {
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname;
      if (url.search !== '') queries.push(url.search);
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path === '/m/model.json' || (path === '/flaky/model.json' && hits.get(path)! > 2)) {
        response.writeHead(200, { 'content-length': model.length }).end(model);
      } else if (path === '/m/model.manifest.json') {
        response.writeHead(200).end(sidecar);
      } else if (path === '/flaky/model.json') {
        response.writeHead(503).end();
      } else if (path === '/truncated/model.json') {
        // Announces the whole file, sends half, then drops the connection.
        response.writeHead(200, { 'content-length': model.length });
        response.write(model.subarray(0, model.length >> 1), () => response.socket?.destroy());
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

  it('downloads into a temporary directory, verifies MODEL_SHA256, fetches the companion (sidecar), logs progress', async () => {
    const lines: string[] = [];
    const fetched = await fetchModel(`${base}/m/model.json`, { ...quick, companion: sidecarManifestName, sha256: modelSha.toUpperCase(), log: (m) => lines.push(m) });
    try {
      assert.deepEqual(readFileSync(fetched.path), model);
      assert.deepEqual(readdirSync(join(fetched.path, '..')).sort(), ['model.json', 'model.manifest.json']);
      assert.ok(lines.includes('model download progress') && lines.includes('model downloaded'));
    } finally {
      fetched.dispose();
    }
    assert.equal(existsSync(fetched.path), false);
    // A presigned URL keeps its query string.
    const runtime = await openModelFrom(`${base}/m/model.json?X-Amz-Signature=abc`, quick);
    assert.deepEqual(queries, ['?X-Amz-Signature=abc']);
    assert.equal(runtime.description.name, 'from-the-store');
    assert.equal(runtime.description.version, '7');
  });

  it('retries transient failures with backoff, and does not retry a missing file', async () => {
    const retries: unknown[] = [];
    const fetched = await fetchModel(`${base}/flaky/model.json`, { ...quick, log: (m, f) => { if (m.includes('retrying')) retries.push(f); } });
    fetched.dispose();
    assert.equal(retries.length, 2);
    await assert.rejects(fetchModel(`${base}/missing/model.json`, quick), isCode('MODEL_FETCH_FAILED'));
    assert.equal(hits.get('/missing/model.json'), 1);
  });

  it('fails start-up on a truncated download and a checksum mismatch, leaving nothing behind', async () => {
    const before = downloadDirectories().length;
    await assert.rejects(fetchModel(`${base}/truncated/model.json`, quick), isCode('MODEL_FETCH_FAILED'));
    assert.equal(hits.get('/truncated/model.json'), 3, 'a truncated body is retried');
    await assert.rejects(fetchModel(`${base}/m/model.json`, { ...quick, sha256: '0'.repeat(64) }), isCode('ARTIFACT_CHECKSUM_MISMATCH'));
    await assert.rejects(fetchModel(`${base}/m/model.json`, { ...quick, sha256: 'abc' }), isCode('INVALID_CONFIG'));
    await assert.rejects(fetchModel('http://127.0.0.1:1/model.json', { ...quick, attempts: 2 }), isCode('MODEL_FETCH_FAILED'));
    assert.equal(downloadDirectories().length, before);
  });

  it('checks MODEL_SHA256 on local files too', async () => {
    const file = join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json');
    (await fetchModel(file, { sha256: modelSha })).dispose();
    await assert.rejects(fetchModel(file, { sha256: 'f'.repeat(64) }), isCode('ARTIFACT_CHECKSUM_MISMATCH'));
    await assert.rejects(fetchModel('ftp://host/model.json'), isCode('INVALID_CONFIG'));
  });
});

describe('fetchModel from S3 (s3rver)', () => {
  const directory = temporaryDirectory();
  const credentials = s3rverCredentials;
  const region = 'us-east-1';
  let s3rver: S3rver;
  let endpoint: string;
  before(async () => {
    s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'models', configs: [] }] });
    const address = (await s3rver.run()) as AddressInfo;
    endpoint = `http://127.0.0.1:${address.port}`;
    await withAwsEnvironment(credentials, async () => {
      const client = s3Client({ region, endpoint });
      await client.send(new PutObjectCommand({ Bucket: 'models', Key: 'churn/v1/model.json', Body: model }));
      client.destroy();
    });
  });
  after(async () => {
    await s3rver.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('downloads s3://bucket/key with AWS_ENDPOINT_URL and credentials from the environment, and verifies it', async () => {
    const runtime = await withAwsEnvironment(credentials, () => openModelFrom('s3://models/churn/v1/model.json', { ...quick, sha256: modelSha, s3: { region, endpoint } }));
    assert.equal(runtime.description.format, 'xgboost-json');
    assert.equal(runtime.description.name, 'model');
  });

  it('fails clearly on wrong credentials, a missing key and a checksum mismatch', async () => {
    const before = downloadDirectories().length;
    // s3rver checks the access key id but not SigV4 signatures, so the wrong credentials are a wrong key id.
    await assert.rejects(
      withAwsEnvironment({ AWS_ACCESS_KEY_ID: 'AKIAWRONG', AWS_SECRET_ACCESS_KEY: 'wrong' }, () => fetchModel('s3://models/churn/v1/model.json', { ...quick, s3: { region, endpoint } })),
      (e: unknown) => isCode('MODEL_FETCH_FAILED')(e) && /SignatureDoesNotMatch|AccessDenied|InvalidAccessKeyId/.test((e as Error).message),
    );
    await withAwsEnvironment(credentials, async () => {
      await assert.rejects(fetchModel('s3://models/churn/v2/model.json', { ...quick, s3: { region, endpoint } }), (e: unknown) => isCode('MODEL_FETCH_FAILED')(e) && /NoSuchKey/.test((e as Error).message));
      await assert.rejects(fetchModel('s3://models/churn/v1/model.json', { ...quick, sha256: '1'.repeat(64), s3: { region, endpoint } }), isCode('ARTIFACT_CHECKSUM_MISMATCH'));
    });
    assert.equal(downloadDirectories().length, before);
  });
});

describe('fetchModel from S3: credentials from the SDK\'s default chain', () => {
  it('sends AWS_SESSION_TOKEN (STS, SSO credentials) with the request, signed by the real SDK', async () => {
    // A store that records what the SDK sends; s3rver ignores session tokens, so it could not tell.
    const seen: Record<string, string | string[] | undefined>[] = [];
    const store = createServer((request, response) => {
      seen.push(request.headers);
      response.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code><Message>no</Message></Error>');
    });
    await new Promise<void>((resolve) => store.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(store.address() as AddressInfo).port}`;
    try {
      await withAwsEnvironment({ AWS_ACCESS_KEY_ID: 'ASIATEMPORARY', AWS_SECRET_ACCESS_KEY: 'temporary-secret', AWS_SESSION_TOKEN: 'session-token-from-sts' }, async () => {
        await assert.rejects(fetchModel('s3://models/churn/v1/model.json', { ...quick, attempts: 1, s3: { region: 'eu-west-1', endpoint } }), isCode('MODEL_FETCH_FAILED'));
      });
    } finally {
      store.close();
    }
    assert.ok(seen.length > 0);
    assert.equal(seen[0]!['x-amz-security-token'], 'session-token-from-sts');
    assert.match(String(seen[0]!['authorization']), /Credential=ASIATEMPORARY\/\d{8}\/eu-west-1\/s3\//);
  });
});
