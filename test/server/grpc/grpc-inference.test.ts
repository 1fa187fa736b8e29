/**
 * The Open Inference Protocol over gRPC (inference.GRPCInferenceService), asked with grpc-js through the server's
 * own .proto: health, metadata, inference with typed contents and raw bytes (answered alike), every error class
 * with its status code and standard details, credentials, deadlines, limits, grpc.health.v1 and the metrics.
 * Answers are checked against the data plane's own answer for the records the tensors carry.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { packageRoot } from '../../../src/foundation/package-files.js';
import { GrpcMetrics } from '../../../src/server/grpc/grpc-metrics.js';
import { inferenceService } from '../../../src/server/grpc/inference-service.js';
import { inferenceProtos } from '../../../src/server/grpc/protocol-buffers.js';
import { openModel } from '../../../src/runtimes/open-model.js';
import type { InferResult } from '../../../src/serving/data-plane.js';
import { dataRecords } from '../../helpers/fixtures.js';
import { columnBytes, featureColumns, matrixBytes, recordsOf, type Column } from '../../helpers/tensor-columns.js';
import { grpcApp, type GrpcApp } from './grpc-app.js';
import { num } from './grpc-client.js';

const CONTENTS_FIELD = { BYTES: 'bytes_contents', FP32: 'fp32_contents', FP64: 'fp64_contents', INT64: 'int64_contents' } as const;

/** Inputs with typed contents (BYTES as UTF-8 bytes, missing floats as NaN). */
function contentsInputs(columns: readonly Column[]) {
  return columns.map((c) => ({
    name: c.name, datatype: c.datatype, shape: [c.values.length],
    contents: { [CONTENTS_FIELD[c.datatype]]: c.values.map((v) => (c.datatype === 'BYTES' ? Buffer.from(v as string) : v === null ? Number.NaN : v)) },
  }));
}

/** Inputs with raw_input_contents, as tritonclient.grpc sends every request. */
function rawRequest(columns: readonly Column[]) {
  return {
    inputs: columns.map((c) => ({ name: c.name, datatype: c.datatype, shape: [c.values.length] })),
    raw_input_contents: columns.map(columnBytes),
  };
}

/** The data plane's own answer for records (sync for in-process models). */
function planeAnswer(app: GrpcApp, records: readonly unknown[], options: { outputs?: string[]; explain?: boolean } = {}): InferResult {
  const result = app.core.plane.infer(records, options, 'cli');
  assert.ok(!(result instanceof Promise));
  return result;
}

/** An output's values from a response: raw bytes (FP64, INT64, BOOL) or typed contents. */
function outputValues(response: Record<string, any>, index: number): number[] {
  const output = response['outputs'][index];
  const raw: Buffer | undefined = response['raw_output_contents']?.[index];
  if (raw !== undefined && raw.length > 0) {
    const bytes = Buffer.from(raw);
    if (output.datatype === 'BOOL') return [...bytes];
    if (output.datatype === 'INT64') return Array.from(new BigInt64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8), Number);
    return [...new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))];
  }
  const contents = output.contents;
  if (output.datatype === 'BOOL') return contents.bool_contents.map((b: boolean) => (b ? 1 : 0));
  if (output.datatype === 'INT64') return contents.int64_contents.map(num);
  return [...contents.fp64_contents];
}

function assertSameOutputs(response: Record<string, any>, expected: InferResult): void {
  assert.deepEqual(response['outputs'].map((o: { name: string }) => o.name), expected.outputs.map((o) => o.name));
  expected.outputs.forEach((output, i) => {
    const got = response['outputs'][i];
    assert.equal(got.datatype, output.datatype);
    assert.deepEqual(got.shape.map(num), output.width === 1 ? [expected.rows] : [expected.rows, output.width]);
    assert.deepEqual(outputValues(response, i), [...output.data], `output ${output.name}`);
  });
}

