import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { milliValue, parseGoDurationSeconds, parseQuantity } from '../../../src/autoscale/manifests/kubernetes-quantity.js';

describe('Kubernetes quantities and durations', () => {
  it('reads CPU in cores or millicores, rounding milli-values up', () => {
    assert.equal(milliValue('500m'), 500);
    assert.equal(milliValue('0.5'), 500);
    assert.equal(milliValue('2'), 2000);
    assert.equal(milliValue(1), 1000);
    assert.equal(milliValue('0.0001'), 1);
    assert.equal(milliValue('400'), 400_000);
  });

  it('reads binary and decimal suffixes and exponents', () => {
    assert.equal(parseQuantity('512Mi'), 512 * 1024 * 1024);
    assert.equal(parseQuantity('2Gi'), 2 * 1024 ** 3);
    assert.equal(parseQuantity('1G'), 1e9);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('50m'), 0.05);
  });

  it('rejects what is not a quantity', () => {
    assert.equal(parseQuantity('REQUEST_RATE_THRESHOLD'), null);
    assert.equal(parseQuantity('5 cores'), null);
    assert.equal(parseQuantity(undefined), null);
  });

  it('reads Go durations', () => {
    assert.equal(parseGoDurationSeconds('15s'), 15);
    assert.equal(parseGoDurationSeconds('1m30s'), 90);
    assert.equal(parseGoDurationSeconds('500ms'), 0.5);
    assert.equal(parseGoDurationSeconds('soon'), null);
  });
});
