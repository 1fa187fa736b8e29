import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prometheusValue } from '../../src/loadtest/process-metrics.js';

describe('prometheusValue', () => {
  const text = [
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    'process_cpu_seconds_total_extra 99',
    'process_cpu_seconds_total 12.5 1700000000000',
    'process_resident_memory_bytes{} 104857600',
    'http_requests_total{route="/predict",status="200"} 7',
  ].join('\n');

  it('reads unlabelled samples, ignoring comments, timestamps and longer names that share the prefix', () => {
    assert.equal(prometheusValue(text, 'process_cpu_seconds_total'), 12.5);
    assert.equal(prometheusValue(text, 'process_resident_memory_bytes'), 104857600);
  });

  it('is undefined for a metric that is absent', () => {
    assert.equal(prometheusValue(text, 'process_open_fds'), undefined);
    assert.equal(prometheusValue('', 'process_cpu_seconds_total'), undefined);
  });
});