describe('gRPC inference.GRPCInferenceService: the native churn model', () => {
  let app: GrpcApp;
  const records = dataRecords().slice(0, 6);
  before(async () => { app = await grpcApp(); });
  after(async () => { await app.close(); });

  test('ServerLive, ServerReady, ServerMetadata; ModelReady and ModelMetadata match V2 REST', async () => {
    const { client } = app;
    assert.equal((await client.call('ServerLive', {})).response?.['live'], true);
    assert.equal((await client.call('ServerReady', {})).response?.['ready'], true);
    const server = (await client.call('ServerMetadata', {})).response!;
    assert.equal(server['name'], 'churn-predictor');
    assert.equal(typeof server['version'], 'string');
    assert.equal((await client.call('ModelReady', { name: 'churn' })).response?.['ready'], true);
    assert.equal((await client.call('ModelReady', { name: 'churn', version: '1.0.0' })).response?.['ready'], true);
    const metadata = (await client.call('ModelMetadata', { name: 'churn' })).response!;
    const rest = JSON.parse((await app.app.inject('/v2/models/churn')).body) as Record<string, any>;
    assert.deepEqual({
      name: metadata['name'], versions: metadata['versions'], platform: metadata['platform'],
      inputs: metadata['inputs'].map((t: any) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(num) })),
      outputs: metadata['outputs'].map((t: any) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(num) })),
    }, rest);
    for (const [method, request] of [['ModelMetadata', { name: 'churn', version: '9' }], ['ModelReady', { name: 'other' }]] as const) {
      const answer = await client.call(method, request);
      assert.equal(answer.code, 'NOT_FOUND', method);
      assert.equal(answer.errorInfo?.reason, 'MODEL_NOT_FOUND');
    }
  });

  test('ModelInfer with typed contents (BYTES, INT64, FP64 with a missing value) answers the data plane\'s outputs as typed contents', async () => {
    const withMissing = [...records, { ...records[0]!, tenure: 0, TotalCharges: null }];
    const columns = featureColumns(app.core.plane.schema, withMissing);
    const answer = await app.client.call('ModelInfer', { model_name: 'churn', id: 'call-1', inputs: contentsInputs(columns) });
    assert.equal(answer.code, 'OK', answer.message);
    const response = answer.response!;
    assert.equal(response['id'], 'call-1');
    assert.equal(response['model_name'], 'churn');
    assert.equal(response['model_version'], '1.0.0');
    assert.equal(response['raw_output_contents'].length, 0);
    assertSameOutputs(response, planeAnswer(app, recordsOf(columns)));
  });

  test('ModelInfer with raw_input_contents (FP32, INT64, BYTES) answers raw_output_contents, as Triton does', async () => {
    const columns = featureColumns(app.core.plane.schema, records, 'FP32');
    const answer = await app.client.call('ModelInfer', { model_name: 'churn', model_version: '1.0.0', ...rawRequest(columns) });
    assert.equal(answer.code, 'OK', answer.message);
    const response = answer.response!;
    assert.equal(response['raw_output_contents'].length, 2);
    assert.equal(response['outputs'][0].contents, null);
    assertSameOutputs(response, planeAnswer(app, recordsOf(columns)));
  });

  test('records as JSON text, requested outputs and explanations (contributions with their columns)', async () => {
    const json = { name: 'records', datatype: 'BYTES', shape: [2], parameters: { content_type: { string_param: 'json' } }, contents: { bytes_contents: records.slice(0, 2).map((r) => Buffer.from(JSON.stringify(r))) } };
    const only = await app.client.call('ModelInfer', { model_name: 'churn', inputs: [json], outputs: [{ name: 'label' }] });
    assertSameOutputs(only.response!, planeAnswer(app, records.slice(0, 2), { outputs: ['label'] }));
    const explained = await app.client.call('ModelInfer', { model_name: 'churn', inputs: [json], parameters: { explain: { bool_param: true } } });
    assert.equal(explained.code, 'OK', explained.message);
    assertSameOutputs(explained.response!, planeAnswer(app, records.slice(0, 2), { explain: true }));
    const contributions = explained.response!['outputs'][2];
    assert.equal(contributions.parameters.columns.string_param.split(',').at(-1), 'base_value');
  });

  const invalid: [string, () => Record<string, unknown>, string, string][] = [
    ['an unknown model', () => ({ model_name: 'nope', inputs: contentsInputs(featureColumns(app.core.plane.schema, records)) }), 'NOT_FOUND', 'MODEL_NOT_FOUND'],
    ['an unknown version', () => ({ model_name: 'churn', model_version: '2', inputs: contentsInputs(featureColumns(app.core.plane.schema, records)) }), 'NOT_FOUND', 'MODEL_NOT_FOUND'],
    ['a shape that does not match the contents', () => {
      const inputs = contentsInputs(featureColumns(app.core.plane.schema, records));
      return { model_name: 'churn', inputs: [{ ...inputs[0]!, shape: [records.length + 1] }, ...inputs.slice(1)] };
    }, 'INVALID_ARGUMENT', 'INVALID_BODY'],
    ['raw bytes that do not match the shape', () => {
      const request = rawRequest(featureColumns(app.core.plane.schema, records));
      return { model_name: 'churn', ...request, raw_input_contents: request.raw_input_contents.map((b, i) => (i === 4 ? b.subarray(1) : b)) };
    }, 'INVALID_ARGUMENT', 'INVALID_BODY'],
    ['a numeric datatype for a categorical input', () => {
      const columns = featureColumns(app.core.plane.schema, records).map((c) => (c.name === 'Contract' ? { ...c, datatype: 'FP64' as const, values: c.values.map(() => 1) } : c));
      return { model_name: 'churn', inputs: contentsInputs(columns) };
    }, 'INVALID_ARGUMENT', 'INVALID_BODY'],
    ['an unknown datatype', () => ({ model_name: 'churn', inputs: [{ name: 'tenure', datatype: 'FLOAT', shape: [1] }] }), 'INVALID_ARGUMENT', 'INVALID_BODY'],
    ['raw_input_contents for fewer inputs than declared', () => {
      const request = rawRequest(featureColumns(app.core.plane.schema, records));
      return { model_name: 'churn', ...request, raw_input_contents: request.raw_input_contents.slice(1) };
    }, 'INVALID_ARGUMENT', 'INVALID_BODY'],
    ['an unknown requested output', () => ({ model_name: 'churn', inputs: contentsInputs(featureColumns(app.core.plane.schema, records)), outputs: [{ name: 'everything' }] }), 'INVALID_ARGUMENT', 'INVALID_BODY'],
  ];
  for (const [what, request, code, reason] of invalid) {
    test(`${what} is ${code} with ErrorInfo reason ${reason}`, async () => {
      const answer = await app.client.call('ModelInfer', request());
      assert.equal(answer.code, code, answer.message);
      assert.equal(answer.errorInfo?.reason, reason);
      assert.equal(answer.errorInfo?.domain, 'churn-predictor');
      assert.ok(answer.message.length > 0);
    });
  }

  test('an invalid record is INVALID_ARGUMENT with a BadRequest detail per invalid field, paths as V2 REST gives them', async () => {
    const columns = featureColumns(app.core.plane.schema, [{ ...records[0]!, tenure: -3 }, records[1]!, { ...records[2]!, Contract: 'Forever' }]);
    const answer = await app.client.call('ModelInfer', { model_name: 'churn', inputs: contentsInputs(columns) });
    assert.equal(answer.code, 'INVALID_ARGUMENT');
    assert.equal(answer.errorInfo?.reason, 'INVALID_RECORD');
    assert.deepEqual(answer.fieldViolations?.map((v) => v.field), ['/0/tenure', '/2/Contract']);
    assert.match(answer.message, /\/0\/tenure/);
  });

  test('bytes that are not a ModelInferRequest are INVALID_ARGUMENT, not INTERNAL', async () => {
    const answer = await app.client.call('ModelInfer', Buffer.from([0x3a, 0x10, 0x01]));
    assert.equal(answer.code, 'INVALID_ARGUMENT');
    assert.equal(answer.errorInfo?.reason, 'INVALID_BODY');
  });

  test('grpc.health.v1: "" and the inference service answer readiness, "liveness" liveness; unknown services NOT_FOUND', async () => {
    for (const service of ['', 'inference.GRPCInferenceService', 'liveness']) {
      assert.equal((await app.client.health(service)).response?.['status'], 'SERVING', service);
    }
    assert.equal((await app.client.health('nothing.Here')).code, 'NOT_FOUND');
  });

  test('grpc.health.v1, as the grpc-health-check package\'s client sees it: List gives every status; Watch of an unknown service says SERVICE_UNKNOWN', async () => {
    const listed = await app.client.healthList();
    assert.equal(listed.code, 'OK');
    assert.deepEqual(listed.response?.['statuses'], {
      '': { status: 'SERVING' }, 'inference.GRPCInferenceService': { status: 'SERVING' }, liveness: { status: 'SERVING' },
    });
    assert.deepEqual(await app.client.watch('nothing.Here', () => true), ['SERVICE_UNKNOWN']);
    assert.deepEqual(await app.client.watch('liveness', () => true), ['SERVING']);
  });

  test('metrics: gRPC calls by method and code, data-plane calls by protocol, and the grpc stages', async () => {
    await app.client.call('ModelInfer', { model_name: 'churn', ...rawRequest(featureColumns(app.core.plane.schema, records)) });
    const text = await app.core.metrics.registry.metrics();
    assert.match(text, /^grpc_server_handled_total\{grpc_type="unary",grpc_service="inference.GRPCInferenceService",grpc_method="ModelInfer",grpc_code="OK"\} [1-9]\d*$/m);
    assert.match(text, /^grpc_server_handled_total\{.*grpc_method="ModelInfer",grpc_code="NOT_FOUND"\} [1-9]/m);
    assert.match(text, /^churn_requests_total\{protocol="grpc",code="OK"\} [1-9]/m);
    assert.match(text, /^churn_requests_total\{protocol="grpc",code="INVALID_RECORD"\} [1-9]/m);
    for (const stage of ['decode', 'validate_encode', 'score', 'encode']) {
      assert.match(text, new RegExp(`^churn_inference_stage_seconds_count\\{model="churn",protocol="grpc",stage="${stage}"\\} [1-9]`, 'm'), stage);
    }
  });
});

