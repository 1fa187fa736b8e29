/**
 * The REST binary data extension (Triton's binary_tensor_data) as tritonclient.http and KServe's
 * InferenceRESTClient send it: a JSON header of Inference-Header-Content-Length bytes, then each binary input's
 * bytes; outputs answered as bytes when asked. The answers are the data plane's own for the records the tensors
 * carry, whichever way the tensors came.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../../../src/foundation/package-files.js';
import { openModel } from '../../../src/runtimes/open-model.js';
import type { ServingCore } from '../../../src/serving/serving-core.js';
import { dataRecords } from '../../helpers/fixtures.js';
import { columnBytes, featureColumns, matrixBytes, recordsOf, type Column } from '../../helpers/tensor-columns.js';
import { testApp } from '../app-harness.js';

/** A binary-extension body: the JSON header, then the bytes, and the header's length. */
function binaryBody(header: object, chunks: readonly Buffer[]): { payload: Buffer; headerLength: number } {
  const json = Buffer.from(JSON.stringify(header));
  return { payload: Buffer.concat([json, ...chunks]), headerLength: json.length };
}

/** A request with every column as binary data, as tritonclient.http sends it by default. */
function binaryRequest(columns: readonly Column[], extra: Record<string, unknown> = {}) {
  return binaryBody({
    ...extra,
    inputs: columns.map((c) => ({ name: c.name, datatype: c.datatype, shape: [c.values.length], parameters: { binary_data_size: columnBytes(c).length } })),
  }, columns.map(columnBytes));
}

interface Parsed { json: Record<string, any>; binary: Buffer }

/** A response body split at its Inference-Header-Content-Length (all JSON without one). */
function parse(response: { headers: Record<string, unknown>; rawPayload: Buffer }): Parsed {
  const length = response.headers['inference-header-content-length'];
  const size = length === undefined ? response.rawPayload.length : Number(length);
  return { json: JSON.parse(response.rawPayload.subarray(0, size).toString('utf8')) as Record<string, any>, binary: response.rawPayload.subarray(size) };
}

/** Each output's values, from its JSON data or its slice of the binary section. */
function outputValues(parsed: Parsed): Record<string, number[]> {
  let offset = 0;
  const values: Record<string, number[]> = {};
  for (const output of parsed.json['outputs']) {
    const size = output.parameters?.binary_data_size;
    if (size === undefined) {
      values[output.name] = output.data.map((v: number | boolean) => Number(v));
      continue;
    }
    const bytes = Buffer.from(parsed.binary.subarray(offset, offset + size));
    offset += size;
    values[output.name] = output.datatype === 'BOOL' ? [...bytes]
      : output.datatype === 'INT64' ? Array.from(new BigInt64Array(bytes.buffer, bytes.byteOffset, size / 8), Number)
        : [...new Float64Array(bytes.buffer, bytes.byteOffset, size / 8)];
  }
  assert.equal(offset, parsed.binary.length, 'every binary byte belongs to an output');
  return values;
}

function planeValues(core: ServingCore, records: readonly unknown[], options: { explain?: boolean } = {}): Record<string, number[]> {
  const result = core.plane.infer(records, options, 'cli');
  assert.ok(!(result instanceof Promise));
  return Object.fromEntries(result.outputs.map((o) => [o.name, [...o.data]]));
}

