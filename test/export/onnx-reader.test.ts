import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, test } from 'node:test';
import { exportOnnx, onnxModel, treeEnsembleNode, valueInfo } from '../../src/export/onnx-export.js';
import { AttributeType, DataType, encodeOnnxModel, type ModelProto } from '../../src/export/onnx-messages.js';
import { packageRoot } from '../../src/foundation/package-files.js';
import { loadModelArtifact } from '../../src/model/artifact-loader.js';
import { bundledModelDirectory } from '../../src/model/bundled-model.js';
import { temporaryDirectory } from '../helpers/fixtures.js';
import { mlflowRequired, mlflowVenv, quietPythonEnv, venvPython } from '../mlflow/harness/mlflow-server.js';

/**
 * The exported model as an independent reader sees it: the `onnx` Python package (ONNX's own implementation of the
 * format, pinned in the MLflow venv) checks it and decodes it, and every field it decodes must be the one the
 * exporter meant to write. onnxruntime (test/export/onnx-export.test.ts) proves the model scores right; this proves
 * the file is well-formed ONNX for other tools too, and that our hand-written schema puts every field where ONNX's
 * schema expects it. Without the venv the tests skip with the reason; in CI (CI=true) that is a failure.
 */
const missing = existsSync(venvPython)
  ? undefined
  : `no Python venv with onnx at ${mlflowVenv}: create it with python3 -m venv ${mlflowVenv} && ${mlflowVenv}/bin/pip install -r test/mlflow/requirements.txt (as .ci/run does)`;
if (missing !== undefined && mlflowRequired) {
  test('the MLflow venv (with onnx) is installed (CI=true: the ONNX reader tests must run)', () => {
    throw new Error(missing);
  });
}

const work = temporaryDirectory();
after(() => rmSync(work, { recursive: true, force: true }));
const loaded = loadModelArtifact(bundledModelDirectory);

function readWithOnnx(file: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(venvPython, [join(packageRoot, 'test', 'export', 'read_onnx.py'), file], {
    encoding: 'utf8', timeout: 120_000, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...quietPythonEnv },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function decodedByOnnx(file: string): unknown {
  const read = readWithOnnx(file);
  assert.equal(read.status, 0, read.stderr);
  return (JSON.parse(read.stdout) as { model: unknown }).model;
}

// protobuf's JSON mapping, which the Python side prints: int64 as decimal strings, bytes as base64, enums by name,
// unset and empty repeated fields left out. Applied to both sides, with float fields compared as the float32 the
// wire carries (the mapping prints a float32 in its shortest form, which is not the double we started from).
const int64Fields = new Set(['irVersion', 'modelVersion', 'version', 'i', 'ints', 'dims', 'int64Data', 'dimValue']);
const floatFields = new Set(['f', 'floats', 'floatData']);
const doubleFields = new Set(['doubleData']);
const attributeTypeNames = new Map<number, string>(Object.entries(AttributeType).map(([name, value]) => [value, name]));

function protoJson(value: unknown, field = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => protoJson(item, field));
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value)
      .filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => [k, protoJson(v, k)]));
  }
  if (int64Fields.has(field)) return String(value);
  if (floatFields.has(field)) return Math.fround(Number(value));
  if (doubleFields.has(field)) return Number(value);
  if (field === 'type' && typeof value === 'number') return attributeTypeNames.get(value) ?? value;
  return value;
}

describe('the exported ONNX model read by the onnx package (onnx.checker, full check)', { skip: missing }, () => {
  it('the churn model passes the checker, and onnx decodes every field as the exporter wrote it', () => {
    const file = join(work, 'churn.onnx');
    writeFileSync(file, exportOnnx(loaded));
    const expected = onnxModel(loaded);
    const decoded = decodedByOnnx(file);
    assert.deepEqual(protoJson(decoded), protoJson(expected));
    // The comparison covers what matters: the tree ensemble's thresholds arrive as the exact doubles.
    const trees = expected.graph.node.find((node) => node.opType === 'TreeEnsembleRegressor');
    assert.ok(trees?.attribute?.some((a) => a.name === 'nodes_values_as_tensor' && a.type === AttributeType.TENSOR && (a.t.doubleData?.length ?? 0) > 0));
  });

  it('a FLOAT-input tree ensemble (float attributes, as onnxmltools writes) passes the checker and decodes as written', () => {
    const model: ModelProto = {
      irVersion: 8, opsetImport: [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }],
      graph: {
        name: 'float-trees',
        node: [treeEnsembleNode(loaded.model.kind === 'tree-ensemble' ? loaded.model : assert.fail('the bundled model is a tree ensemble'), 'input', 'margin', 'float'),
          { opType: 'Sigmoid', input: ['margin'], output: ['probability'] }],
        input: [valueInfo('input', DataType.FLOAT, ['N', loaded.encoder.width])],
        output: [valueInfo('probability', DataType.FLOAT, ['N', 1])],
      },
    };
    const file = join(work, 'float-trees.onnx');
    writeFileSync(file, encodeOnnxModel(model));
    assert.deepEqual(protoJson(decodedByOnnx(file)), protoJson(model));
  });

  it('the checker can fail: a node reading a value nothing produces is rejected', () => {
    const model = onnxModel(loaded);
    const file = join(work, 'dangling.onnx');
    writeFileSync(file, encodeOnnxModel({ ...model, graph: { ...model.graph, node: [...model.graph.node, { opType: 'Sigmoid', input: ['nowhere'], output: ['extra'] }] } }));
    const read = readWithOnnx(file);
    assert.equal(read.status, 2, read.stderr);
    assert.match(read.stderr, /onnx\.checker rejected .*nowhere/s);
  });
});