describe('gRPC limits, credentials and readiness', () => {
  const records = dataRecords().slice(0, 3);

  test('more records than MAX_BATCH_SIZE is RESOURCE_EXHAUSTED (BATCH_TOO_LARGE); a message over BODY_LIMIT_BYTES is RESOURCE_EXHAUSTED', async () => {
    const app = await grpcApp({ MAX_BATCH_SIZE: '2', BODY_LIMIT_BYTES: '4096' });
    try {
      const tooMany = await app.client.call('ModelInfer', { model_name: 'churn', ...rawRequest(featureColumns(app.core.plane.schema, records)) });
      assert.equal(tooMany.code, 'RESOURCE_EXHAUSTED');
      assert.equal(tooMany.errorInfo?.reason, 'BATCH_TOO_LARGE');
      const big = { model_name: 'churn', inputs: [{ name: 'tenure', datatype: 'FP64', shape: [1000] }], raw_input_contents: [Buffer.alloc(8000)] };
      assert.equal((await app.client.call('ModelInfer', big)).code, 'RESOURCE_EXHAUSTED');
    } finally {
      await app.close();
    }
  });

  test('API keys: model calls need authorization: Bearer <key> (UNAUTHENTICATED otherwise); server health and metadata stay open', async () => {
    const key = 'grpc-test-key-0123456789';
    const app = await grpcApp({ API_KEYS: key });
    try {
      const request = { model_name: 'churn', ...rawRequest(featureColumns(app.core.plane.schema, records)) };
      for (const metadata of [undefined, { authorization: 'Bearer not-the-key-0123456789' }, { authorization: key }]) {
        const refused = await app.client.call('ModelInfer', request, metadata === undefined ? {} : { metadata });
        assert.equal(refused.code, 'UNAUTHENTICATED');
        assert.equal(refused.errorInfo?.reason, 'UNAUTHORIZED');
      }
      assert.equal((await app.client.call('ModelMetadata', { name: 'churn' })).code, 'UNAUTHENTICATED');
      assert.equal((await app.client.call('ModelInfer', request, { metadata: { authorization: `Bearer ${key}` } })).code, 'OK');
      assert.equal((await app.client.call('ServerReady', {})).code, 'OK');
      assert.equal((await app.client.health()).response?.['status'], 'SERVING');
    } finally {
      await app.close();
    }
  });

  test('a call whose deadline has passed when the server comes to it is DEADLINE_EXCEEDED and scores nothing', async () => {
    const app = await grpcApp();
    try {
      const service = inferenceService(app.core, app.app.log, new GrpcMetrics(new Registry()));
      const request = Buffer.from(inferenceProtos.lookupType('inference.ModelInferRequest')
        .encode({ model_name: 'churn', ...rawRequest(featureColumns(app.core.plane.schema, records)) }).finish());
      const scored = async () => [...(await app.core.metrics.registry.metrics()).matchAll(/^churn_predictions_total\{outcome="[a-z_]+"\} (\d+)$/gm)]
        .reduce((n, m) => n + Number(m[1]), 0);
      const before = await scored();
      // What grpc-js hands a handler that runs after the call's deadline (the event loop was busy, say).
      const call = { request, metadata: new Metadata(), getDeadline: () => new Date(Date.now() - 1) };
      const error = await new Promise<ServiceError | null>((resolve) => {
        (service['ModelInfer'] as unknown as (call: unknown, callback: (error: ServiceError | null) => void) => void)(call, resolve);
      });
      assert.equal(error?.code, status.DEADLINE_EXCEEDED);
      assert.equal(await scored(), before);
      assert.match(await app.core.metrics.registry.metrics(), /^churn_requests_total\{protocol="grpc",code="DEADLINE_EXCEEDED"\} 1$/m);
    } finally {
      await app.close();
    }
  });
});