describe('V2 REST binary data extension: the native churn model', () => {
  let app: FastifyInstance;
  let core: ServingCore;
  const records = dataRecords().slice(0, 5);
  const url = '/v2/models/churn/infer';
  before(async () => { ({ app, core } = await testApp()); });
  after(async () => { await app.close(); });

  test('binary FP32, INT64 and BYTES inputs with no content type (as tritonclient.http sends them), JSON outputs', async () => {
    const columns = featureColumns(core.plane.schema, [...records, { ...records[0]!, tenure: 0, TotalCharges: null }], 'FP32');
    const { payload, headerLength } = binaryRequest(columns, { id: 'bin-1' });
    const response = await app.inject({ method: 'POST', url, payload, headers: { 'inference-header-content-length': String(headerLength) } });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['inference-header-content-length'], undefined);
    const parsed = parse(response);
    assert.equal(parsed.json['id'], 'bin-1');
    assert.deepEqual(outputValues(parsed), planeValues(core, recordsOf(columns)));
  });

  test('binary_data_output answers every output as bytes, with its binary_data_size and the response\'s Inference-Header-Content-Length', async () => {
    const columns = featureColumns(core.plane.schema, records);
    const { payload, headerLength } = binaryRequest(columns, { parameters: { binary_data_output: true, explain: true } });
    const response = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) } });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['content-type'], 'application/octet-stream');
    const parsed = parse(response);
    assert.deepEqual(parsed.json['outputs'].map((o: any) => [o.name, o.data, o.parameters.binary_data_size]), [
      ['probability', undefined, 8 * records.length], ['label', undefined, records.length], ['contributions', undefined, 8 * records.length * 20],
    ]);
    assert.equal(parsed.json['outputs'][2].parameters.columns.split(',').length, 20);
    assert.deepEqual(outputValues(parsed), planeValues(core, recordsOf(columns), { explain: true }));
  });

  test('an output\'s own binary_data overrides the default; JSON inputs may ask for binary outputs too', async () => {
    const columns = featureColumns(core.plane.schema, records);
    const json = {
      inputs: columns.map((c) => ({ name: c.name, datatype: c.datatype, shape: [c.values.length], data: c.values })),
      outputs: [{ name: 'probability', parameters: { binary_data: true } }, { name: 'label', parameters: { binary_data: false } }],
    };
    const response = await app.inject({ method: 'POST', url, payload: json });
    assert.equal(response.statusCode, 200, response.body);
    const parsed = parse(response);
    assert.equal(parsed.json['outputs'][0].parameters.binary_data_size, 8 * records.length);
    assert.equal(parsed.json['outputs'][1].data.length, records.length);
    assert.deepEqual(outputValues(parsed), planeValues(core, recordsOf(columns)));
  });

  test('mixed JSON and binary inputs; a gzip-compressed body (tritonclient\'s request_compression_algorithm)', async () => {
    const columns = featureColumns(core.plane.schema, records);
    const binary = columns.filter((c) => c.datatype !== 'BYTES');
    const { payload, headerLength } = binaryBody({
      inputs: columns.map((c) => (c.datatype === 'BYTES'
        ? { name: c.name, datatype: c.datatype, shape: [c.values.length], data: c.values }
        : { name: c.name, datatype: c.datatype, shape: [c.values.length], parameters: { binary_data_size: columnBytes(c).length } })),
    }, binary.map(columnBytes));
    for (const [body, encoding] of [[payload, undefined], [gzipSync(payload), 'gzip']] as const) {
      const response = await app.inject({ method: 'POST', url, payload: body, headers: { 'inference-header-content-length': String(headerLength), ...(encoding === undefined ? {} : { 'content-encoding': encoding }) } });
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(outputValues(parse(response)), planeValues(core, recordsOf(columns)));
    }
  });

  const invalid: [string, () => { payload: Buffer; headers: Record<string, string> }, number][] = [
    ['an Inference-Header-Content-Length beyond the body', () => {
      const { payload } = binaryRequest(featureColumns(core.plane.schema, records));
      return { payload, headers: { 'inference-header-content-length': String(payload.length + 1) } };
    }, 400],
    ['a header length that cuts the JSON', () => {
      const { payload, headerLength } = binaryRequest(featureColumns(core.plane.schema, records));
      return { payload, headers: { 'inference-header-content-length': String(headerLength - 3) } };
    }, 400],
    ['a binary_data_size larger than what is left', () => {
      const columns = featureColumns(core.plane.schema, records);
      const { payload, headerLength } = binaryBody({ inputs: columns.map((c) => ({ name: c.name, datatype: c.datatype, shape: [c.values.length], parameters: { binary_data_size: columnBytes(c).length + 8 } })) }, columns.map(columnBytes));
      return { payload, headers: { 'inference-header-content-length': String(headerLength) } };
    }, 400],
    ['bytes that no input claims', () => {
      const { payload, headerLength } = binaryRequest(featureColumns(core.plane.schema, records));
      return { payload: Buffer.concat([payload, Buffer.alloc(4)]), headers: { 'inference-header-content-length': String(headerLength) } };
    }, 400],
    ['a binary size that is not the shape\'s', () => {
      const columns = featureColumns(core.plane.schema, records).map((c) => (c.name === 'tenure' ? { ...c, values: c.values.slice(1) } : c));
      const { payload, headerLength } = binaryBody({ inputs: columns.map((c) => ({ name: c.name, datatype: c.datatype, shape: [records.length], parameters: { binary_data_size: columnBytes(c).length } })) }, columns.map(columnBytes));
      return { payload, headers: { 'inference-header-content-length': String(headerLength) } };
    }, 400],
    ['binary_data_size without a binary body', () => ({
      payload: Buffer.from(JSON.stringify({ inputs: [{ name: 'tenure', datatype: 'FP64', shape: [1], parameters: { binary_data_size: 8 } }] })),
      headers: { 'content-type': 'application/json' },
    }), 400],
    ['BYTES elements that are not UTF-8', () => {
      const columns = featureColumns(core.plane.schema, records.slice(0, 1));
      const chunks = columns.map((c) => (c.name === 'Contract' ? Buffer.from([2, 0, 0, 0, 0xc3, 0x28]) : columnBytes(c)));
      const { payload, headerLength } = binaryBody({ inputs: columns.map((c, i) => ({ name: c.name, datatype: c.datatype, shape: [1], parameters: { binary_data_size: chunks[i]!.length } })) }, chunks);
      return { payload, headers: { 'inference-header-content-length': String(headerLength) } };
    }, 400],
    ['a body in a content type inference does not take', () => ({ payload: Buffer.from('a,b\n1,2\n'), headers: { 'content-type': 'text/csv' } }), 415],
    ['a body whose gzip is broken', () => ({ payload: Buffer.from('not gzip at all'), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }), 400],
  ];
  for (const [what, build, status] of invalid) {
    test(`${what}: ${status} with {"error"}`, async () => {
      const { payload, headers } = build();
      const response = await app.inject({ method: 'POST', url, payload, headers });
      assert.equal(response.statusCode, status, response.body);
      const body = JSON.parse(response.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['error']);
    });
  }

  test('the server metadata lists the binary_tensor_data extension', async () => {
    assert.deepEqual((JSON.parse((await app.inject('/v2')).body) as { extensions: string[] }).extensions, ['binary_tensor_data']);
  });
});

