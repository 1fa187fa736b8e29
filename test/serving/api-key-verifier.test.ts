import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiKeyVerifier } from '../../src/serving/api-key-verifier.js';

test('apiKeyVerifier accepts any configured key with the Bearer scheme, and nothing else', () => {
  const verify = apiKeyVerifier(['first-key-0123456789', 'second-key-0123456789']);
  assert.equal(verify('Bearer first-key-0123456789'), true);
  assert.equal(verify('bearer second-key-0123456789'), true);
  assert.equal(verify('Bearer  second-key-0123456789 '), true);
  for (const header of [undefined, '', 'Bearer', 'Bearer ', 'first-key-0123456789', 'Basic first-key-0123456789',
    'Bearer first-key-012345678', 'Bearer first-key-0123456789x', 'Bearer FIRST-KEY-0123456789']) {
    assert.equal(verify(header), false, String(header));
  }
});
