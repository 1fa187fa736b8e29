import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChurnError } from '../../src/errors.js';
import { importOptional } from '../../src/foundation/optional-package.js';

test('a missing optional package is PACKAGE_NOT_INSTALLED naming it and the version to install', async () => {
  await assert.rejects(
    importOptional(() => import('onnxruntime-node-not-here' as string), 'onnxruntime-node-not-here', 'an ONNX model'),
    (error: unknown) => error instanceof ChurnError && error.code === 'PACKAGE_NOT_INSTALLED' && /npm install onnxruntime-node-not-here@"latest"/.test(error.message),
  );
  // A package package.json lists as an optional peer gets its declared range.
  await assert.rejects(
    importOptional(() => Promise.reject(Object.assign(new Error("Cannot find package 'onnxruntime-node' imported from x"), { code: 'ERR_MODULE_NOT_FOUND' })), 'onnxruntime-node', 'an ONNX model'),
    (error: unknown) => error instanceof ChurnError && /npm install onnxruntime-node@"\^1\./.test(error.message),
  );
});

test('other failures pass through unchanged, and an installed package loads', async () => {
  const boom = new Error('the module threw while loading');
  await assert.rejects(importOptional(() => Promise.reject(boom), 'x', 'y'), (error: unknown) => error === boom);
  const loaded = await importOptional(() => import('node:path'), 'node:path', 'paths');
  assert.equal(typeof loaded.join, 'function');
});