describe('V2 REST binary data extension: one FP32 [N, F] tensor for an all-numeric model', () => {
  test('a 1,000-row FP32 matrix scores as the data plane scores the float32 records', async () => {
    const runtime = await openModel(join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json'));
    const { app, core } = await testApp({}, runtime);
    try {
      const rows = Array.from({ length: 1000 }, (_, r) => [r % 72, 18 + (r % 100) * 0.9, r % 7 === 0 ? null : r * 7.3, r % 9, [1, 12, 24][r % 3]!, 18 + (r % 60)]);
      const bytes = matrixBytes(rows, 'FP32');
      const { payload, headerLength } = binaryBody({ inputs: [{ name: 'input__0', datatype: 'FP32', shape: [1000, 6], parameters: { binary_data_size: bytes.length } }], parameters: { binary_data_output: true } }, [bytes]);
      const response = await app.inject({ method: 'POST', url: `/v2/models/${runtime.description.name}/infer`, payload, headers: { 'inference-header-content-length': String(headerLength) } });
      assert.equal(response.statusCode, 200, response.body);
      const names = runtime.description.schema.features.map((f) => f.name);
      const float32 = rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i] === null ? null : Math.fround(row[i]!)])));
      assert.deepEqual(outputValues(parse(response)), planeValues(core, float32));
    } finally {
      await app.close();
    }
  });
});