describe('gRPC with an all-numeric XGBoost model: one FP32 [N, F] tensor', () => {
  test('raw FP32 rows (NaN for missing) score as the data plane scores the float32 records', async () => {
    const runtime = await openModel(join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json'));
    const app = await grpcApp({}, runtime);
    try {
      const rows = [[12, 70.55, 800.1, 2, 1, 40], [60, null, 5000, 0, 24, 55], [0.5, 19.95, null, 7, 12, 18]];
      const names = runtime.description.schema.features.map((f) => f.name);
      const float32 = rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i] === null ? null : Math.fround(row[i]!)])));
      const answer = await app.client.call('ModelInfer', {
        model_name: runtime.description.name, inputs: [{ name: 'input__0', datatype: 'FP32', shape: [rows.length, 6] }], raw_input_contents: [matrixBytes(rows, 'FP32')],
      });
      assert.equal(answer.code, 'OK', answer.message);
      assertSameOutputs(answer.response!, planeAnswer(app, float32));
      // The matrix is validated as records would be: an infinite value is the row's own field error.
      const infinite = await app.client.call('ModelInfer', {
        model_name: runtime.description.name, inputs: [{ name: 'input__0', datatype: 'FP32', shape: [2, 6] }], raw_input_contents: [matrixBytes([rows[0]!, [1, Infinity, 2, 3, 4, 5]], 'FP32')],
      });
      assert.equal(infinite.code, 'INVALID_ARGUMENT');
      assert.equal(infinite.errorInfo?.reason, 'INVALID_RECORD');
      assert.deepEqual(infinite.fieldViolations?.map((v) => v.field), [`/1/${names[1]}`]);
    } finally {
      await app.close();
    }
  });
});
