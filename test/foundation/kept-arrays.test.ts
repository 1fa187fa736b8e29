import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeptArrays } from '../../src/foundation/kept-arrays.js';

const limits = { arrays: 3, bytes: 1024 * 8, smallestLength: 16 };
const pool = (): KeptArrays<Float64Array> => new KeptArrays((length) => new Float64Array(length), limits);

describe('KeptArrays', () => {
  test('a new array is sized to the next power of two, and never below the smallest length', () => {
    const arrays = pool();
    assert.equal(arrays.take(1).length, 16);
    assert.equal(arrays.take(17).length, 32);
    assert.equal(arrays.take(64).length, 64);
    assert.equal(arrays.take(65).length, 128);
  });

  test('a kept array is handed out again, the smallest that fits', () => {
    const arrays = pool();
    const small = arrays.take(20);
    const large = arrays.take(500);
    arrays.give(large);
    arrays.give(small);
    assert.equal(arrays.take(10), small, 'the smaller of the two that fit');
    assert.equal(arrays.take(10), large, 'then the only one left');
    assert.equal(arrays.kept, 0);
    assert.notEqual(arrays.take(10), small, 'none kept: a new one');
  });

  test('an array that does not fit is left kept, and a new one is made', () => {
    const arrays = pool();
    const small = arrays.take(16);
    arrays.give(small);
    const bigger = arrays.take(100);
    assert.notEqual(bigger, small);
    assert.equal(arrays.kept, small.byteLength);
  });

  test('no more arrays, and no more bytes, than the limits are kept', () => {
    const arrays = pool();
    for (let k = 0; k < 5; k++) arrays.give(new Float64Array(16));
    assert.equal(arrays.kept, 3 * 16 * 8, 'three arrays at most');
    const bytes = pool();
    bytes.give(new Float64Array(1000));
    assert.equal(bytes.kept, 8000);
    bytes.give(new Float64Array(100));
    assert.equal(bytes.kept, 8000, 'one more would pass the byte limit: dropped');
    bytes.give(new Float64Array(24));
    assert.equal(bytes.kept, 8192, 'one that fits within the limit is kept');
  });
});
