import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { runLoadTest } from '../../src/loadtest/load-test.js';
import { residentBytes, scrapeMetric } from './harness/process-sampler.js';
import { Replica } from './harness/replica.js';
import { reportFigures } from './harness/scenario-figures.js';

const soakSeconds = 60;
const warmUpSeconds = 15;
/** Growth allowed after warm-up: GC sawtooth plus allocator noise, not a leak's steady climb. */
const rssMarginBytes = 40 * 1024 * 1024;
const heapMarginBytes = 20 * 1024 * 1024;

describe('soak: steady load for 60 s', { timeout: 120_000 }, () => {
  it('RSS and heap do not grow beyond a margin after warm-up', async (t) => {
    const replica = await Replica.start();
    try {
      await replica.waitReady();
      const samples: { t: number; rss: number; heap: number }[] = [];
      const started = performance.now();
      const load = runLoadTest({ url: replica.url, profile: 'constant:400', durationSeconds: soakSeconds, connections: 16, payload: 'single' });
      while (performance.now() - started < soakSeconds * 1000) {
        await sleep(3000);
        const heap = await scrapeMetric(replica.url, 'nodejs_heap_size_used_bytes');
        const rss = residentBytes(replica.process.pid!);
        // A reading that failed is a failed test, not zero growth.
        assert.ok(rss !== undefined && rss > 0, 'the replica\'s RSS could not be read from /proc');
        assert.ok(heap !== undefined && heap > 0, 'nodejs_heap_size_used_bytes could not be scraped');
        samples.push({ t: (performance.now() - started) / 1000, rss, heap });
      }
      const report = await load;
      const afterWarmUp = samples.filter((s) => s.t >= warmUpSeconds);
      const baseline = afterWarmUp.slice(0, 3);
      const end = afterWarmUp.slice(-3);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const rssGrowth = mean(end.map((s) => s.rss)) - Math.max(...baseline.map((s) => s.rss));
      const heapGrowth = mean(end.map((s) => s.heap)) - Math.max(...baseline.map((s) => s.heap));
      const mib = (b: number) => (b / 2 ** 20).toFixed(1);
      reportFigures(t, 'soak', report, `; RSS ${mib(baseline[0]!.rss)} → ${mib(end[end.length - 1]!.rss)} MiB (growth ${mib(rssGrowth)}), heap growth ${mib(heapGrowth)} MiB`);
      assert.equal(report.requests.failed, 0);
      assert.ok(rssGrowth < rssMarginBytes, `RSS grew ${mib(rssGrowth)} MiB after warm-up`);
      assert.ok(heapGrowth < heapMarginBytes, `heap grew ${mib(heapGrowth)} MiB after warm-up`);
    } finally {
      await replica.stop();
    }
  });
});
