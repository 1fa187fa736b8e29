/**
 * The Open Inference Protocol's real clients — tritonclient (http and grpc) and KServe's InferenceRESTClient and
 * InferenceGRPCClient, from PyPI — against `churn-predictor serve` in a child process: readiness, metadata,
 * inference with FP32/FP64/INT64/BYTES inputs in JSON, binary and raw gRPC encodings, batches, a 1,000-row FP32
 * matrix, and every error class. test/clients/conformance.py asks; every answer is compared with what this
 * process's own data plane answers for the same records (and, for errors, with what its own V2 REST and gRPC
 * endpoints answer for the same request).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/foundation/package-files.js';
import { openModel } from '../../src/runtimes/open-model.js';
import { modelMetadata } from '../../src/serving/codecs/v2-metadata.js';
import type { DataPlane } from '../../src/serving/data-plane.js';
import { freePort } from '../../src/foundation/free-port.js';
import { dataRecords } from '../helpers/fixtures.js';
import { featureColumns, recordsOf, type Column } from '../helpers/tensor-columns.js';
import { startChildServer, type ChildServer } from '../server/child-server.js';
import { grpcApp, type GrpcApp } from '../server/grpc/grpc-app.js';
import { clientsPython, requireVenvInCi, runVenv, venvMissing } from './python-venv.js';

const KEY = 'real-clients-key-0123456789';
/** Each client's section of conformance.py (one process each) and the name its checks report. */
const CLIENTS = { 'tritonclient.http': 'tritonclient.http', 'tritonclient.grpc': 'tritonclient.grpc', 'kserve.rest': 'kserve.InferenceRESTClient', 'kserve.grpc': 'kserve.InferenceGRPCClient' } as const;
const numericModelPath = join(packageRoot, 'test', 'fixtures', 'xgboost', 'binary-logistic.model.json');

interface CheckResult { client: string; check: string; ok: boolean; detail: string }
type ErrorColumn = Omit<Column, 'datatype'> & { shape?: number[]; datatype: Column['datatype'] | 'INT32' };

/** The data plane's outputs for records, by name (what every client must read back). */
function expectedOutputs(plane: DataPlane, records: readonly unknown[]): Record<string, number[]> {
  const result = plane.infer(records, {}, 'cli');
  assert.ok(!(result instanceof Promise));
  return Object.fromEntries(result.outputs.map((o) => [o.name, [...o.data]]));
}

/** What this process's own V2 REST and gRPC endpoints answer for an erroneous request. */
async function expectedError(local: GrpcApp, name: string, model: string, columns: readonly ErrorColumn[]) {
  const withKey = name !== 'missing key';
  const inputs = columns.map((c) => ({ name: c.name, datatype: c.datatype, shape: c.shape ?? [c.values.length] }));
  const rest = await local.app.inject({
    method: 'POST', url: `/v2/models/${model}/infer`, headers: withKey ? { authorization: `Bearer ${KEY}` } : {},
    payload: { inputs: inputs.map((input, i) => ({ ...input, data: columns[i]!.values })) },
  });
  const grpc = await local.client.call('ModelInfer', {
    model_name: model,
    inputs: inputs.map((input, i) => {
      const values = columns[i]!.values;
      const field = { BYTES: 'bytes_contents', FP32: 'fp32_contents', FP64: 'fp64_contents', INT64: 'int64_contents', INT32: 'int_contents' }[columns[i]!.datatype];
      return { ...input, contents: { [field]: columns[i]!.datatype === 'BYTES' ? values.map((v) => Buffer.from(String(v))) : values } };
    }),
  }, withKey ? { metadata: { authorization: `Bearer ${KEY}` } } : {});
  assert.notEqual(rest.statusCode, 200, `${name} must fail`);
  assert.notEqual(grpc.code, 'OK', `${name} must fail`);
  return { name, model, columns, http: { status: rest.statusCode, message: (JSON.parse(rest.body) as { error: string }).error }, grpc: { code: grpc.code, message: grpc.message } };
}

requireVenvInCi('real Open Inference Protocol clients');

