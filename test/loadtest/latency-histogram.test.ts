import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as hdr from 'hdr-histogram-js';
import { LatencyHistogram } from '../../src/loadtest/latency-histogram.js';
import { SeededRandom } from '../../src/foundation/seeded-random.js';

/** The nearest-rank percentile of a sorted array: the smallest value with at least p% of values at or below it. */
function reference(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** HDR keeps 3 significant digits (0.1%) at microsecond resolution; values are rounded to whole microseconds. */
function assertClose(actual: number, expected: number, what: string): void {
  const tolerance = expected * 0.001 + 0.0015;
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} ms, reference ${expected} ms`);
}

describe('LatencyHistogram', () => {
  it('percentiles match a sorted-array reference on a long-tailed sample', () => {
    const random = new SeededRandom(7);
    const values: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      // Log-normal-ish latencies from 0.2 ms to several seconds, the shape real servers show.
      const u = random.next();
      values.push(0.2 + Math.exp(6 * u * u * u) - 1 + random.next());
    }
    const histogram = new LatencyHistogram();
    for (const v of values) histogram.record(v);
    const sorted = values.map((v) => Math.max(0.001, Math.round(v * 1000) / 1000)).sort((a, b) => a - b);
    for (const p of [1, 10, 50, 75, 90, 99, 99.9, 99.99, 100]) assertClose(histogram.percentileMs(p), reference(sorted, p), `p${p}`);
    const summary = histogram.summary();
    assert.equal(summary.count, values.length);
    assertClose(summary.maxMs, sorted[sorted.length - 1]!, 'max');
    assertClose(summary.minMs, sorted[0]!, 'min');
    assertClose(summary.p999Ms, reference(sorted, 99.9), 'summary p99.9');
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(summary.meanMs - mean) / mean < 0.001, `mean ${summary.meanMs} vs ${mean}`);
  });

  it('percentiles of a small exact sample', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 100; ms++) histogram.record(ms);
    assertClose(histogram.percentileMs(50), 50, 'p50');
    assertClose(histogram.percentileMs(90), 90, 'p90');
    assertClose(histogram.percentileMs(99), 99, 'p99');
    assertClose(histogram.percentileMs(100), 100, 'max');
  });

  it('answers exactly as hdr-histogram-js recording every value itself would', () => {
    const random = new SeededRandom(11);
    const ours = new LatencyHistogram();
    const reference = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
    const record = (ms: number) => {
      ours.record(ms);
      reference.recordValue(Math.max(1, Math.round(ms * 1000)));
    };
    // Every bucket boundary region, from 1 µs to past the fast path's 2^31 µs, and a long-tailed bulk.
    for (let e = 0; e <= 32; e++) for (const d of [-1, 0, 1]) record(Math.max(0, 2 ** e + d) / 1000);
    for (let i = 0; i < 20_000; i++) record(Math.exp(12 * random.next()) / 100);
    for (const p of [0, 1, 25, 50, 90, 99, 99.9, 99.99, 100]) {
      assert.equal(ours.percentileMs(p), reference.getValueAtPercentile(p) / 1000, `p${p}`);
    }
    const summary = ours.summary();
    assert.equal(summary.count, reference.totalCount);
    assert.equal(summary.minMs, reference.minNonZeroValue / 1000);
    assert.equal(summary.maxMs, reference.maxValue / 1000);
    // Queried mid-way, then recording more, then merged: still the same answers.
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const whole = new LatencyHistogram();
    for (let i = 0; i < 5_000; i++) {
      const ms = Math.exp(10 * random.next()) / 100;
      (i % 3 === 0 ? a : b).record(ms);
      whole.record(ms);
      if (i === 2_500) a.percentileMs(50);
    }
    a.add(b);
    assert.deepEqual(a.summary(), whole.summary());
  });

  it('the mean is exact (of the recorded microseconds), also after merging', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (const ms of [1, 2, 4]) a.record(ms);
    b.record(1000.5);
    assert.equal(a.summary().meanMs, 7 / 3);
    a.add(b);
    assert.equal(a.summary().meanMs, (7 + 1000.5) / 4);
    a.reset();
    a.record(3);
    assert.equal(a.summary().meanMs, 3);
  });

  it('keeps latencies beyond a minute, merges, resets, and reports zeros when empty', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    assert.deepEqual(a.summary(), { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
    a.record(2);
    b.record(120_000); // two minutes: a stalled request must not be clipped
    a.add(b);
    assert.equal(a.count, 2);
    assertClose(a.summary().maxMs, 120_000, 'max after merge');
    a.reset();
    assert.equal(a.count, 0);
    a.record(0); // sub-microsecond values count as 1 µs instead of vanishing
    assert.equal(a.count, 1);
  });
});