describe('real Open Inference Protocol clients (tritonclient, KServe SDK) against `churn-predictor serve`', { skip: venvMissing, timeout: 600_000 }, () => {
  const servers: ChildServer[] = [];
  let local: GrpcApp | undefined;
  let results: CheckResult[] = [];
  let failure: string | undefined;
  const work = mkdtempSync(join(tmpdir(), 'real-clients-'));

  before(async () => {
    const [grpcPort, numericGrpcPort] = [await freePort(), await freePort()];
    servers.push(await startChildServer({ GRPC_PORT: String(grpcPort), API_KEYS: KEY }));
    servers.push(await startChildServer({ GRPC_PORT: String(numericGrpcPort), MODEL_PATH: numericModelPath }));
    local = await grpcApp({ API_KEYS: KEY });
    const plane = local.core.plane;
    const numericPlane = (await grpcApp({}, await openModel(numericModelPath)));
    const records = dataRecords().slice(0, 64);
    const withMissing = [...records, { ...records[0]!, tenure: 0, TotalCharges: null }];
    const batches = [
      { name: 'FP64 (with a missing value)', columns: featureColumns(plane.schema, withMissing, 'FP64'), missingValues: true },
      { name: 'FP32', columns: featureColumns(plane.schema, records, 'FP32'), missingValues: false },
    ].map((batch) => ({ ...batch, expected: expectedOutputs(plane, recordsOf(batch.columns)) }));
    // A 1,000-row FP32 matrix for the all-numeric model, values as float32 holds them (NaN-free: JSON carries it too).
    const names = numericPlane.core.plane.schema.features.map((f) => f.name);
    const rows = Array.from({ length: 1000 }, (_, r) => [r % 72, 18 + (r % 100) * 0.95, r * 7.3, r % 9, [1, 12, 24][r % 3]!, 18 + (r % 60)].map(Math.fround));
    const numericExpected = expectedOutputs(numericPlane.core.plane, rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]]))));
    await numericPlane.close();

    const few = featureColumns(plane.schema, records.slice(0, 3));
    const errors = [
      await expectedError(local, 'wrong shape', 'churn', few.map((c) => (c.name === 'tenure' ? { ...c, shape: [3, 2], values: c.values.flatMap((v) => [v, v]) } : c))),
      await expectedError(local, 'wrong datatype', 'churn', few.map((c) => (c.name === 'Contract' ? { ...c, datatype: 'INT32' as const, values: [0, 1, 2] } : c))),
      await expectedError(local, 'unknown model', 'no-such-model', few),
      await expectedError(local, 'missing key', 'churn', few),
    ];
    const [churn, numeric] = servers as [ChildServer, ChildServer];
    const cases = {
      server: { http: `http://127.0.0.1:${churn.port}`, grpc: `127.0.0.1:${grpcPort}`, model: plane.name, version: plane.version, key: KEY },
      metadata: { server: { name: 'churn-predictor' }, model: modelMetadata(plane) },
      batches,
      numeric: { http: `http://127.0.0.1:${numeric.port}`, grpc: `127.0.0.1:${numericGrpcPort}`, model: numericPlane.core.plane.name, rows, expected: numericExpected },
      errors,
    };
    const casesFile = join(work, 'cases.json');
    writeFileSync(casesFile, JSON.stringify(cases));
    for (const section of Object.keys(CLIENTS)) {
      const started = performance.now();
      const run = await runVenv(clientsPython, [join(packageRoot, 'test', 'clients', 'conformance.py'), casesFile, section], 300_000);
      process.stdout.write(`# conformance.py ${section}: ${((performance.now() - started) / 1000).toFixed(1)} s, exit ${run.code}\n`);
      results.push(...run.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as CheckResult));
      if (run.code !== 0) failure = `${failure ?? ''}conformance.py ${section} exited ${run.code}: ${run.stderr.slice(-3000)}\n`;
    }
  }, { timeout: 400_000 });

  after(async () => {
    for (const server of servers) server.kill();
    await local?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('the conformance script ran to its end, and every client set up', () => {
    assert.equal(failure, undefined);
    assert.deepEqual(results.filter((r) => r.check === 'set-up'), []);
  });

  for (const client of Object.values(CLIENTS)) {
    test(client, async (t) => {
      const checks = results.filter((r) => r.client === client);
      assert.ok(checks.length >= 6, `${client} ran ${checks.length} checks`);
      for (const check of checks) {
        await t.test(check.check, () => assert.ok(check.ok, check.detail));
      }
    });
  }
});
